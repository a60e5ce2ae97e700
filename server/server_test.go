package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

func assertSecurityHeaders(is *is.I, h http.Header) {
	is.Helper()
	is.Equal(h.Get("X-Frame-Options"), "DENY")
	is.Equal(h.Get("X-Content-Type-Options"), "nosniff")
	is.Equal(h.Get("Referrer-Policy"), "strict-origin-when-cross-origin")
	is.Equal(h.Get("Permissions-Policy"), "geolocation=(), microphone=(), camera=(), payment=()")
	is.Equal(h.Get("Content-Security-Policy"), CSPAPI)
}

func TestUnknownRouteIs404Envelope(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	res := do(t, env.srv.Handler(), "GET", "/api/nope?x=1", nil)

	is.Equal(res.StatusCode, http.StatusNotFound)
	is.Equal(strings.TrimSpace(string(res.body)),
		`{"error":{"code":"NOT_FOUND","message":"The requested resource was not found"}}`)
	is.Equal(res.Header.Get("Content-Type"), "application/json; charset=utf-8")
	_, err := uuid.Parse(res.Header.Get("X-Request-ID"))
	is.NoErr(err) // a generated request id
	assertSecurityHeaders(is, res.Header)
	is.Equal(res.Header.Get("Strict-Transport-Security"), "") // HSTS only in production
}

func TestNoTrailingSlashRedirect(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	res := do(t, env.srv.Handler(Auth), "GET", "/health/", nil)
	is.Equal(res.StatusCode, http.StatusNotFound)
}

func TestMethodNotAllowed(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	res := do(t, env.srv.Handler(Identity), "POST", "/health", nil)

	is.Equal(res.StatusCode, http.StatusMethodNotAllowed)
	is.Equal(res.errorBody(t)["code"], "METHOD_NOT_ALLOWED")
	allow := res.Header.Get("Allow")
	is.True(strings.Contains(allow, "GET"))  // Allow lists GET
	is.True(strings.Contains(allow, "HEAD")) // and HEAD
	is.True(res.Header.Get("X-Request-ID") != "")
}

func TestHSTSInProduction(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{Production: true})
	res := do(t, env.srv.Handler(), "GET", "/health", nil)
	is.Equal(res.Header.Get("Strict-Transport-Security"), "max-age=31536000; includeSubDomains")
}

func TestRequestID(t *testing.T) {
	env := newEnv(t, codex.Config{})
	h := env.srv.Handler()
	for _, tc := range []struct {
		name, in string
		kept     bool
	}{
		{"valid", "client-123.A_b", true},
		{"64 chars", strings.Repeat("a", 64), true},
		{"65 chars", strings.Repeat("a", 65), false},
		{"newline", "abc\ninjected", false},
		{"space", "abc def", false},
		{"missing", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			res := do(t, h, "GET", "/nowhere", nil, "X-Request-ID", tc.in)
			got := res.Header.Get("X-Request-ID")
			if tc.kept {
				is.Equal(got, tc.in)
				return
			}
			id, err := uuid.Parse(got)
			is.NoErr(err)                           // replaced by a UUID
			is.Equal(id.Version(), uuid.Version(4)) // v4
		})
	}
}

func TestRecoverHidesPanic(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/panic", func(w http.ResponseWriter, r *http.Request) error {
			panic("database password is hunter2")
		})
	})

	res := do(t, h, "GET", "/test/panic", nil, "X-Request-ID", "panic-1")
	is.Equal(res.StatusCode, http.StatusInternalServerError)
	is.Equal(strings.TrimSpace(string(res.body)),
		`{"error":{"code":"INTERNAL_ERROR","message":"An unexpected error occurred"}}`)
	is.Equal(res.Header.Get("X-Request-ID"), "panic-1")
	assertSecurityHeaders(is, res.Header)

	var panicLog, accessLog map[string]any
	for _, l := range env.log.lines(t) {
		switch l["msg"] {
		case "panic serving request":
			panicLog = l
		case "request":
			accessLog = l
		}
	}
	is.True(panicLog != nil) // the panic is logged
	is.Equal(panicLog["request_id"], "panic-1")
	is.True(strings.Contains(panicLog["stack"].(string), "TestRecoverHidesPanic")) // stack reaches the handler
	is.True(accessLog != nil)
	is.Equal(accessLog["status"], float64(500))

	// The server keeps serving.
	is.Equal(do(t, h, "GET", "/health", nil).StatusCode, http.StatusOK)
}

