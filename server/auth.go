package server

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// mountAuth registers the auth surface: /api/auth/* with the reference's
// paths and bodies, its flat {"code","message"} errors, and the aliases the
// seed platform's clients call.
func mountAuth(r *router) {
	h := &authHandlers{s: r.srv}
	limited := RateLimit("auth")

	r.handle("POST", "/api/auth/sign-up/email", h.signUp, limited)
	r.handle("POST", "/api/auth/email/register", h.signUp, limited)
	r.handle("POST", "/api/auth/sign-in/email", h.signIn, limited)
	r.handle("POST", "/api/auth/email/login", h.signIn, limited)
	r.handle("GET", "/api/auth/get-session", h.getSession)
	r.handle("GET", "/api/auth/session", h.getSession)
	r.handle("POST", "/api/auth/sign-out", h.signOut)
	r.handle("POST", "/api/auth/signout", h.signOut)
	r.handle("GET", "/api/auth/verify-email", h.verifyEmail)
	r.handle("POST", "/api/auth/verify-email", h.verifyEmailPost, limited)
	r.handle("POST", "/api/auth/send-verification-email", h.sendVerification, limited)
	r.handle("POST", "/api/auth/request-password-reset", h.requestReset, limited)
	r.handle("POST", "/api/auth/forget-password", h.requestReset, limited)
	r.handle("GET", "/api/auth/reset-password/:token", h.resetRedirect)
	r.handle("POST", "/api/auth/reset-password", h.resetPassword, limited)
	r.handle("POST", "/api/auth/change-password", h.changePassword, RateLimit("strict"))
	r.handle("POST", "/api/auth/update-user", h.updateUser, RateLimit("api"))
	r.handle("GET", "/api/auth/list-sessions", h.listSessions, RateLimit("api"))
	r.handle("POST", "/api/auth/revoke-session", h.revokeSession, RateLimit("api"))
	r.handle("POST", "/api/auth/revoke-sessions", h.revokeSessions, RateLimit("api"))
	r.handle("POST", "/api/auth/revoke-other-sessions", h.revokeOtherSessions, RateLimit("api"))
	r.handle("GET", "/api/auth/ok", func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
}

type authHandlers struct{ s *Server }

func (h *authHandlers) svc() *auth.Service { return h.s.c.Auth() }

// reply writes an auth-surface success body: the bare object, no envelope,
// as the reference's auth framework answers.
func reply(w http.ResponseWriter, v any) error { return writeJSON(w, http.StatusOK, v) }

type status struct {
	Status bool `json:"status"`
}

// decodeAuthBody reads JSON, or the form encoding the reference also
// accepts on sign-in and sign-up.
func decodeAuthBody(r *http.Request, dst any) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return DecodeJSON(r, dst)
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return bodyTooLarge(tooBig.Limit)
		}
		return fault.InvalidField("body", "Malformed form body")
	}
	m := map[string]any{}
	for k, v := range r.PostForm {
		m[k] = v[0]
		if k == "rememberMe" {
			m[k] = v[0] == "true" || v[0] == "on" || v[0] == "1"
		}
	}
	b, _ := json.Marshal(m)
	r.Body = http.NoBody
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkCallback accepts a relative path or a URL on an allowed origin, so
// redirects after verification or reset can never leave the platform.
func (h *authHandlers) checkCallback(field, raw string) error {
	if raw == "" {
		return nil
	}
	bad := fault.New(fault.Forbidden, auth.CodeInvalidCallbackURL, "Invalid "+field)
	if strings.HasPrefix(raw, "/") {
		if strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, `/\`) || strings.ContainsAny(raw, "\r\n") {
			return bad
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return bad
	}
	if !slices.Contains(h.s.c.Config().AllowedOrigins, strings.ToLower(u.Scheme+"://"+u.Host)) {
		return bad
	}
	return nil
}

// withQuery appends one parameter to a callback URL.
func withQuery(raw, key, value string) string {
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + url.QueryEscape(key) + "=" + url.QueryEscape(value)
}

func (h *authHandlers) signUp(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name        string  `json:"name"`
		Email       string  `json:"email"`
		Password    string  `json:"password"`
		Image       *string `json:"image"`
		CallbackURL string  `json:"callbackURL"`
		RememberMe  *bool   `json:"rememberMe"`
		// Role is read so that a client sending it gets a customer (or,
		// when enabled, a creator) rather than a 400: never what it asked.
		Role string `json:"role"`
	}
	if err := decodeAuthBody(r, &in); err != nil {
		return err
	}
	if err := h.checkCallback("callbackURL", in.CallbackURL); err != nil {
		return err
	}
	u, err := h.svc().SignUp(r.Context(), auth.SignUp{
		Email: in.Email, Password: in.Password, Name: in.Name, Image: in.Image,
		Role: in.Role, CallbackURL: in.CallbackURL,
	})
	if err != nil {
		return err
	}
	return reply(w, map[string]any{"token": nil, "user": u})
}

func (h *authHandlers) signIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email       string `json:"email"`
		Password    string `json:"password"`
		CallbackURL string `json:"callbackURL"`
		RememberMe  *bool  `json:"rememberMe"`
	}
	if err := decodeAuthBody(r, &in); err != nil {
		return err
	}
	if err := h.checkCallback("callbackURL", in.CallbackURL); err != nil {
		return err
	}
	// Besides the per-address limit on the route, each account has its own:
	// spreading guesses over many addresses does not help against one user.
	if email, err := auth.NormalizeEmail(in.Email); err == nil {
		p := h.s.c.RateLimit("auth")
		p.Name, p.Prefix, p.Max = "auth-account", "rl:account:", 2*p.Max
		if err := h.s.limit(w, r, p, email, true); err != nil {
			return err
		}
	}
	s, err := h.svc().SignIn(r.Context(), auth.SignIn{
		Email: in.Email, Password: in.Password,
		IPAddress: ClientIP(r.Context()), UserAgent: r.UserAgent(),
	})
	if err != nil {
		return err
	}
	h.s.setSessionCookie(w, s.Token, cookieMaxAge)
	body := map[string]any{"redirect": false, "token": s.Token, "url": nil, "user": s.User}
	if in.CallbackURL != "" {
		body["redirect"], body["url"] = true, in.CallbackURL
		w.Header().Set("Location", in.CallbackURL)
	}
	return reply(w, body)
}

// cookieMaxAge outlives any session; the server decides when one ends.
const cookieMaxAge = 30 * 24 * time.Hour

func (h *authHandlers) getSession(w http.ResponseWriter, r *http.Request) error {
	token, _ := sessionToken(r)
	if !Actor(r).Authenticated() {
		// The reference contract: no session is a 200 with null.
		return reply(w, nil)
	}
	sess, user, err := h.svc().GetSession(r.Context(), token)
	if errors.Is(err, fault.Unauthenticated) {
		return reply(w, nil)
	}
	if err != nil {
		return err
	}
	return reply(w, map[string]any{"session": sess, "user": user})
}

func (h *authHandlers) signOut(w http.ResponseWriter, r *http.Request) error {
	token, _ := sessionToken(r)
	if token != "" {
		if err := h.svc().SignOut(r.Context(), token); err != nil {
			return err
		}
	}
	h.s.clearSessionCookie(w)
	return reply(w, map[string]bool{"success": true})
}

func (h *authHandlers) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	callback := q.Get("callbackURL")
	if err := h.checkCallback("callbackURL", callback); err != nil {
		return err
	}
	s, err := h.svc().VerifyEmail(r.Context(), q.Get("token"), ClientIP(r.Context()), r.UserAgent())
	if err != nil {
		if callback != "" && !errors.Is(err, fault.Unavailable) && fault.KindOf(err) != fault.Internal {
			http.Redirect(w, r, withQuery(callback, "error", fault.From(err).Code), http.StatusFound)
			return nil
		}
		return err
	}
	h.s.setSessionCookie(w, s.Token, cookieMaxAge)
	if callback != "" {
		http.Redirect(w, r, callback, http.StatusFound)
		return nil
	}
	return reply(w, map[string]any{"status": true, "user": s.User})
}

func (h *authHandlers) verifyEmailPost(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := h.svc().VerifyEmail(r.Context(), in.Token, ClientIP(r.Context()), r.UserAgent())
	if err != nil {
		return err
	}
	h.s.setSessionCookie(w, s.Token, cookieMaxAge)
	return reply(w, map[string]any{"status": true, "user": s.User, "token": s.Token})
}

func (h *authHandlers) sendVerification(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email       string `json:"email"`
		CallbackURL string `json:"callbackURL"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.checkCallback("callbackURL", in.CallbackURL); err != nil {
		return err
	}
	if err := h.svc().ResendVerification(r.Context(), in.Email, in.CallbackURL); err != nil {
		return err
	}
	return reply(w, status{true})
}

func (h *authHandlers) requestReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email      string `json:"email"`
		RedirectTo string `json:"redirectTo"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.checkCallback("redirectTo", in.RedirectTo); err != nil {
		return err
	}
	if err := h.svc().RequestPasswordReset(r.Context(), in.Email, in.RedirectTo); err != nil {
		return err
	}
	return reply(w, map[string]any{
		"status":  true,
		"message": "If this email exists in our system, check your email for the reset link",
	})
}

func (h *authHandlers) resetRedirect(w http.ResponseWriter, r *http.Request) error {
	token := Param(r, "token")
	callback := r.URL.Query().Get("callbackURL")
	if err := h.checkCallback("callbackURL", callback); err != nil {
		return err
	}
	err := h.svc().CheckResetToken(r.Context(), token)
	if callback == "" {
		if err != nil {
			return err
		}
		return reply(w, map[string]any{"status": true, "token": token})
	}
	if errors.Is(err, fault.Invalid) {
		http.Redirect(w, r, withQuery(callback, "error", auth.CodeInvalidToken), http.StatusFound)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, withQuery(callback, "token", token), http.StatusFound)
	return nil
}

func (h *authHandlers) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		NewPassword string `json:"newPassword"`
		Password    string `json:"password"` // what the seed web app sends
		Token       string `json:"token"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Token == "" {
		in.Token = r.URL.Query().Get("token")
	}
	if in.NewPassword == "" {
		in.NewPassword = in.Password
	}
	if err := h.svc().ResetPassword(r.Context(), in.Token, in.NewPassword); err != nil {
		return err
	}
	return reply(w, status{true})
}

