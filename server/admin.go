package server

// mountAdmin registers the admin-api surface: /api/admin/* (analytics,
// customers, cross-creator content). Handler adds its /health.
func mountAdmin(r *router) {}
