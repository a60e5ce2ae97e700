package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/transcode"
)

// mountMedia registers the media-api surface: /api/transcoding/*, /internal/*
// and transcoder callbacks. Handler adds its /health.
//
//	POST /internal/media/:id/transcode  signed service-to-service call (X-Worker-Signature)
//	POST /api/transcoding/retry/:id     the creator retries a failed item
//	GET  /api/transcoding/status/:id    the creator (or a platform owner) watches progress
//	POST /api/transcoding/webhook       the remote transcoder reports (X-Runpod-Signature)
func mountMedia(r *router) {
	s := r.srv
	r.handle(http.MethodPost, "/internal/media/:id/transcode", s.triggerTranscode, RateLimit("webhook"))
	r.handle(http.MethodPost, "/api/transcoding/retry/:id", s.retryTranscode, RateLimit("strict"))
	r.handle(http.MethodGet, "/api/transcoding/status/:id", s.transcodeStatus, RateLimit("api"))
	r.handle(http.MethodPost, "/api/transcoding/webhook", s.transcodeWebhook, RateLimit("webhook"))
}

// rawBody reads the whole body (within the route's size limit) and puts it
// back for DecodeJSON: signatures are over the exact bytes sent.
func rawBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, bodyTooLarge(tooBig.Limit)
		}
		return nil, fault.New(fault.Invalid, "", "Could not read request body").Wrap(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

type triggerBody struct {
	Priority *int `json:"priority"`
}

func (s *Server) triggerTranscode(w http.ResponseWriter, r *http.Request) error {
	body, err := rawBody(r)
	if err != nil {
		return err
	}
	if err := transcode.VerifyWorkerRequest(s.c.WorkerKey(), r.Method, r.URL.EscapedPath(), r.Header, body, time.Now()); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var in triggerBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.c.Transcoding().Trigger(r.Context(), id, in.Priority); err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, map[string]string{"message": "Transcoding job triggered", "mediaId": id.String()})
}

func (s *Server) retryTranscode(w http.ResponseWriter, r *http.Request) error {
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.c.Transcoding().Retry(r.Context(), Actor(r), id); err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, map[string]string{"message": "Transcoding retry triggered", "mediaId": id.String()})
}

// transcodeStatus answers {"data": {...}}, once wrapped (the reference
// wrapped it twice, Oddity 14).
func (s *Server) transcodeStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	st, err := s.c.Transcoding().Status(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, st)
}

// transcodeWebhook verifies the signature over the raw body before
// parsing anything, then records the outcome. Stale callbacks (the item
// moved on) are acknowledged like any other, so the worker does not retry
// them.
func (s *Server) transcodeWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := rawBody(r)
	if err != nil {
		return err
	}
	svc := s.c.Transcoding()
	if err := svc.VerifyCallback(r.Header, body); err != nil {
		return err
	}
	cb, err := transcode.ParseCallback(body)
	if err != nil {
		return err
	}
	if err := svc.HandleCallback(r.Context(), cb); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"received": true})
}
