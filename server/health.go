package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/codexforgo/codex"
)

// check is one dependency a surface's /health probes. failure is the text
// shown to clients; the driver's own error goes to the log only.
type check struct {
	name    string
	failure string
	ping    func(context.Context) error
}

func (s *Server) databaseCheck() check {
	return check{name: "database", failure: "database unreachable", ping: s.c.Store().Ping}
}

func (s *Server) blobsCheck() check {
	return check{name: "blobs", failure: "blob storage unreachable", ping: s.c.Blobs().Ping}
}

// addCheck makes the surface's /health probe c as well.
func (rt *router) addCheck(c check) { rt.checks = append(rt.checks, c) }

type checkResult struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

type healthReport struct {
	Status    string                 `json:"status"`
	Service   string                 `json:"service"`
	Version   string                 `json:"version"`
	Timestamp string                 `json:"timestamp"`
	Checks    map[string]checkResult `json:"checks"`
}

// handleHealth answers GET and HEAD on path with the reference's health
// report: 200 when every check passes, 503 naming the failed checks.
func (rt *router) handleHealth(path, service string, checks []check) {
	h := func(w http.ResponseWriter, r *http.Request) error {
		report := rt.srv.health(r.Context(), service, checks)
		status := http.StatusOK
		if report.Status != "healthy" {
			status = http.StatusServiceUnavailable
		}
		// Probes must see the current state, not a cached one.
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", contentTypeJSON)
			w.WriteHeader(status)
			return nil
		}
		return writeJSON(w, status, report)
	}
	rt.handle(http.MethodGet, path, h)
	rt.handle(http.MethodHead, path, h)
}

// health runs checks concurrently, each under the health timeout.
func (s *Server) health(ctx context.Context, service string, checks []check) healthReport {
	report := healthReport{
		Status:    "healthy",
		Service:   service,
		Version:   codex.Version,
		Timestamp: time.Now().UTC().Format(time.RFC3339),
		Checks:    make(map[string]checkResult, len(checks)),
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, s.healthTimeout)
			defer cancel()
			err := c.ping(cctx)
			res := checkResult{Status: "ok"}
			if err != nil {
				res = checkResult{Status: "error", Message: c.failure}
				logger(ctx).LogAttrs(ctx, slog.LevelWarn, "health check failed",
					slog.String("check", c.name), slog.String("error", err.Error()))
			}
			mu.Lock()
			defer mu.Unlock()
			report.Checks[c.name] = res
			if err != nil {
				report.Status = "unhealthy"
			}
		})
	}
	wg.Wait()
	return report
}
