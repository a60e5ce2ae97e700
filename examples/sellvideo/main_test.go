package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"
)

func hasFFmpeg() bool {
	_, err := exec.LookPath("ffmpeg")
	return err == nil
}

// start runs the flow and returns what it printed and the shop it left.
func start(t *testing.T, o options) (*shop, string) {
	t.Helper()
	o.DataDir = t.TempDir()
	var out bytes.Buffer
	s, err := run(context.Background(), &out, o)
	if err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	t.Cleanup(func() { s.c.Close() })
	t.Logf("output:\n%s", out.String())
	return s, out.String()
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// The default run sells the video when ffmpeg is on PATH (as in CI), and
// the page then plays it with a grant the site itself serves.
func TestRunSellsAndServes(t *testing.T) {
	is := is.New(t)
	s, out := start(t, options{})
	for _, want := range []string{
		"ada@example.com signed up as creator and verified",
		"grace@example.com signed up as customer and verified",
		"before buying, grace@example.com is refused: ACCESS_DENIED",
		"purchase completed: paid $4.99 usd",
		"after buying, grace@example.com has access",
		`receipt emailed to grace@example.com`,
	} {
		is.True(strings.Contains(out, want)) // output lacks a step
	}

	page := get(s.handler(), "/")
	is.Equal(page.Code, http.StatusOK)
	is.True(strings.Contains(page.Body.String(), "you own this"))

	if !hasFFmpeg() {
		is.True(strings.Contains(out, "transcoding needs ffmpeg"))
		is.True(strings.Contains(page.Body.String(), "frame by frame")) // the written piece
		return
	}
	is.True(strings.Contains(out, `published "First Light" (video) at $4.99`))
	is.True(strings.Contains(out, "the grant opens the master playlist and its variant"))

	// The player's requests: the master playlist at the page's grant URL,
	// then a variant under the same token.
	src := regexp.MustCompile(`<video controls width="640" src="([^"]+)"`).FindStringSubmatch(page.Body.String())
	is.True(src != nil) // page has no video
	u, err := url.Parse(src[1])
	is.NoErr(err)
	master := get(s.handler(), u.Path)
	is.Equal(master.Code, http.StatusOK)
	is.Equal(master.Header().Get("Content-Type"), "application/vnd.apple.mpegurl")
	is.True(strings.HasPrefix(master.Body.String(), "#EXTM3U"))
	variant := regexp.MustCompile(`(?m)^[^#\s]\S*\.m3u8$`).FindString(master.Body.String())
	is.True(variant != "")
	v := get(s.handler(), strings.TrimSuffix(u.Path, "master.m3u8")+variant)
	is.Equal(v.Code, http.StatusOK)
	is.True(strings.Contains(v.Body.String(), "#EXTINF"))

	// A tampered token is refused.
	bad := get(s.handler(), strings.Replace(u.Path, hlsRoute+"A", hlsRoute+"B", 1))
	is.Equal(bad.Code, http.StatusForbidden)
}

// Without a transcoder the video is refused at publication and the
// written piece is sold instead.
func TestRunWithoutTranscoder(t *testing.T) {
	is := is.New(t)
	s, out := start(t, options{Transcoder: "none"})
	is.True(strings.Contains(out, "selling a written piece instead"))
	is.True(strings.Contains(out, `published "First Light: the notes" (written) at $4.99`))
	if hasFFmpeg() {
		is.True(strings.Contains(out, "transcoding refused, media stays uploaded: TRANSCODER_UNAVAILABLE"))
		is.True(strings.Contains(out, "publishing the video is refused: MEDIA_NOT_READY"))
	}
	_, err := s.c.Access().Check(context.Background(), s.customer, s.item.ID)
	is.NoErr(err) // the customer owns the written piece
}
