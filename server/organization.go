package server

// mountOrganization registers the organization-api surface:
// /api/organizations/* (organizations, memberships, settings). Handler adds
// its /health.
func mountOrganization(r *router) {}
