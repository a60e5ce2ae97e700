package server

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/codexforgo/codex/fault"
)

// mountHLS serves the objects a streaming grant covers:
//
//	GET /api/access/hls/{token}/{path}
//
// The token (see access.Signer) names the media item and expiry; path is
// resolved under that item's HLS prefix only. Playlists refer to variants
// and segments relatively, so the player's follow-up requests land here
// with the same token. The route has no rate limit: a player fetches a
// segment every few seconds per rendition and the check is one HMAC, no
// database. Blobs on S3 are proxied through the same route rather than
// redirected to presigned URLs, so one grant works the same on every
// storage.
func mountHLS(r *router) {
	h := r.srv.serveHLS
	r.handle(http.MethodGet, "/api/access/hls/:token/*path", h)
	r.handle(http.MethodHead, "/api/access/hls/:token/*path", h)
}

func (s *Server) serveHLS(w http.ResponseWriter, r *http.Request) error {
	rel := strings.TrimPrefix(Param(r, "path"), "/")
	obj, err := s.c.Access().OpenHLS(r.Context(), Param(r, "token"), rel)
	if err != nil {
		return err
	}
	defer obj.Body.Close()

	h := w.Header()
	h.Set("Content-Type", obj.ContentType)
	// Objects are immutable for the life of a media item, but the URL
	// carries a credential: only the player's own cache may keep them, and
	// not past the grant.
	maxAge := int(time.Until(obj.ExpiresAt) / time.Second)
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(max(0, min(maxAge, 3600))))
	h.Set("Referrer-Policy", "no-referrer")

	if rs, ok := obj.Body.(io.ReadSeeker); ok {
		// ServeContent answers Range (206, 416 past the end), If-Range and
		// HEAD from the seekable object.
		http.ServeContent(w, r, "", obj.Info.ModTime, rs)
		return nil
	}
	if r.Header.Get("Range") != "" {
		return fault.New(fault.Invalid, "", "Range requests are not supported by this storage")
	}
	h.Set("Content-Length", strconv.FormatInt(obj.Info.Size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	if _, err := io.Copy(w, obj.Body); err != nil && !errors.Is(err, r.Context().Err()) {
		// Headers are out; the client sees a cut stream, the log says why.
		logger(r.Context()).Warn("hls copy failed", "error", err.Error())
	}
	return nil
}
