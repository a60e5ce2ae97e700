package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

func jsonBody(v any) *strings.Reader {
	b, _ := json.Marshal(v)
	return strings.NewReader(string(b))
}

var linkRE = regexp.MustCompile(`http://localhost:8080/api/auth/[^\s"\\]+`)

// emailedLink waits for the log mailer to log a message with the tag to the
// address and returns the first platform link in it: exactly what a person
// running `codex serve` would copy from the log.
func (e *testEnv) emailedLink(t *testing.T, to, tag string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		lines := e.log.lines(t)
		for i := len(lines) - 1; i >= 0; i-- {
			l := lines[i]
			if l["msg"] == "email" && l["to"] == to && l["tag"] == tag {
				text, _ := l["text"].(string)
				if m := linkRE.FindString(text); m != "" {
					return m
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s email to %s in the log", tag, to)
	return ""
}

func sessionCookie(t *testing.T, res response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie set", SessionCookie)
	return nil
}

func TestAuthJourneyOverHTTP(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler()
	origin := []string{"Origin", "http://localhost:8080", "Content-Type", "application/json"}

	// Sign-up never grants the role a client asks for.
	res := do(t, h, "POST", "/api/auth/sign-up/email", jsonBody(map[string]any{
		"name": "Ada", "email": "Ada@Example.com", "password": "analytical 1", "role": "platform_owner",
	}), origin...)
	is.Equal(res.StatusCode, 200)
	user := res.json(t)["user"].(map[string]any)
	is.Equal(user["role"], "customer")
	is.Equal(user["email"], "ada@example.com")
	is.Equal(res.json(t)["token"], nil)

	// Not verified yet: refused.
	creds := map[string]any{"email": "ada@example.com", "password": "analytical 1"}
	res = do(t, h, "POST", "/api/auth/sign-in/email", jsonBody(creds), origin...)
	is.Equal(res.StatusCode, 403)
	is.Equal(res.json(t)["code"], "EMAIL_NOT_VERIFIED")

	// The verification link from the log signs in once.
	link := e.emailedLink(t, "ada@example.com", "email-verification")
	u, _ := url.Parse(link)
	res = do(t, h, "GET", u.RequestURI(), nil)
	is.Equal(res.StatusCode, 200)
	cookie := sessionCookie(t, res)
	is.True(cookie.HttpOnly)
	is.Equal(cookie.SameSite, http.SameSiteLaxMode)
	res = do(t, h, "GET", u.RequestURI(), nil)
	is.Equal(res.StatusCode, 400)
	is.Equal(res.json(t)["code"], "INVALID_TOKEN") // dead after one use

	// get-session returns the user behind the cookie.
	res = do(t, h, "GET", "/api/auth/get-session", nil, "Cookie", cookie.Name+"="+cookie.Value)
	is.Equal(res.StatusCode, 200)
	is.Equal(res.json(t)["user"].(map[string]any)["email"], "ada@example.com")
	res = do(t, h, "GET", "/api/auth/get-session", nil)
	is.Equal(strings.TrimSpace(string(res.body)), "null")

	// A bearer session from sign-in works on every surface.
	res = do(t, h, "POST", "/api/auth/sign-in/email", jsonBody(creds), origin...)
	is.Equal(res.StatusCode, 200)
	token := res.json(t)["token"].(string)
	res = do(t, h, "GET", "/api/identity/me", nil, bearer(token)...)
	is.Equal(res.StatusCode, 200)

	// Sign-out kills the session everywhere.
	res = do(t, h, "POST", "/api/auth/sign-out", nil, bearer(token)...)
	is.Equal(res.StatusCode, 200)
	res = do(t, h, "GET", "/api/identity/me", nil, bearer(token)...)
	is.Equal(res.StatusCode, 401)
	res = do(t, h, "GET", "/api/auth/session", nil, bearer(token)...)
	is.Equal(strings.TrimSpace(string(res.body)), "null")

	// Password reset revokes the sessions that existed before it.
	res = do(t, h, "GET", "/api/identity/me", nil, "Cookie", cookie.Name+"="+cookie.Value)
	is.Equal(res.StatusCode, 200)
	res = do(t, h, "POST", "/api/auth/request-password-reset", jsonBody(map[string]any{"email": "ada@example.com"}), origin...)
	is.Equal(res.StatusCode, 200)
	link = e.emailedLink(t, "ada@example.com", "password-reset")
	resetToken := link[strings.LastIndexByte(link, '/')+1:]
	res = do(t, h, "POST", "/api/auth/reset-password", jsonBody(map[string]any{"token": resetToken, "newPassword": "difference 2"}), origin...)
	is.Equal(res.StatusCode, 200)
	res = do(t, h, "GET", "/api/identity/me", nil, "Cookie", cookie.Name+"="+cookie.Value)
	is.Equal(res.StatusCode, 401)
	res = do(t, h, "POST", "/api/auth/sign-in/email", jsonBody(map[string]any{"email": "ada@example.com", "password": "difference 2"}), origin...)
	is.Equal(res.StatusCode, 200)
}

func TestSixthFailedLoginFromOneAddressIsLimited(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler()
	e.user(t, "victim@example.com", store.RoleCustomer)
	for i := 1; i <= 6; i++ {
		res := do(t, h, "POST", "/api/auth/sign-in/email",
			jsonBody(map[string]any{"email": "victim@example.com", "password": "wrong guess 1"}), "Content-Type", "application/json")
		if i <= 5 {
			is.Equal(res.StatusCode, 401)
			is.Equal(res.json(t)["code"], "INVALID_EMAIL_OR_PASSWORD")
			is.Equal(res.Header.Get("X-RateLimit-Limit"), "5")
			continue
		}
		is.Equal(res.StatusCode, 429)
		is.Equal(res.json(t)["code"], "RATE_LIMIT_EXCEEDED")
		is.True(res.Header.Get("Retry-After") != "")
		is.Equal(res.Header.Get("X-RateLimit-Remaining"), "0")
	}
}

func TestAuthBadInput(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler()
	e.user(t, "taken@example.com", store.RoleCustomer)
	ct := []string{"Content-Type", "application/json"}
	cases := []struct {
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"/api/auth/email/register", map[string]any{"name": "A", "email": "nope", "password": "analytical 1"}, 400, "INVALID_EMAIL"},
		{"/api/auth/email/register", map[string]any{"name": "A", "email": "a@example.com", "password": "short1"}, 400, "PASSWORD_TOO_SHORT"},
		{"/api/auth/email/register", map[string]any{"name": "A", "email": "a@example.com", "password": strings.Repeat("ab1", 50)}, 400, "PASSWORD_TOO_LONG"},
		{"/api/auth/email/register", map[string]any{"name": "A", "email": "taken@example.com", "password": "analytical 1"}, 422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"},
		{"/api/auth/email/register", map[string]any{"name": "A", "email": "b@example.com", "password": "analytical 1", "isAdmin": true}, 400, "VALIDATION_ERROR"},
		{"/api/auth/email/login", map[string]any{"email": "taken@example.com", "password": "wrong guess 1"}, 401, "INVALID_EMAIL_OR_PASSWORD"},
		{"/api/auth/email/login", map[string]any{"email": "ghost@example.com", "password": "wrong guess 1"}, 401, "INVALID_EMAIL_OR_PASSWORD"},
		{"/api/auth/verify-email", map[string]any{"token": "forged"}, 400, "INVALID_TOKEN"},
		{"/api/auth/reset-password", map[string]any{"token": strings.Repeat("x", 43), "newPassword": "analytical 2"}, 400, "INVALID_TOKEN"},
		{"/api/auth/sign-up/email", map[string]any{"name": "A", "email": "c@example.com", "password": "analytical 1", "callbackURL": "https://evil.example"}, 403, "INVALID_CALLBACK_URL"},
	}
	for _, c := range cases {
		res := do(t, h, "POST", c.path, jsonBody(c.body), ct...)
		is.Equal(res.StatusCode, c.status)
		is.Equal(res.json(t)["code"], c.code)
	}
	res := do(t, h, "POST", "/api/auth/email/login", strings.NewReader("{"), ct...)
	is.Equal(res.StatusCode, 400)
	is.Equal(res.json(t)["code"], "INVALID_JSON")
}

func TestCookieWritesNeedAllowedOrigin(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler()
	token, _ := e.user(t, "c@example.com", store.RoleCustomer)
	cookie := []string{"Cookie", SessionCookie + "=" + token, "Content-Type", "application/json"}
	body := map[string]any{"name": "New"}

	res := do(t, h, "PATCH", "/api/identity/me", jsonBody(body), cookie...)
	is.Equal(res.StatusCode, 403)
	is.Equal(res.errorBody(t)["code"], "MISSING_OR_NULL_ORIGIN")
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(body), append(cookie, "Origin", "https://evil.example")...)
	is.Equal(res.StatusCode, 403)
	is.Equal(res.errorBody(t)["code"], "INVALID_ORIGIN")
	res = do(t, h, "POST", "/api/auth/sign-out", nil, append(cookie, "Origin", "https://evil.example")...)
	is.Equal(res.StatusCode, 403)
	is.Equal(res.json(t)["code"], "INVALID_ORIGIN") // auth's flat error body

	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(body), append(cookie, "Origin", "http://localhost:8080")...)
	is.Equal(res.StatusCode, 200)
	is.Equal(res.json(t)["data"].(map[string]any)["name"], "New")
	// Bearer tokens are not sent by browsers on their own: no Origin needed.
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(map[string]any{"name": "Bearer"}), append(bearer(token), "Content-Type", "application/json")...)
	is.Equal(res.StatusCode, 200)
}

