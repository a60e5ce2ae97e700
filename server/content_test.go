package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/store"
)

// mp4Bytes looks like an MP4 original to the upload sniffing.
var mp4Bytes = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"), bytes.Repeat([]byte{7}, 1000)...)

type contentEnv struct {
	*testEnv
	h                   http.Handler
	creatorTok, custTok string
	creator, cust       *store.User
}

func newContentEnv(t *testing.T) *contentEnv {
	// No transcoder: these tests play the transcoder's part (makeReady).
	e := newEnv(t, codex.Config{Transcoder: "none"})
	ce := &contentEnv{testEnv: e, h: e.srv.Handler()}
	ce.creatorTok, ce.creator = e.user(t, "creator@example.com", store.RoleCreator)
	ce.custTok, ce.cust = e.user(t, "customer@example.com", store.RoleCustomer)
	return ce
}

func cjson(v string) *strings.Reader { return strings.NewReader(v) }

// platformPath turns an absolute URL of the platform into a path for the handler.
func platformPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Host != "localhost:8080" {
		t.Fatalf("not a platform URL: %q", raw)
	}
	return u.RequestURI()
}

func dataOf(t *testing.T, r response) map[string]any {
	t.Helper()
	d, ok := r.json(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data: %s", r.body)
	}
	return d
}

func errCodeOf(t *testing.T, r response) string {
	t.Helper()
	return r.errorBody(t)["code"].(string)
}

// createMedia declares a media item and returns its id and upload target.
func (ce *contentEnv) createMedia(t *testing.T, size int) (string, map[string]any) {
	t.Helper()
	res := do(t, ce.h, "POST", "/api/media", cjson(fmt.Sprintf(
		`{"title":"Clip","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":%d,"filename":"clip.mp4"}`, size)),
		bearer(ce.creatorTok)...)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create media: %d %s", res.StatusCode, res.body)
	}
	d := dataOf(t, res)
	return d["id"].(string), d["upload"].(map[string]any)
}

// makeReady plays the transcoder's part: HLS files in Blobs and the media
// row moved to ready through the store. Test setup, not product behaviour.
func (ce *contentEnv) makeReady(t *testing.T, mediaID string) {
	t.Helper()
	ctx := context.Background()
	id := uuid.MustParse(mediaID)
	prefix := ce.creator.ID + "/hls/" + mediaID + "/"
	files := map[string]string{
		"master.m3u8":         "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720\n720p/index.m3u8\n",
		"720p/index.m3u8":     "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nsegment_000.ts\n#EXT-X-ENDLIST\n",
		"720p/segment_000.ts": strings.Repeat("G", 188*4),
	}
	for k, v := range files {
		if err := ce.c.Blobs().Put(ctx, prefix+k, strings.NewReader(v), int64(len(v)), "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
	}
	m, err := ce.c.Store().Media().Update(ctx, id, store.MediaPatch{Status: store.Some(store.MediaTranscoding)})
	if err != nil {
		t.Fatal(err)
	}
	master, thumb, dur := prefix+"master.m3u8", ce.creator.ID+"/thumbnails/"+mediaID+"/auto-generated.jpg", 6
	if _, err := ce.c.Store().Media().Update(ctx, m.ID, store.MediaPatch{
		IfStatus: []store.MediaStatus{store.MediaTranscoding}, Status: store.Some(store.MediaReady),
		HLSMasterPlaylistKey: store.Some(&master), ThumbnailKey: store.Some(&thumb), DurationSeconds: store.Some(&dur),
	}); err != nil {
		t.Fatal(err)
	}
}

// readyContent creates ready media and content for it, and publishes it.
func (ce *contentEnv) readyContent(t *testing.T, slug, extra string) (contentID, mediaID string) {
	t.Helper()
	mediaID, _ = ce.createMedia(t, len(mp4Bytes))
	ce.makeReady(t, mediaID)
	res := do(t, ce.h, "POST", "/api/content", cjson(fmt.Sprintf(
		`{"title":"Film","slug":%q,"contentType":"video","mediaItemId":%q%s}`, slug, mediaID, extra)), bearer(ce.creatorTok)...)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create content: %d %s", res.StatusCode, res.body)
	}
	contentID = dataOf(t, res)["id"].(string)
	res = do(t, ce.h, "POST", "/api/content/"+contentID+"/publish", nil, bearer(ce.creatorTok)...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("publish: %d %s", res.StatusCode, res.body)
	}
	return contentID, mediaID
}

