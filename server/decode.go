package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/julienschmidt/httprouter"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// DecodeJSON reads the request body as one JSON value into dst (a pointer).
// Every failure is a 400 *fault.Error naming the field at fault: malformed or
// empty JSON and trailing data (code INVALID_JSON, path "body"), unknown
// fields ("body.<field>", "Unknown field"), wrong types ("body.price",
// "Expected integer") and bodies over the size limit ("body").
func DecodeJSON(r *http.Request, dst any) error {
	if r.Body == nil {
		return invalidJSON("Request body must be valid JSON")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return bodyTooLarge(tooBig.Limit)
		}
		return fault.New(fault.Invalid, "", "Could not read request body").Wrap(err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return invalidJSON("Request body must be valid JSON")
	}
	if bytes.Equal(trimmed, []byte("null")) {
		if want := expected(reflect.TypeOf(dst)); want != "" {
			return fault.InvalidField("body", "Expected "+want)
		}
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON("Request body must contain a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalidJSON("Request body must be valid JSON")
	case errors.As(err, &typeErr):
		path := "body"
		if typeErr.Field != "" {
			path += "." + typeErr.Field
		}
		return fault.InvalidField(path, "Expected "+expected(typeErr.Type)).Wrap(err)
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if _, name, ok := strings.Cut(err.Error(), "unknown field "); ok {
		if unq, uerr := strconv.Unquote(name); uerr == nil {
			name = unq
		}
		return fault.InvalidField("body."+name, "Unknown field").Wrap(err)
	}
	// A field's own UnmarshalJSON/UnmarshalText refused its value; the
	// decoder does not say which field that was.
	return fault.InvalidField("body", "Invalid value").Wrap(err)
}

// expected names the JSON type a Go type decodes from.
func expected(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	if t.Implements(reflect.TypeFor[json.Unmarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return "a valid value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return ""
}

func invalidJSON(message string) *fault.Error {
	e := fault.InvalidFields(fault.Field{Path: "body", Message: message})
	e.Code = fault.CodeInvalidJSON
	e.Message = message
	return e
}

func bodyTooLarge(limit int64) *fault.Error {
	e := fault.InvalidField("body", fmt.Sprintf("Request body too large (max %d bytes)", limit))
	e.Code = fault.CodePayloadTooLarge
	return e
}

func withParams(ctx context.Context, ps httprouter.Params) context.Context {
	return context.WithValue(ctx, httprouter.ParamsKey, ps)
}

// Param returns the path parameter name (":id" in the route) or "".
func Param(r *http.Request, name string) string {
	return httprouter.ParamsFromContext(r.Context()).ByName(name)
}

// UUIDParam returns the path parameter name as a UUID in the canonical
// 8-4-4-4-12 form; anything else is a 400 on "params.<name>".
func UUIDParam(r *http.Request, name string) (uuid.UUID, error) {
	s := Param(r, name)
	// uuid.Parse also takes braces, urn: prefixes and bare hex; ids in
	// URLs have one spelling.
	if len(s) != 36 {
		return uuid.Nil, fault.InvalidField("params."+name, "Invalid ID format")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fault.InvalidField("params."+name, "Invalid ID format")
	}
	return id, nil
}

// PageQuery reads ?page= (1..1000, default 1) and ?limit= (1..100, default
// 20). Every invalid parameter is reported in one 400.
func PageQuery(r *http.Request) (store.Page, error) {
	q := r.URL.Query()
	var fields []fault.Field
	page, f := intQuery(q, "page", 1, store.MaxPage)
	fields = append(fields, f...)
	limit, f := intQuery(q, "limit", store.DefaultLimit, store.MaxLimit)
	fields = append(fields, f...)
	if len(fields) > 0 {
		return store.Page{}, fault.InvalidFields(fields...)
	}
	return store.Page{Page: page, Limit: limit}, nil
}

func intQuery(q map[string][]string, name string, def, maxVal int) (int, []fault.Field) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return def, nil
	}
	path := "query." + name
	s := vs[0]
	if s == "" {
		// As in the reference, an empty value counts as 0.
		return 0, []fault.Field{{Path: path, Message: "Must be greater than 0"}}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange) {
			if strings.HasPrefix(s, "-") {
				return 0, []fault.Field{{Path: path, Message: "Must be greater than 0"}}
			}
			return 0, []fault.Field{{Path: path, Message: fmt.Sprintf("Must be %d or less", maxVal)}}
		}
		return 0, []fault.Field{{Path: path, Message: "Must be a whole number"}}
	}
	switch {
	case n < 1:
		return 0, []fault.Field{{Path: path, Message: "Must be greater than 0"}}
	case n > maxVal:
		return 0, []fault.Field{{Path: path, Message: fmt.Sprintf("Must be %d or less", maxVal)}}
	}
	return n, nil
}