func TestIdentityProfile(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler(Identity)
	token, _ := e.user(t, "p@example.com", store.RoleCustomer)
	ct := append(bearer(token), "Content-Type", "application/json")

	res := do(t, h, "GET", "/api/identity/me", nil)
	is.Equal(res.StatusCode, 401)
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(map[string]any{"image": "javascript:alert(1)"}), ct...)
	is.Equal(res.StatusCode, 400)
	is.Equal(res.fields(t)["body.image"], "Image must be an http(s) URL")
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(map[string]any{"role": "platform_owner"}), ct...)
	is.Equal(res.StatusCode, 400) // not a profile field
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(map[string]any{"email": "x@example.com"}), ct...)
	is.Equal(res.StatusCode, 400)
	res = do(t, h, "PATCH", "/api/identity/me", jsonBody(map[string]any{"name": "Grace", "image": "https://img.example.com/g.png"}), ct...)
	is.Equal(res.StatusCode, 200)
	data := res.json(t)["data"].(map[string]any)
	is.Equal(data["name"], "Grace")
	is.Equal(data["image"], "https://img.example.com/g.png")
	is.Equal(data["role"], "customer")
	res = do(t, h, "GET", "/api/identity/me", nil, bearer(token)...)
	is.Equal(res.json(t)["data"].(map[string]any)["name"], "Grace")
}