func (h *authHandlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		NewPassword         string `json:"newPassword"`
		CurrentPassword     string `json:"currentPassword"`
		RevokeOtherSessions *bool  `json:"revokeOtherSessions"` // always done
	}
	if err := actor.RequireAuth(Actor(r)); err != nil {
		return err
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := h.svc().ChangePassword(r.Context(), Actor(r), in.CurrentPassword, in.NewPassword, ClientIP(r.Context()), r.UserAgent())
	if err != nil {
		return err
	}
	h.s.setSessionCookie(w, s.Token, cookieMaxAge)
	return reply(w, map[string]any{"token": s.Token, "user": s.User})
}

// profileBody is the profile update of update-user and PATCH /api/identity/me.
type profileBody struct {
	Name  *string         `json:"name"`
	Image json.RawMessage `json:"image"`
	// Email is declared so that sending it gets its own clear refusal.
	Email *string `json:"email"`
}

func (p profileBody) profile() (auth.Profile, error) {
	if p.Email != nil {
		return auth.Profile{}, fault.New(fault.Invalid, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
	}
	out := auth.Profile{Name: p.Name}
	if len(p.Image) > 0 {
		var img *string
		if err := json.Unmarshal(p.Image, &img); err != nil {
			return auth.Profile{}, fault.InvalidField("body.image", "Expected string or null")
		}
		out.Image = &img
	}
	return out, nil
}

func (h *authHandlers) updateUser(w http.ResponseWriter, r *http.Request) error {
	if err := actor.RequireAuth(Actor(r)); err != nil {
		return err
	}
	var in profileBody
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := in.profile()
	if err != nil {
		return err
	}
	if p.Name == nil && p.Image == nil {
		return fault.New(fault.Invalid, "NO_FIELDS_TO_UPDATE", "No fields to update")
	}
	if _, err := h.svc().UpdateProfile(r.Context(), Actor(r), p); err != nil {
		return err
	}
	return reply(w, status{true})
}

type sessionView struct {
	store.Session
	Current bool `json:"current"`
}

func (h *authHandlers) listSessions(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	list, err := h.svc().ListSessions(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]sessionView, len(list))
	for i, s := range list {
		out[i] = sessionView{s, s.ID == a.SessionID}
	}
	return reply(w, out)
}

func (h *authHandlers) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := actor.RequireAuth(Actor(r)); err != nil {
		return err
	}
	var in struct {
		ID string `json:"id"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.ID == "" {
		return fault.InvalidField("body.id", "Session id is required")
	}
	if err := h.svc().RevokeSession(r.Context(), Actor(r), in.ID); err != nil {
		return err
	}
	return reply(w, status{true})
}

func (h *authHandlers) revokeSessions(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc().RevokeSessions(r.Context(), Actor(r)); err != nil {
		return err
	}
	h.s.clearSessionCookie(w)
	return reply(w, status{true})
}

func (h *authHandlers) revokeOtherSessions(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc().RevokeOtherSessions(r.Context(), Actor(r)); err != nil {
		return err
	}
	return reply(w, status{true})
}
