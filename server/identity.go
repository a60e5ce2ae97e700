package server

import (
	"net/http"

	"github.com/codexforgo/codex/actor"
)

// mountIdentity registers the identity-api surface: the signed-in user's
// profile at /api/identity/me (the reference serves only /health here).
func mountIdentity(r *router) {
	r.handle("GET", "/api/identity/me", func(w http.ResponseWriter, req *http.Request) error {
		a := Actor(req)
		if err := actor.RequireAuth(a); err != nil {
			return err
		}
		u, err := r.srv.c.Auth().User(req.Context(), a.UserID)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, u)
	}, RateLimit("api"))
	r.handle("PATCH", "/api/identity/me", func(w http.ResponseWriter, req *http.Request) error {
		a := Actor(req)
		if err := actor.RequireAuth(a); err != nil {
			return err
		}
		var in profileBody
		if err := DecodeJSON(req, &in); err != nil {
			return err
		}
		p, err := in.profile()
		if err != nil {
			return err
		}
		u, err := r.srv.c.Auth().UpdateProfile(req.Context(), a, p)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, u)
	}, RateLimit("api"))
}
