package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex"
)

func TestHealthEverySurfaceAlone(t *testing.T) {
	env := newEnv(t, codex.Config{})
	for _, s := range Surfaces() {
		t.Run(string(s), func(t *testing.T) {
			is := is.New(t)
			h := env.srv.Handler(s)
			res := do(t, h, "GET", "/health", nil)
			is.Equal(res.StatusCode, http.StatusOK)
			body := res.json(t)
			is.Equal(body["status"], "healthy")
			is.Equal(body["service"], string(s))
			is.Equal(body["version"], codex.Version)
			_, err := time.Parse(time.RFC3339, body["timestamp"].(string))
			is.NoErr(err)
			checks := body["checks"].(map[string]any)
			is.Equal(checks["database"], map[string]any{"status": "ok"})
			if s == Content {
				is.Equal(checks["blobs"], map[string]any{"status": "ok"})
			} else {
				is.Equal(len(checks), 1)
			}

			head := do(t, h, "HEAD", "/health", nil)
			is.Equal(head.StatusCode, http.StatusOK)
			is.Equal(len(head.body), 0)

			// Alone, a surface has no /health/<name> and no other surface's routes.
			is.Equal(do(t, h, "GET", "/health/"+string(s), nil).StatusCode, http.StatusNotFound)
		})
	}
}

func TestHealthAllSurfacesTogether(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	h := env.srv.Handler()

	res := do(t, h, "GET", "/health", nil)
	is.Equal(res.StatusCode, http.StatusOK)
	body := res.json(t)
	is.Equal(body["service"], "codex")
	is.Equal(body["status"], "healthy")
	is.Equal(body["checks"], map[string]any{
		"database": map[string]any{"status": "ok"},
		"blobs":    map[string]any{"status": "ok"},
	})
	for _, s := range Surfaces() {
		res := do(t, h, "GET", "/health/"+string(s), nil)
		is.Equal(res.StatusCode, http.StatusOK)
		is.Equal(res.json(t)["service"], string(s))
		is.Equal(do(t, h, "HEAD", "/health/"+string(s), nil).StatusCode, http.StatusOK)
	}
}

func TestHealthReportsDatabaseOutage(t *testing.T) {
	is := is.New(t)
	db := newFlakyStore(t)
	env := newEnv(t, codex.Config{Store: db})
	for _, h := range []http.Handler{env.srv.Handler(), env.srv.Handler(Auth), env.srv.Handler(Content)} {
		db.down.Store(true)
		res := do(t, h, "GET", "/health", nil, "X-Request-ID", "health-1")
		is.Equal(res.StatusCode, http.StatusServiceUnavailable)
		body := res.json(t)
		is.Equal(body["status"], "unhealthy")
		checks := body["checks"].(map[string]any)
		is.Equal(checks["database"], map[string]any{"status": "error", "message": "database unreachable"})
		is.True(!strings.Contains(string(res.body), "refused")) // the driver error stays in the logs
		is.Equal(do(t, h, "HEAD", "/health", nil).StatusCode, http.StatusServiceUnavailable)

		db.down.Store(false)
		res = do(t, h, "GET", "/health", nil)
		is.Equal(res.StatusCode, http.StatusOK)
		is.Equal(res.json(t)["status"], "healthy")
	}
	is.True(strings.Contains(env.log.String(), "connection refused")) // logged for operators
	is.True(strings.Contains(env.log.String(), `"request_id":"health-1"`))
}

// hangingStore never answers Ping until its context ends.
type hangingStore struct{ *flakyStore }

func (h hangingStore) Ping(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestHealthCheckTimesOut(t *testing.T) {
	is := is.New(t)
	db := hangingStore{newFlakyStore(t)}
	env := newEnv(t, codex.Config{Store: db})
	srv := New(env.c, WithHealthTimeout(50*time.Millisecond))
	res := do(t, srv.Handler(Identity), "GET", "/health", nil)
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	is.Equal(res.json(t)["checks"].(map[string]any)["database"].(map[string]any)["status"], "error")
}
