package server

// mountNotifications registers the notifications-api surface:
// /api/templates/* with template preview and test-send. Handler adds its
// /health.
func mountNotifications(r *router) {}
