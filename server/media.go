package server

// mountMedia registers the media-api surface: /api/transcoding/*, /internal/*
// and transcoder callbacks. Handler adds its /health.
func mountMedia(r *router) {}