func TestUploadPublishAndStream(t *testing.T) {
	is := is.New(t)
	ce := newContentEnv(t)
	h := ce.h

	mediaID, up := ce.createMedia(t, len(mp4Bytes))
	is.Equal(up["method"], "PUT")
	hdrs := up["headers"].(map[string]any)
	is.Equal(hdrs["Content-Type"], "video/mp4")
	got := dataOf(t, do(t, h, "GET", "/api/media/"+mediaID, nil, bearer(ce.creatorTok)...))
	is.Equal(got["status"], "uploading")
	is.Equal(got["r2Key"], ce.creator.ID+"/originals/"+mediaID+"/clip.mp4") // generated, not chosen

	// completing before uploading: nothing there yet
	res := do(t, h, "POST", "/api/media/"+mediaID+"/upload-complete", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "UPLOAD_NOT_FOUND")

	// the upload target takes exactly what was declared
	path := platformPath(t, up["url"].(string))
	res = do(t, h, "PUT", path, bytes.NewReader(mp4Bytes), "Content-Type", "video/webm")
	is.Equal(res.StatusCode, http.StatusBadRequest)
	is.Equal(errCodeOf(t, res), "UPLOAD_TYPE_MISMATCH")
	res = do(t, h, "PUT", path, bytes.NewReader(append(mp4Bytes, 'x')), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusBadRequest)
	is.Equal(errCodeOf(t, res), "UPLOAD_SIZE_MISMATCH")
	tampered := strings.Replace(path, "/upload/A", "/upload/B", 1)
	if tampered == path {
		tampered = path[:len(path)-1] + "A"
	}
	res = do(t, h, "PUT", tampered, bytes.NewReader(mp4Bytes), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusForbidden)
	res = do(t, h, "PUT", path, bytes.NewReader(mp4Bytes), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusOK)

	// verified and handed on; with no transcoder it honestly stays uploaded
	res = do(t, h, "POST", "/api/media/"+mediaID+"/upload-complete", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	e := res.errorBody(t)
	is.Equal(e["code"], "TRANSCODER_UNAVAILABLE")
	is.Equal(e["details"].(map[string]any)["status"], "uploaded")
	got = dataOf(t, do(t, h, "GET", "/api/media/"+mediaID, nil, bearer(ce.creatorTok)...))
	is.Equal(got["status"], "uploaded")
	is.True(got["uploadedAt"] != nil)
	// no more uploads once uploaded
	res = do(t, h, "PUT", path, bytes.NewReader(mp4Bytes), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusConflict)

	// content over media that is not ready cannot go live
	res = do(t, h, "POST", "/api/content", cjson(fmt.Sprintf(
		`{"title":"Film","slug":"film","contentType":"video","mediaItemId":%q}`, mediaID)), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusCreated)
	c := dataOf(t, res)
	is.Equal(c["status"], "draft")
	is.Equal(c["visibility"], "public") // free content defaults to public
	contentID := c["id"].(string)
	res = do(t, h, "POST", "/api/content/"+contentID+"/publish", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "MEDIA_NOT_READY")

	// a draft is not streamable by others, but is by its creator
	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusNotFound)

	ce.makeReady(t, mediaID)
	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK) // creator previews the draft
	res = do(t, h, "POST", "/api/content/"+contentID+"/publish", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(dataOf(t, res)["status"], "published")

	// a customer streams free content: master, variant and segment load
	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream?expirySeconds=600", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	g := dataOf(t, res)
	is.Equal(g["contentType"], "video")
	exp, err := time.Parse(time.RFC3339, g["expiresAt"].(string))
	is.NoErr(err)
	is.True(exp.Sub(time.Now()) > 590*time.Second && exp.Sub(time.Now()) <= 600*time.Second) // expirySeconds applies
	masterURL := g["streamingUrl"].(string)
	is.True(strings.HasSuffix(masterURL, "/master.m3u8"))

	master := do(t, h, "GET", platformPath(t, masterURL), nil)
	is.Equal(master.StatusCode, http.StatusOK)
	is.Equal(master.Header.Get("Content-Type"), "application/vnd.apple.mpegurl")
	is.True(strings.HasPrefix(master.Header.Get("Cache-Control"), "private"))
	variantURL := resolveURL(t, masterURL, lastLine(string(master.body)))
	variant := do(t, h, "GET", platformPath(t, variantURL), nil)
	is.Equal(variant.StatusCode, http.StatusOK)
	segURL := resolveURL(t, variantURL, "segment_000.ts")
	is.True(strings.Contains(string(variant.body), "segment_000.ts"))
	seg := do(t, h, "GET", platformPath(t, segURL), nil)
	is.Equal(seg.StatusCode, http.StatusOK)
	is.Equal(seg.Header.Get("Content-Type"), "video/mp2t")
	is.Equal(len(seg.body), 188*4)

	// ranges, and ranges past the end
	part := do(t, h, "GET", platformPath(t, segURL), nil, "Range", "bytes=0-3")
	is.Equal(part.StatusCode, http.StatusPartialContent)
	is.Equal(string(part.body), "GGGG")
	past := do(t, h, "GET", platformPath(t, segURL), nil, "Range", "bytes=100000-")
	is.Equal(past.StatusCode, http.StatusRequestedRangeNotSatisfiable)
	head := do(t, h, "HEAD", platformPath(t, masterURL), nil)
	is.Equal(head.StatusCode, http.StatusOK)

	// only under the grant's prefix, only media files
	tokenPath := strings.TrimSuffix(platformPath(t, masterURL), "master.m3u8")
	for _, p := range []string{"../../originals/" + mediaID + "/clip.mp4", "%2e%2e/x.ts", "720p//segment_000.ts", "720p/missing.ts", "master.txt"} {
		res := do(t, h, "GET", tokenPath+p, nil)
		is.Equal(res.StatusCode, http.StatusNotFound) // outside, odd or missing
	}

	// tampered grants load nothing
	tok := strings.Split(strings.TrimPrefix(tokenPath, "/api/access/hls/"), "/")[0]
	for _, bad := range []string{flipChar(tok, 5), flipChar(tok, len(tok)-1), tok[:len(tok)-4], "x"} {
		res := do(t, h, "GET", "/api/access/hls/"+bad+"/master.m3u8", nil)
		is.Equal(res.StatusCode, http.StatusForbidden)
	}

	// an expired grant for the same media loads nothing either
	expired := ce.c.Access().Signer().Sign(uuid.MustParse(mediaID), ce.creator.ID, time.Now().Add(-time.Second), "720p/segment_000.ts")
	res = do(t, h, "GET", platformPath(t, expired), nil)
	is.Equal(res.StatusCode, http.StatusForbidden)
	is.Equal(errCodeOf(t, res), "GRANT_EXPIRED")
}

