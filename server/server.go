// Package server exposes a Codex platform over HTTP: the eight surfaces of
// the reference platform (auth, content-api, organization-api, ecom-api,
// admin-api, identity-api, notifications-api, media-api), with the envelopes,
// error mapping, health checks and middleware they share.
//
// A handler built here is a plain http.Handler:
//
//	srv := server.New(c)
//	http.ListenAndServe(":8080", srv.Handler())                 // every surface
//	mux.Handle("/", srv.Handler(server.Content))                 // one surface
//
// Every response, errors and CORS preflight included, carries X-Request-ID
// and the security headers. Errors are written as
// {"error":{"code","message","details"?}} with the status of their
// fault.Kind; the cause is logged with the request id, never sent.
package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/fault"
)

// DefaultHealthTimeout bounds each health check.
const DefaultHealthTimeout = 2 * time.Second

// Server builds the HTTP handlers of one platform. It holds no per-request
// state; build it once and call Handler as often as needed.
type Server struct {
	c             *codex.Codex
	log           *slog.Logger
	healthTimeout time.Duration
	metrics       *metrics
}

// Option configures a Server.
type Option func(*Server)

// WithHealthTimeout bounds each health check (default 2 s).
func WithHealthTimeout(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.healthTimeout = d
		}
	}
}

// New returns a Server for c.
func New(c *codex.Codex, opts ...Option) *Server {
	s := &Server{c: c, log: c.Logger(), healthTimeout: DefaultHealthTimeout}
	for _, o := range opts {
		o(s)
	}
	s.metrics = newMetrics(s)
	return s
}

// Handler returns the named surfaces on one http.Handler, wrapped in the
// shared middleware; no arguments means every surface. With exactly one
// surface, /health answers for that surface, as it would on its own port.
// With several, /health reports service "codex" over all their checks and
// /health/<surface> answers for each one. It panics on a surface not in Surfaces (a programming
// error; use ParseSurface for user input).
func (s *Server) Handler(only ...Surface) http.Handler {
	return s.handler(only, nil)
}

// handler is Handler with extra routes registered on the first surface's
// router (tests use it to add handlers that panic or fail).
func (s *Server) handler(only []Surface, extra func(*router)) http.Handler {
	h, _ := s.build(only, extra)
	return h
}

// Route is one registered method and httprouter pattern
// ("/api/content/:id").
type Route struct{ Method, Path string }

// Routes lists every route Handler() registers, in registration order. Some
// surfaces register shapes ("/api/templates/:p1/:p2") that they dispatch
// themselves; those appear as registered, not as the routes they stand for.
// The OpenAPI test compares this table with the document both ways.
func (s *Server) Routes() []Route {
	_, routes := s.build(nil, nil)
	return routes
}

func (s *Server) build(only []Surface, extra func(*router)) (http.Handler, []Route) {
	if len(only) == 0 {
		only = Surfaces()
	}
	hr := httprouter.New()
	// An API answers the path it was asked; redirects would hide client bugs
	// and turn a POST into a GET in some clients.
	hr.RedirectTrailingSlash = false
	hr.RedirectFixedPath = false
	hr.HandleMethodNotAllowed = true
	hr.NotFound = http.HandlerFunc(notFound)
	hr.MethodNotAllowed = http.HandlerFunc(methodNotAllowed)

	seen := map[Surface]bool{}
	var routers []*router
	var routes []Route
	for _, sf := range only {
		mount := sf.mount()
		if mount == nil {
			panic(fmt.Sprintf("server: unknown surface %q", sf))
		}
		if seen[sf] {
			continue
		}
		seen[sf] = true
		rt := &router{srv: s, hr: hr, surface: sf, checks: []check{s.databaseCheck()}, routes: &routes}
		mount(rt)
		routers = append(routers, rt)
	}

	if extra != nil {
		extra(routers[0])
	}
	if len(routers) == 1 {
		routers[0].handleHealth("/health", string(routers[0].surface), routers[0].checks)
	} else {
		var all []check
		have := map[string]bool{}
		for _, rt := range routers {
			rt.handleHealth("/health/"+string(rt.surface), string(rt.surface), rt.checks)
			for _, c := range rt.checks {
				if !have[c.name] {
					have[c.name] = true
					all = append(all, c)
				}
			}
		}
		routers[0].handleHealth("/health", "codex", all)
	}
	routers[0].handle("GET", "/metrics", s.serveMetrics)
	routers[0].handle("GET", "/openapi.json", serveOpenAPI)
	return s.middleware(hr), routes
}

// HandlerFunc is a route handler. A returned error is written with
// WriteError, so handlers end with `return WriteData(...)` or
// `return err`.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// RouteOption adjusts one route.
type RouteOption func(*routeConfig)

type routeConfig struct {
	maxBody   int64
	rateLimit string
}

// MaxBodyBytes lets a route accept bodies up to n bytes instead of
// Config.MaxBodyBytes (uploads, for instance).
func MaxBodyBytes(n int64) RouteOption {
	return func(rc *routeConfig) { rc.maxBody = n }
}

// router is what a surface's mount function registers its routes on.
type router struct {
	srv     *Server
	hr      *httprouter.Router
	surface Surface
	// checks are what this surface's /health probes.
	checks []check
	// routes collects what handle registers, shared by every router of
	// one handler.
	routes *[]Route
}

// handle registers h for method and path (httprouter syntax: /api/content/:id).
func (rt *router) handle(method, path string, h HandlerFunc, opts ...RouteOption) {
	var rc routeConfig
	for _, o := range opts {
		o(&rc)
	}
	if rt.routes != nil {
		*rt.routes = append(*rt.routes, Route{method, path})
	}
	rt.hr.Handle(method, path, func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = path
		}
		if rc.maxBody > 0 {
			widenBody(w, r, rc.maxBody)
		}
		if len(ps) > 0 {
			r = r.WithContext(withParams(r.Context(), ps))
		}
		if rc.rateLimit != "" {
			if err := rt.srv.routeLimit(w, r, rc.rateLimit, method+" "+path); err != nil {
				WriteError(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	WriteError(w, r, fault.New(fault.NotFound, fault.CodeNotFound, "The requested resource was not found"))
}

// methodNotAllowed answers when the path exists under other methods;
// httprouter has already set the Allow header.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeErrorBody(w, http.StatusMethodNotAllowed, fault.CodeMethodNotAllowed, "Method not allowed", nil)
}
