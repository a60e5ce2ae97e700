package server

// mountIdentity registers the identity-api surface: /api/identity/* (the
// reference serves only /health here). Handler adds its /health.
func mountIdentity(r *router) {}