func flipChar(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func resolveURL(t *testing.T, base, ref string) string {
	t.Helper()
	b, _ := url.Parse(base)
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return b.ResolveReference(r).String()
}

func TestPaidContentNeedsPurchase(t *testing.T) {
	is := is.New(t)
	ce := newContentEnv(t)
	h, ctx := ce.h, context.Background()
	org := &store.Organization{Name: "Studio", Slug: "studio"}
	is.NoErr(ce.c.Store().Organizations().Create(ctx, org))

	// creating in an organization needs an active creator membership
	res := do(t, h, "POST", "/api/content", cjson(fmt.Sprintf(
		`{"title":"Essay","slug":"essay","contentType":"written","contentBody":"Hello","organizationId":%q}`, org.ID)),
		bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusForbidden)
	is.NoErr(ce.c.Store().Memberships().Create(ctx, &store.Membership{OrganizationID: org.ID, UserID: ce.creator.ID, Role: store.MemberCreator, Status: store.MembershipActive}))

	contentID, _ := ce.readyContent(t, "paid-film", fmt.Sprintf(`,"priceCents":1999,"organizationId":%q`, org.ID))
	got := dataOf(t, do(t, h, "GET", "/api/content/"+contentID, nil, bearer(ce.creatorTok)...))
	is.Equal(got["visibility"], "purchased_only")
	is.Equal(got["organization"].(map[string]any)["id"], org.ID.String())
	is.Equal(got["mediaItem"].(map[string]any)["status"], "ready")

	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusForbidden)
	is.Equal(errCodeOf(t, res), "ACCESS_DENIED")
	res = do(t, h, "POST", "/api/access/content/"+contentID+"/progress", cjson(`{"positionSeconds":1,"durationSeconds":6}`), bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusForbidden)

	now := time.Now()
	is.NoErr(ce.c.Store().Purchases().Create(ctx, &store.Purchase{
		CustomerID: ce.cust.ID, ContentID: uuid.MustParse(contentID), OrganizationID: org.ID,
		AmountPaidCents: 1999, Currency: "usd", PlatformFeeCents: 200, CreatorPayoutCents: 1799,
		StripePaymentIntentID: "pi_test_1", Status: store.PurchaseCompleted, PurchasedAt: &now,
	}))
	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	master := do(t, h, "GET", platformPath(t, dataOf(t, res)["streamingUrl"].(string)), nil)
	is.Equal(master.StatusCode, http.StatusOK)

	// progress: forward only, completion sticks
	post := func(pos int) int {
		return do(t, h, "POST", "/api/access/content/"+contentID+"/progress",
			cjson(fmt.Sprintf(`{"positionSeconds":%d,"durationSeconds":100}`, pos)), bearer(ce.custTok)...).StatusCode
	}
	is.Equal(post(40), http.StatusNoContent)
	is.Equal(post(10), http.StatusNoContent)
	p := dataOf(t, do(t, h, "GET", "/api/access/content/"+contentID+"/progress", nil, bearer(ce.custTok)...))["progress"].(map[string]any)
	is.Equal(p["positionSeconds"], 40.0)
	is.Equal(p["completed"], false)
	is.Equal(post(96), http.StatusNoContent)
	is.Equal(post(97), http.StatusNoContent)
	p = dataOf(t, do(t, h, "GET", "/api/access/content/"+contentID+"/progress", nil, bearer(ce.custTok)...))["progress"].(map[string]any)
	is.Equal(p["completed"], true)
	res = do(t, h, "POST", "/api/access/content/"+uuid.NewString()+"/progress", cjson(`{"positionSeconds":1,"durationSeconds":6}`), bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusNotFound)
	res = do(t, h, "POST", "/api/access/content/"+contentID+"/progress", cjson(`{"positionSeconds":1.5,"durationSeconds":6}`), bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusBadRequest)

	// the library lists it, filtered in the query
	lib := dataOf(t, do(t, h, "GET", "/api/access/user/library?filter=completed", nil, bearer(ce.custTok)...))
	is.Equal(lib["pagination"].(map[string]any)["total"], 1.0)
	item := lib["items"].([]any)[0].(map[string]any)
	is.Equal(item["content"].(map[string]any)["id"], contentID)
	is.Equal(item["content"].(map[string]any)["durationSeconds"], 6.0)
	is.Equal(item["purchase"].(map[string]any)["priceCents"], 1999.0)
	is.Equal(item["progress"].(map[string]any)["percentComplete"], 97.0)
	lib = dataOf(t, do(t, h, "GET", "/api/access/user/library?filter=in-progress", nil, bearer(ce.custTok)...))
	is.Equal(lib["pagination"].(map[string]any)["total"], 0.0)
	res = do(t, h, "GET", "/api/access/user/library?sortBy=price", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusBadRequest)
}