func TestCORS(t *testing.T) {
	const app = "https://app.example.com"
	env := newEnv(t, codex.Config{AllowedOrigins: []string{app}})
	h := env.srv.Handler()

	t.Run("allowed origin echoed", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "GET", "/health", nil, "Origin", app)
		is.Equal(res.StatusCode, http.StatusOK)
		is.Equal(res.Header.Get("Access-Control-Allow-Origin"), app)
		is.Equal(res.Header.Get("Access-Control-Allow-Credentials"), "true")
		is.True(strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin"))
	})
	t.Run("foreign origin gets no ACAO", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "GET", "/health", nil, "Origin", "https://evil.example")
		is.Equal(res.StatusCode, http.StatusOK)
		_, set := res.Header["Access-Control-Allow-Origin"]
		is.True(!set) // no ACAO header at all
		is.Equal(res.Header.Get("Access-Control-Allow-Credentials"), "")
		is.True(strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin"))
	})
	t.Run("no origin gets no ACAO", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "GET", "/health", nil)
		_, set := res.Header["Access-Control-Allow-Origin"]
		is.True(!set)
	})
	t.Run("preflight", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "OPTIONS", "/api/content", nil,
			"Origin", app, "Access-Control-Request-Method", "POST", "X-Request-ID", "pre-1")
		is.Equal(res.StatusCode, http.StatusNoContent)
		is.Equal(len(res.body), 0)
		is.Equal(res.Header.Get("Access-Control-Allow-Origin"), app)
		is.Equal(res.Header.Get("Access-Control-Allow-Methods"), "GET,POST,PUT,PATCH,DELETE,OPTIONS")
		is.Equal(res.Header.Get("Access-Control-Allow-Headers"), "Content-Type,Authorization,X-Request-ID")
		is.Equal(res.Header.Get("Access-Control-Max-Age"), "86400")
		is.Equal(res.Header.Get("Access-Control-Allow-Credentials"), "true")
		is.Equal(res.Header.Get("X-Request-ID"), "pre-1")
		assertSecurityHeaders(is, res.Header)
	})
	t.Run("preflight from foreign origin", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "OPTIONS", "/api/content", nil,
			"Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
		is.Equal(res.StatusCode, http.StatusNoContent)
		_, set := res.Header["Access-Control-Allow-Origin"]
		is.True(!set)
		is.Equal(res.Header.Get("Access-Control-Allow-Methods"), "")
	})
}

func TestAccessLog(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	h := env.srv.handler([]Surface{Content}, func(r *router) {
		r.handle("GET", "/test/items/:id", func(w http.ResponseWriter, r *http.Request) error {
			return WriteData(w, http.StatusOK, "hello")
		})
	})
	res := do(t, h, "GET", "/test/items/42?token=qsecret", nil,
		"Authorization", "Bearer hsecret", "Cookie", "codex-session=csecret",
		"User-Agent", "test-agent/1.0", "X-Request-ID", "log-1")
	is.Equal(res.StatusCode, http.StatusOK)

	var line map[string]any
	for _, l := range env.log.lines(t) {
		if l["msg"] == "request" {
			line = l
		}
	}
	is.True(line != nil) // one access log line
	is.Equal(line["level"], "INFO")
	is.Equal(line["request_id"], "log-1")
	is.Equal(line["method"], "GET")
	is.Equal(line["path"], "/test/items/42")
	is.Equal(line["route"], "/test/items/:id")
	is.Equal(line["status"], float64(200))
	is.Equal(line["bytes"], float64(len(res.body)))
	is.Equal(line["client_ip"], "192.0.2.1") // httptest's peer address
	is.Equal(line["user_agent"], "test-agent/1.0")
	_, ok := line["duration_ms"].(float64)
	is.True(ok)
	for _, secret := range []string{"qsecret", "hsecret", "csecret"} {
		is.True(!strings.Contains(env.log.String(), secret)) // no query, auth header or cookie in logs
	}
}

