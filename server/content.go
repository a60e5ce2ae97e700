package server

// mountContent registers the content-api surface: /api/content, /api/media
// and /api/access. Handler adds its /health, which also probes blob storage
// because this surface serves media.
func mountContent(r *router) {
	r.addCheck(r.srv.blobsCheck())
}
