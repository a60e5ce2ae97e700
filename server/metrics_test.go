package server

import (
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex"
)

func TestMetricsCountRequestsByRoute(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler()
	do(t, h, "GET", "/health", nil)
	do(t, h, "GET", "/no/such/route", nil)
	res := do(t, h, "GET", "/metrics", nil)
	is.Equal(res.StatusCode, 200)
	body := string(res.body)
	is.True(strings.Contains(body, `codex_http_requests_total{method="GET",route="/health",status="200"} 1`))
	is.True(strings.Contains(body, `codex_http_requests_total{method="GET",route="unmatched",status="404"} 1`))
	is.True(strings.Contains(body, `codex_http_request_duration_seconds_bucket`))
	for _, g := range []string{"codex_email_queue_pending 0", "codex_transcode_jobs_queued 0", "codex_transcode_jobs_running 0"} {
		is.True(strings.Contains(body, g)) // queue gauges
	}
}

func TestMetricsToken(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{MetricsToken: "scrape-secret"})
	h := e.srv.Handler()
	is.Equal(do(t, h, "GET", "/metrics", nil).StatusCode, 401)
	is.Equal(do(t, h, "GET", "/metrics", nil, "Authorization", "Bearer wrong").StatusCode, 401)
	is.Equal(do(t, h, "GET", "/metrics", nil, "Authorization", "Bearer scrape-secret").StatusCode, 200)
}