func TestClientIPFromTrustedProxy(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{TrustedProxies: []string{"192.0.2.0/24"}})
	var got string
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/ip", func(w http.ResponseWriter, r *http.Request) error {
			got = ClientIP(r.Context())
			return WriteData(w, http.StatusNoContent, nil)
		})
	})
	// The client claims 6.6.6.6; our proxy (192.0.2.1) saw 203.0.113.9.
	do(t, h, "GET", "/test/ip", nil, "X-Forwarded-For", "6.6.6.6, 203.0.113.9")
	is.Equal(got, "203.0.113.9")

	env = newEnv(t, codex.Config{})
	h = env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/ip", func(w http.ResponseWriter, r *http.Request) error {
			got = ClientIP(r.Context())
			return WriteData(w, http.StatusNoContent, nil)
		})
	})
	do(t, h, "GET", "/test/ip", nil, "X-Forwarded-For", "6.6.6.6")
	is.Equal(got, "192.0.2.1") // an untrusted peer cannot choose its address
}

func TestErrorMapping(t *testing.T) {
	env := newEnv(t, codex.Config{})
	var fail error
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/fail", func(w http.ResponseWriter, r *http.Request) error { return fail })
	})
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		code    string
		message string
		details bool
	}{
		{"plain error is internal", errors.New("pq: relation users does not exist"),
			500, "INTERNAL_ERROR", "An unexpected error occurred", false},
		{"internal details dropped", fault.Internalf(errors.New("s3 key media/x"), "signing").WithDetails(map[string]string{"key": "media/x"}),
			500, "INTERNAL_ERROR", "An unexpected error occurred", false},
		{"not found keeps details", fault.NotFoundf(fault.CodeContentNotFound, "Content not found").WithDetails(map[string]string{"contentId": "c1"}),
			404, "CONTENT_NOT_FOUND", "Content not found", true},
		{"wrapped fault", fmt.Errorf("service: %w", fault.Conflictf("", "Slug taken")),
			409, "CONFLICT", "Slug taken", false},
		{"unavailable", fault.Unavailablef(errors.New("dial tcp: connection refused"), "Database unavailable"),
			503, "SERVICE_UNAVAILABLE", "Database unavailable", false},
		{"wrapped unavailable", fmt.Errorf("list content: %w", fault.Unavailablef(errors.New("timeout"), "Service temporarily unavailable")),
			503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := is.New(t)
			fail = tc.err
			res := do(t, h, "GET", "/test/fail", nil)
			is.Equal(res.StatusCode, tc.status)
			e := res.errorBody(t)
			is.Equal(e["code"], tc.code)
			is.Equal(e["message"], tc.message)
			_, hasDetails := e["details"]
			is.Equal(hasDetails, tc.details)
			is.True(!strings.Contains(string(res.body), "refused")) // causes never reach the client
			is.True(!strings.Contains(string(res.body), "relation"))
			is.True(res.Header.Get("X-Request-ID") != "")
		})
	}
}

