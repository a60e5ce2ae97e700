package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "codex-session"

// sessionCookieNames are read in order; the __Secure- form is what a
// deployment behind HTTPS with the prefix convention would send.
var sessionCookieNames = []string{SessionCookie, "__Secure-" + SessionCookie}

// sessionToken returns the token of the request: a bearer token in
// Authorization wins over the cookie. fromCookie says where it came from.
func sessionToken(r *http.Request) (token string, fromCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
	}
	for _, name := range sessionCookieNames {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			v, err := url.QueryUnescape(c.Value)
			if err != nil {
				v = c.Value
			}
			return v, true
		}
	}
	return "", false
}

// hasSessionCookie reports whether the browser sent a session cookie: the
// condition under which a cross-site request could ride on it.
func hasSessionCookie(r *http.Request) bool {
	for _, name := range sessionCookieNames {
		if _, err := r.Cookie(name); err == nil {
			return true
		}
	}
	return false
}

// Actor returns who is making the request: the signed-in user, or nil for
// an anonymous request. Services enforce what the actor may do.
func Actor(r *http.Request) *actor.Actor { return actor.FromContext(r.Context()) }

var (
	errMissingOrigin = fault.New(fault.Forbidden, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin")
	errInvalidOrigin = fault.New(fault.Forbidden, "INVALID_ORIGIN", "Invalid origin")
)

// authenticate resolves the session token into an actor for every surface,
// and refuses cross-site writes that carry the session cookie (CSRF).
func (s *Server) authenticate(next http.Handler) http.Handler {
	allowed := s.c.Config().AllowedOrigins
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unsafeMethod(r.Method) && hasSessionCookie(r) {
			if err := checkOrigin(r, allowed); err != nil {
				WriteError(w, r, err)
				return
			}
		}
		token, _ := sessionToken(r)
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		a, err := s.c.Auth().Authenticate(r.Context(), token)
		switch {
		case err == nil:
			if info := infoFrom(r.Context()); info != nil {
				info.userID = a.UserID
			}
			r = r.WithContext(actor.NewContext(r.Context(), a))
		case errors.Is(err, fault.Unauthenticated):
			// A stale or forged token is an anonymous request; routes
			// that need a user answer 401 themselves.
		default:
			// The session store is down: answering as anonymous would
			// turn an outage into a wave of 401s and sign-outs.
			WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// checkOrigin accepts a request whose Origin (or, failing that, Referer)
// is one of the allowed origins.
func checkOrigin(r *http.Request, allowed []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return errMissingOrigin
		}
		u, err := url.Parse(ref)
		if err != nil || u.Host == "" {
			return errInvalidOrigin
		}
		origin = u.Scheme + "://" + u.Host
	}
	if !slices.Contains(allowed, strings.ToLower(origin)) {
		return errInvalidOrigin
	}
	return nil
}

// setSessionCookie hands the browser its session token.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge time.Duration) {
	cfg := s.c.Config()
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		Domain:   cfg.CookieDomain,
		MaxAge:   int(maxAge.Seconds()),
		HttpOnly: true,
		Secure:   secureCookies(cfg.PublicURL),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	cfg := s.c.Config()
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", Domain: cfg.CookieDomain, MaxAge: -1,
		HttpOnly: true, Secure: secureCookies(cfg.PublicURL), SameSite: http.SameSiteLaxMode,
	})
}

// secureCookies is true except for plain-http localhost development, where a
// Secure cookie would never be sent back.
func secureCookies(publicURL string) bool {
	u, err := url.Parse(publicURL)
	if err != nil {
		return true
	}
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	return !(h == "localhost" || h == "127.0.0.1" || h == "::1")
}
