package server

import (
	"fmt"
	"net/http"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/ratelimit"
)

// RateLimit makes a route enforce the named reference preset ("auth",
// "api", "streaming", "strict", "webhook", "web"), keyed by the signed-in
// user or else the client address, per route.
func RateLimit(preset string) RouteOption {
	return func(rc *routeConfig) { rc.rateLimit = preset }
}

// limit applies a preset to key and writes the X-RateLimit-* headers. It
// returns a RateLimited error when the request must be refused, and an
// Unavailable one when a fail-closed preset cannot reach its store.
// Only the route's own limit reports X-RateLimit-* on every response (quiet
// = false); an additional limit such as the per-account one stays quiet
// unless it refuses.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, preset ratelimit.Preset, key string, quiet bool) error {
	res, err := s.c.RateLimiter().Allow(r.Context(), preset, key)
	if err != nil {
		logger(r.Context()).Warn("rate limit store failed", "preset", preset.Name, "err", err)
		if !res.Allowed {
			return fault.Unavailablef(err, "Rate limiting is unavailable; try again shortly")
		}
	}
	if res.Allowed && quiet {
		return nil
	}
	for k, v := range res.Headers() {
		w.Header().Set(k, v)
	}
	if res.Allowed {
		return nil
	}
	n := res.RetryAfterSeconds()
	e := fault.New(fault.RateLimited, fault.CodeRateLimited, fmt.Sprintf("Rate limit exceeded. Try again in %d seconds.", n))
	e.Details = map[string]int64{"retryAfter": n}
	return e
}

// routeLimit applies the route's declared preset.
func (s *Server) routeLimit(w http.ResponseWriter, r *http.Request, preset, route string) error {
	key := "ip:" + ClientIP(r.Context())
	if a := Actor(r); a.Authenticated() {
		key = "user:" + a.UserID
	}
	return s.limit(w, r, s.c.RateLimit(preset), key+":"+route, false)
}