// A dependency outage is a 503 for the request that hit it, and the process
// keeps serving everything else.
func TestUnavailableKeepsServing(t *testing.T) {
	is := is.New(t)
	env := newEnv(t, codex.Config{})
	h := env.srv.handler(nil, func(r *router) {
		r.handle("GET", "/test/db", func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("load: %w", fault.Unavailablef(errors.New("connection refused"), "Database unavailable"))
		})
	})
	for range 3 {
		res := do(t, h, "GET", "/test/db", nil, "X-Request-ID", "outage-1")
		is.Equal(res.StatusCode, http.StatusServiceUnavailable)
		is.Equal(res.errorBody(t)["code"], "SERVICE_UNAVAILABLE")
	}
	is.Equal(do(t, h, "GET", "/health", nil).StatusCode, http.StatusOK)

	// The cause is logged at error level with the request id.
	found := false
	for _, l := range env.log.lines(t) {
		if l["msg"] == "request failed" && l["request_id"] == "outage-1" {
			found = true
			is.Equal(l["level"], "ERROR")
			is.True(strings.Contains(l["error"].(string), "connection refused"))
		}
	}
	is.True(found)
}

func TestWriteData(t *testing.T) {
	env := newEnv(t, codex.Config{})
	h := env.srv.handler(nil, func(r *router) {
		r.handle("POST", "/test/created", func(w http.ResponseWriter, r *http.Request) error {
			return WriteData(w, http.StatusCreated, map[string]any{"id": "x", "n": 1})
		})
		r.handle("DELETE", "/test/gone", func(w http.ResponseWriter, r *http.Request) error {
			return WriteData(w, http.StatusNoContent, map[string]any{"ignored": true})
		})
		r.handle("GET", "/test/null", func(w http.ResponseWriter, r *http.Request) error {
			return WriteData(w, http.StatusOK, nil)
		})
		r.handle("GET", "/test/unencodable", func(w http.ResponseWriter, r *http.Request) error {
			return WriteData(w, http.StatusOK, func() {})
		})
	})
	t.Run("201", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "POST", "/test/created", nil)
		is.Equal(res.StatusCode, http.StatusCreated)
		is.Equal(strings.TrimSpace(string(res.body)), `{"data":{"id":"x","n":1}}`)
		is.Equal(res.Header.Get("Content-Type"), "application/json; charset=utf-8")
	})
	t.Run("204 has no body", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "DELETE", "/test/gone", nil)
		is.Equal(res.StatusCode, http.StatusNoContent)
		is.Equal(len(res.body), 0)
	})
	t.Run("null", func(t *testing.T) {
		is := is.New(t)
		is.Equal(strings.TrimSpace(string(do(t, h, "GET", "/test/null", nil).body)), `{"data":null}`)
	})
	t.Run("unencodable is a 500", func(t *testing.T) {
		is := is.New(t)
		res := do(t, h, "GET", "/test/unencodable", nil)
		is.Equal(res.StatusCode, http.StatusInternalServerError)
		is.Equal(res.errorBody(t)["code"], "INTERNAL_ERROR")
	})
}

func TestSurfaces(t *testing.T) {
	is := is.New(t)
	want := map[Surface]int{
		"auth": 42069, "content-api": 4001, "organization-api": 42071, "ecom-api": 42072,
		"admin-api": 42073, "identity-api": 42074, "notifications-api": 42075, "media-api": 4002,
	}
	is.Equal(len(Surfaces()), 8)
	for _, s := range Surfaces() {
		is.Equal(s.Port(), want[s])
		p, err := ParseSurface(string(s))
		is.NoErr(err)
		is.Equal(p, s)
	}
	_, err := ParseSurface("content")
	is.True(err != nil)
	is.Equal(Media.Addr(), ":4002")
}

func TestPaginationMath(t *testing.T) {
	is := is.New(t)
	is.Equal(NewPagination(store.Page{Page: 1, Limit: 20}, 0), Pagination{Page: 1, Limit: 20, Total: 0, TotalPages: 0})
	is.Equal(NewPagination(store.Page{Page: 2, Limit: 20}, 145), Pagination{Page: 2, Limit: 20, Total: 145, TotalPages: 8})
	is.Equal(NewPagination(store.Page{Page: 1, Limit: 5}, 10), Pagination{Page: 1, Limit: 5, Total: 10, TotalPages: 2})
	is.Equal(NewPagination(store.Page{Page: 1, Limit: 1}, 1), Pagination{Page: 1, Limit: 1, Total: 1, TotalPages: 1})
}
