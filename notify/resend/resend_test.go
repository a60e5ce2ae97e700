package resend_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/notify/resend"
)

type fakeResend struct {
	mu       sync.Mutex
	status   []int // answers in order; then 200
	requests []map[string]any
	headers  []http.Header
}

func (f *fakeResend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/emails" {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	f.requests = append(f.requests, body)
	f.headers = append(f.headers, r.Header.Clone())
	status := http.StatusOK
	if len(f.status) > 0 {
		status, f.status = f.status[0], f.status[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status == http.StatusOK {
		_, _ = w.Write([]byte(`{"id":"re_123"}`))
		return
	}
	_, _ = w.Write([]byte(`{"name":"validation_error","message":"The from address is not verified"}`))
}

func TestSendPostsEmail(t *testing.T) {
	is := is.New(t)
	f := &fakeResend{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	m, err := resend.New(resend.Config{APIKey: "re_test_key", BaseURL: srv.URL, From: "Codex <noreply@codex.test>"})
	is.NoErr(err)

	err = m.Send(context.Background(), notify.Message{
		ID: "log-1", To: "ada@example.com", Subject: "Hi", HTML: "<p>Hi</p>", Text: "Hi", Tag: "purchase-receipt",
		Headers: map[string]string{"List-Unsubscribe": "<https://x/u>"},
	})
	is.NoErr(err)
	is.Equal(len(f.requests), 1)
	req, h := f.requests[0], f.headers[0]
	is.Equal(h.Get("Authorization"), "Bearer re_test_key")
	is.Equal(h.Get("Idempotency-Key"), "log-1") // retries cannot send twice
	is.Equal(req["from"], "Codex <noreply@codex.test>")
	is.Equal(req["to"], []any{"ada@example.com"})
	is.Equal(req["subject"], "Hi")
	is.Equal(req["html"], "<p>Hi</p>")
	is.Equal(req["text"], "Hi")
	is.Equal(req["headers"], map[string]any{"List-Unsubscribe": "<https://x/u>"})
}

func TestErrorsClassified(t *testing.T) {
	is := is.New(t)
	f := &fakeResend{status: []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusUnprocessableEntity}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	m, err := resend.New(resend.Config{APIKey: "k", BaseURL: srv.URL, From: "noreply@codex.test"})
	is.NoErr(err)
	msg := notify.Message{To: "ada@example.com", Subject: "s", Text: "t"}

	err = m.Send(context.Background(), msg)
	is.True(err != nil && !notify.IsPermanent(err)) // 429: retry later
	err = m.Send(context.Background(), msg)
	is.True(err != nil && !notify.IsPermanent(err)) // 500: retry later
	err = m.Send(context.Background(), msg)
	is.True(notify.IsPermanent(err)) // 422: retrying cannot help
	is.NoErr(m.Send(context.Background(), msg))
}

func TestUnreachableIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	m, _ := resend.New(resend.Config{APIKey: "k", BaseURL: url})
	err := m.Send(context.Background(), notify.Message{To: "ada@example.com", Subject: "s", Text: "t"})
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("got %v, want a transient error", err)
	}
}