// sessionOutage is a store whose session lookups fail like a database that
// went away.
type sessionOutage struct {
	store.Store
	down *atomic.Bool
}

func (s sessionOutage) Sessions() store.SessionRepo {
	return outageSessions{s.Store.Sessions(), s.down}
}

type outageSessions struct {
	store.SessionRepo
	down *atomic.Bool
}

func (o outageSessions) GetWithUser(ctx context.Context, h string) (*store.Session, *store.User, error) {
	if o.down.Load() {
		return nil, nil, fault.Unavailablef(errors.New("dial tcp: connection refused"), "Database unavailable")
	}
	return o.SessionRepo.GetWithUser(ctx, h)
}

func TestSessionStoreOutageIs503NotSignedOut(t *testing.T) {
	is := is.New(t)
	var down atomic.Bool
	e := newEnv(t, codex.Config{Store: sessionOutage{Store: newFlakyStore(t), down: &down}})
	h := e.srv.Handler()
	token, _ := e.user(t, "o@example.com", store.RoleCustomer)

	down.Store(true)
	res := do(t, h, "GET", "/api/identity/me", nil, bearer(token)...)
	is.Equal(res.StatusCode, 503)
	is.Equal(res.errorBody(t)["code"], "SERVICE_UNAVAILABLE")

	down.Store(false) // the database is back: so is the user
	res = do(t, h, "GET", "/api/identity/me", nil, bearer(token)...)
	is.Equal(res.StatusCode, 200)
}
