package server

// mountAuth registers the auth surface: /api/auth/* (sign-up, sign-in,
// sessions, email verification, password reset). Handler adds its /health.
func mountAuth(r *router) {}
