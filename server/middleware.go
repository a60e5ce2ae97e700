package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
)

// Content-Security-Policy values. Responses get CSPAPI unless the handler
// sets its own Content-Security-Policy header before writing (HTML pages set
// CSPHTML or a stricter page-specific policy).
const (
	CSPAPI  = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	CSPHTML = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// middleware wraps h in the shared pipeline, outermost first: recover,
// request id, access log, security headers, CORS, body limit, then the
// session (actor resolution and the CSRF origin check).
func (s *Server) middleware(h http.Handler) http.Handler {
	h = s.authenticate(h)
	h = s.limitBody(h)
	h = s.cors(h)
	h = s.securityHeaders(h)
	h = s.accessLog(h)
	h = s.requestID(h)
	return s.recoverPanics(h)
}

// reqInfo is the per-request state the middleware shares. It is a pointer in
// the context so inner layers (the route) can fill in what outer layers log.
type reqInfo struct {
	id       string
	clientIP string
	route    string
	userID   string
	log      *slog.Logger
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey{}).(*reqInfo)
	return i
}

// RequestID returns the id of the request ctx belongs to ("" outside the
// server's middleware).
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

// ClientIP returns the client address of the request ctx belongs to: the
// peer address, or the forwarded address when the peer is a trusted proxy.
func ClientIP(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.clientIP
	}
	return ""
}

// logger returns the request's logger (carrying request_id), or the default
// logger outside the server's middleware.
func logger(ctx context.Context) *slog.Logger {
	if i := infoFrom(ctx); i != nil && i.log != nil {
		return i.log
	}
	return slog.Default()
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response silently
			}
			// The request id middleware has already set the header; the
			// context that carries it is gone with the panicking frames.
			id := w.Header().Get(HeaderRequestID)
			s.log.Error("panic serving request",
				"request_id", id,
				"method", r.Method,
				"path", r.URL.Path,
				"panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
			if tw.status != 0 {
				// Headers are out; the only honest signal left is to cut
				// the connection.
				panic(http.ErrAbortHandler)
			}
			writeErrorBody(w, http.StatusInternalServerError, fault.CodeInternal, "An unexpected error occurred", nil)
		}()
		next.ServeHTTP(tw, r)
	})
}

func (s *Server) requestID(next http.Handler) http.Handler {
	trusted := s.c.Config().TrustedPrefixes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderRequestID)
		if !validRequestID.MatchString(id) {
			// A client-chosen id ends up in logs; only a safe shape is
			// accepted so it cannot forge log lines or grow without bound.
			id = uuid.NewString()
		}
		w.Header().Set(HeaderRequestID, id)
		info := &reqInfo{
			id:       id,
			clientIP: clientIP(r, trusted),
			log:      s.log.With("request_id", id),
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// clientIP is the peer address, or, when the peer is a trusted proxy, the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy. Entries
// left of that were written by the client and prove nothing.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	if !isTrusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !isTrusted(a) {
			return a.String()
		}
	}
	return peer.String()
}

func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			status := tw.status
			if p != nil {
				status = http.StatusInternalServerError
			} else if status == 0 {
				status = http.StatusOK
			}
			info := infoFrom(r.Context())
			level := slog.LevelInfo
			// Load balancers poll /health constantly; a healthy answer is
			// noise at info level.
			if strings.HasPrefix(r.URL.Path, "/health") && status < 300 {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
			}
			if info.route != "" {
				attrs = append(attrs, slog.String("route", info.route))
			}
			if info.userID != "" {
				attrs = append(attrs, slog.String("user_id", info.userID))
			}
			attrs = append(attrs,
				slog.Int("status", status),
				slog.Int64("bytes", tw.bytes),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("client_ip", info.clientIP),
				slog.String("user_agent", r.UserAgent()),
			)
			info.log.LogAttrs(r.Context(), level, "request", attrs...)
			s.metrics.observe(info.route, r.Method, status, time.Since(start))
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(tw, r)
	})
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := s.c.Config().Production
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=(), payment=()")
		h.Set("Content-Security-Policy", CSPAPI)
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) cors(next http.Handler) http.Handler {
	allowed := s.c.Config().AllowedOrigins
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Responses differ by Origin, so caches must key on it even when
		// this one carries no CORS headers.
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		ok := origin != "" && slices.Contains(allowed, strings.ToLower(origin))
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Expose-Headers", HeaderRequestID)
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		if ok {
			h.Set("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type,Authorization,X-Request-ID")
			h.Set("Access-Control-Max-Age", "86400")
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// limitedBody remembers the original body so a route that declares a larger
// limit (MaxBodyBytes) can replace the default one.
type limitedBody struct {
	io.ReadCloser
	orig io.ReadCloser
	w    http.ResponseWriter
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	limit := s.c.Config().MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), orig: r.Body, w: w}
		}
		next.ServeHTTP(w, r)
	})
}

func widenBody(w http.ResponseWriter, r *http.Request, n int64) {
	if lb, ok := r.Body.(*limitedBody); ok {
		r.Body = &limitedBody{ReadCloser: http.MaxBytesReader(lb.w, lb.orig, n), orig: lb.orig, w: lb.w}
	}
}

// trackingWriter records the status and size of a response.
type trackingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (t *trackingWriter) WriteHeader(code int) {
	if t.status == 0 && code >= 200 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	n, err := t.ResponseWriter.Write(b)
	t.bytes += int64(n)
	return n, err
}

// Flush keeps streaming responses (progress, HLS) working through the wrapper.
func (t *trackingWriter) Flush() {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	_ = http.NewResponseController(t.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
