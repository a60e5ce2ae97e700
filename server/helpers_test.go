package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/logging"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// syncBuffer is a log sink safe for concurrent writers and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes every JSON log line written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// flakyStore is a working store whose Ping can be made to fail, like a
// database that went away.
type flakyStore struct {
	store.Store
	down atomic.Bool
}

func (f *flakyStore) Ping(ctx context.Context) error {
	if f.down.Load() {
		return errors.New("dial tcp 10.1.2.3:5432: connect: connection refused")
	}
	return f.Store.Ping(ctx)
}

type testEnv struct {
	c   *codex.Codex
	srv *Server
	log *syncBuffer
}

// newEnv builds a platform on the embedded defaults with logs captured.
func newEnv(t *testing.T, cfg codex.Config) *testEnv {
	t.Helper()
	logs := &syncBuffer{}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Logger = logging.NewJSON(logs, slog.LevelDebug)
	c, err := codex.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &testEnv{c: c, srv: New(c), log: logs}
}

func newFlakyStore(t *testing.T) *flakyStore {
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	return &flakyStore{Store: m}
}

type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, r.body)
	}
	return m
}

// errorBody returns the "error" object of an error envelope.
func (r response) errorBody(t *testing.T) map[string]any {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %s", r.body)
	}
	return e
}

// fields returns the details of a validation error as path → message.
func (r response) fields(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	details, _ := r.errorBody(t)["details"].([]any)
	for _, d := range details {
		f := d.(map[string]any)
		out[f["path"].(string)] = f["message"].(string)
	}
	return out
}

func do(t *testing.T, h http.Handler, method, target string, body io.Reader, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return response{res, b}
}