func TestContentBadInput(t *testing.T) {
	is := is.New(t)
	ce := newContentEnv(t)
	h := ce.h
	post := func(tok, path, body string) response {
		return do(t, h, "POST", path, cjson(body), bearer(tok)...)
	}

	res := post(ce.custTok, "/api/content", `{"title":"x","slug":"x","contentType":"written","contentBody":"b"}`)
	is.Equal(res.StatusCode, http.StatusForbidden) // customers do not author
	res = do(t, h, "POST", "/api/content", cjson(`{}`))
	is.Equal(res.StatusCode, http.StatusUnauthorized)

	res = post(ce.creatorTok, "/api/content", `{"title":"  ","slug":"Bad Slug!","contentType":"podcast"}`)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	f := res.fields(t)
	is.True(f["body.title"] != "")
	is.True(f["body.slug"] != "")
	is.True(f["body.contentType"] != "")
	res = post(ce.creatorTok, "/api/content", `{"title":"`+strings.Repeat("t", 501)+`","slug":"a--b","contentType":"written","contentBody":"b"}`)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	f = res.fields(t)
	is.True(f["body.title"] != "")
	is.True(f["body.slug"] != "")
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"written","contentBody":"b","visibility":"purchased_only","priceCents":0}`)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	is.True(res.fields(t)["body.visibility"] != "")
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"written","contentBody":"b","priceCents":10000001}`)
	is.True(res.fields(t)["body.priceCents"] != "")
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"video"}`)
	is.True(res.fields(t)["body.mediaItemId"] != "")
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"written","contentBody":"b","status":"published"}`)
	is.Equal(res.fields(t)["body.status"], "Unknown field")

	// foreign media: someone else's id is as good as none
	otherTok, _ := ce.user(t, "other@example.com", store.RoleCreator)
	otherMedia := dataOf(t, post(otherTok, "/api/media", `{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":10,"filename":"a.mp4"}`))["id"].(string)
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"video","mediaItemId":"`+otherMedia+`"}`)
	is.Equal(res.StatusCode, http.StatusNotFound)
	is.Equal(errCodeOf(t, res), "MEDIA_NOT_FOUND")
	is.Equal(do(t, h, "GET", "/api/media/"+otherMedia, nil, bearer(ce.creatorTok)...).StatusCode, http.StatusNotFound)
	myAudio := dataOf(t, post(ce.creatorTok, "/api/media", `{"title":"M","mediaType":"audio","mimeType":"audio/mpeg","fileSizeBytes":10,"filename":"a.mp3"}`))["id"].(string)
	res = post(ce.creatorTok, "/api/content", `{"title":"t","slug":"t","contentType":"video","mediaItemId":"`+myAudio+`"}`)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "CONTENT_TYPE_MISMATCH")

	// slugs: 409 on create and on update, never 500
	a := dataOf(t, post(ce.creatorTok, "/api/content", `{"title":"A","slug":"same","contentType":"written","contentBody":"b"}`))["id"].(string)
	res = post(ce.creatorTok, "/api/content", `{"title":"B","slug":"SAME","contentType":"written","contentBody":"b"}`)
	is.Equal(res.StatusCode, http.StatusConflict)
	is.Equal(errCodeOf(t, res), "SLUG_CONFLICT")
	b := dataOf(t, post(ce.creatorTok, "/api/content", `{"title":"B","slug":"other","contentType":"written","contentBody":"b"}`))["id"].(string)
	res = do(t, h, "PATCH", "/api/content/"+b, cjson(`{"slug":"same"}`), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusConflict)
	is.Equal(errCodeOf(t, res), "SLUG_CONFLICT")
	// update keeps create's rules
	res = do(t, h, "PATCH", "/api/content/"+a, cjson(`{"contentType":"video"}`), bearer(ce.creatorTok)...)
	is.True(res.fields(t)["body.mediaItemId"] != "")
	res = do(t, h, "PATCH", "/api/content/"+a, cjson(`{"visibility":"purchased_only"}`), bearer(ce.creatorTok)...)
	is.True(res.fields(t)["body.visibility"] != "")
	res = do(t, h, "PATCH", "/api/content/"+a, cjson(`{"priceCents":"ten"}`), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	res = do(t, h, "PATCH", "/api/content/"+a, cjson(`{"title":null}`), bearer(ce.creatorTok)...)
	is.Equal(res.fields(t)["body.title"], "Cannot be null")
	res = do(t, h, "PATCH", "/api/content/"+a, cjson(`{"visibility":"purchased_only","priceCents":500,"description":"New"}`), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(dataOf(t, res)["description"], "New")
	is.Equal(do(t, h, "GET", "/api/content/"+a, nil, bearer(otherTok)...).StatusCode, http.StatusNotFound)

	// media declarations
	for body, field := range map[string]string{
		`{"title":"M","mediaType":"video","mimeType":"image/png","fileSizeBytes":10,"filename":"a.mp4"}`:             "body.mimeType",
		`{"title":"M","mediaType":"video","mimeType":"audio/mpeg","fileSizeBytes":10,"filename":"a.mp4"}`:            "body.mimeType",
		`{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":5368709121,"filename":"a.mp4"}`:     "body.fileSizeBytes",
		`{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":0,"filename":"a.mp4"}`:              "body.fileSizeBytes",
		`{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":10,"filename":"../a.mp4"}`:          "body.filename",
		`{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":10,"filename":"a..mp4"}`:            "body.filename",
		`{"title":"","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":10,"filename":"a.mp4"}`:              "body.title",
		`{"title":"M","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":10,"filename":"a.mp4","r2Key":"x"}`: "body.r2Key",
	} {
		res := post(ce.creatorTok, "/api/media", body)
		is.Equal(res.StatusCode, http.StatusBadRequest)
		is.True(res.fields(t)[field] != "") // the field at fault is named
	}
	// a client PATCH cannot move status or keys
	res = do(t, h, "PATCH", "/api/media/"+myAudio, cjson(`{"status":"ready"}`), bearer(ce.creatorTok)...)
	is.Equal(res.fields(t)["body.status"], "Unknown field")
	res = do(t, h, "PATCH", "/api/media/"+myAudio, cjson(`{"hlsMasterPlaylistKey":"x"}`), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	res = do(t, h, "PATCH", "/api/media/"+myAudio, cjson(`{"title":"Renamed"}`), bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(dataOf(t, res)["title"], "Renamed")
	is.Equal(dataOf(t, res)["status"], "uploading")

	// streaming bounds
	res = do(t, h, "GET", "/api/access/content/"+a+"/stream?expirySeconds=abc", nil, bearer(ce.custTok)...)
	is.Equal(res.fields(t)["query.expirySeconds"] != "", true)
	res = do(t, h, "GET", "/api/access/content/"+a+"/stream?expirySeconds=100", nil, bearer(ce.custTok)...)
	is.Equal(res.fields(t)["query.expirySeconds"] != "", true)
	res = do(t, h, "GET", "/api/access/content/"+uuid.NewString()+"/stream", nil, bearer(ce.custTok)...)
	is.Equal(res.StatusCode, http.StatusNotFound)

	// lists really paginate
	list := dataOf(t, do(t, h, "GET", "/api/content?limit=1&page=2&sortBy=title&sortOrder=asc", nil, bearer(ce.creatorTok)...))
	is.Equal(list["pagination"].(map[string]any)["total"], 2.0)
	is.Equal(list["pagination"].(map[string]any)["page"], 2.0)
	is.Equal(list["items"].([]any)[0].(map[string]any)["id"], b)

	// delete, then gone
	is.Equal(do(t, h, "DELETE", "/api/content/"+a, nil, bearer(ce.creatorTok)...).StatusCode, http.StatusNoContent)
	is.Equal(do(t, h, "DELETE", "/api/content/"+a, nil, bearer(ce.creatorTok)...).StatusCode, http.StatusNotFound)
}

func TestUploadOfWrongKindRefused(t *testing.T) {
	is := is.New(t)
	ce := newContentEnv(t)
	png := []byte("\x89PNG\r\n\x1a\n0000000000")
	id, up := ce.createMedia(t, len(png))
	res := do(t, ce.h, "PUT", platformPath(t, up["url"].(string)), bytes.NewReader(png), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusOK)
	res = do(t, ce.h, "POST", "/api/media/"+id+"/upload-complete", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "UPLOAD_TYPE_MISMATCH")
	// still uploading: a fresh target lets the creator try again
	res = do(t, ce.h, "POST", "/api/media/"+id+"/upload-url", nil, bearer(ce.creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
}
