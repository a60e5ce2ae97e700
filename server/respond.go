package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

const contentTypeJSON = "application/json; charset=utf-8"

// WriteData writes {"data": v} with status; a 204 has no body. It returns
// an error only when v cannot be encoded, and then nothing has been written,
// so a handler can end with `return WriteData(w, http.StatusOK, v)`.
func WriteData(w http.ResponseWriter, status int, v any) error {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	return writeJSON(w, status, struct {
		Data any `json:"data"`
	}{v})
}

// Pagination is the "pagination" object of a list response.
type Pagination struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	Total      int `json:"total"`
	TotalPages int `json:"totalPages"`
}

// NewPagination describes page of a list with total items in all.
func NewPagination(page store.Page, total int) Pagination {
	page = page.Normalized()
	p := Pagination{Page: page.Page, Limit: page.Limit, Total: total}
	if total > 0 {
		p.TotalPages = (total + page.Limit - 1) / page.Limit
	}
	return p
}

// WriteList writes a 200 {"data":{"items":[...],"pagination":{...}}}.
// items is a slice; nil is written as []. Like WriteData it returns an error
// only when nothing could be written.
func WriteList[T any](w http.ResponseWriter, items []T, page store.Page, total int) error {
	if items == nil {
		items = []T{}
	}
	type list struct {
		Items      []T        `json:"items"`
		Pagination Pagination `json:"pagination"`
	}
	return WriteData(w, http.StatusOK, list{items, NewPagination(page, total)})
}

// WriteError writes err as {"error":{"code","message","details"?}} with the
// status of its fault.Kind. Errors that are not a *fault.Error are internal:
// the client sees only "An unexpected error occurred". The cause is logged
// with the request id, at error level for 5xx and debug otherwise.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		err = errors.New("server: WriteError called with a nil error")
	}
	fe := fault.From(err)
	var tooBig *http.MaxBytesError
	if fe.Kind == fault.Internal && errors.As(err, &tooBig) {
		// A body read outside DecodeJSON (multipart, raw uploads) hit the limit.
		fe = bodyTooLarge(tooBig.Limit)
	}
	status := fe.Kind.Status()
	ctx := r.Context()
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
		if ctx.Err() != nil {
			// The client went away; the failure is most likely our own
			// cancellation, not a fault worth paging anyone for.
			level = slog.LevelInfo
		}
	}
	logger(ctx).LogAttrs(context.WithoutCancel(ctx), level, "request failed",
		slog.Int("status", status),
		slog.String("code", fe.Code),
		slog.String("error", err.Error()))

	details := fe.Details
	if status >= 500 {
		// Internal context (keys, ids, causes) must not reach clients.
		details = nil
	}
	if fe.Kind == fault.RateLimited {
		if d, ok := details.(map[string]int64); ok {
			w.Header().Set("Retry-After", fmt.Sprint(d["retryAfter"]))
		}
	}
	if isAuthPath(r.URL.Path) {
		writeAuthError(w, status, fe.Code, fe.Message)
		return
	}
	writeErrorBody(w, status, fe.Code, fe.Message, details)
}

// isAuthPath reports whether the auth surface owns the path: its clients
// parse the auth framework's flat {"code","message"} error body.
func isAuthPath(p string) bool { return strings.HasPrefix(p, "/api/auth/") }

func writeAuthError(w http.ResponseWriter, status int, code, message string) {
	_ = writeJSON(w, status, struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
}

func writeErrorBody(w http.ResponseWriter, status int, code, message string, details any) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	}
	err := writeJSON(w, status, struct {
		Error body `json:"error"`
	}{body{code, message, details}})
	if err != nil {
		// Details that cannot be encoded: send the error without them.
		_ = writeJSON(w, status, struct {
			Error body `json:"error"`
		}{body{Code: code, Message: message}})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("server: encoding response: %w", err)
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}
