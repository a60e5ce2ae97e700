package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/store"
)

// openAPIValidator parses the served document; format assertions make
// uuid, date-time and email formats count.
func openAPIValidator(t *testing.T) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPIJSON())
	if err != nil {
		t.Fatalf("parse document: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("build validator: %v", errs)
	}
	return v
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s: %s", f.FieldPath, f.Reason)
		}
	}
	return b.String()
}

func TestOpenAPIDocumentIsValid31(t *testing.T) {
	v := openAPIValidator(t)
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("not a valid OpenAPI 3.1 document:%s", describe(errs))
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPIJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}

	// Served on every handler, single surfaces included.
	e := newEnv(t, codex.Config{})
	for _, h := range []http.Handler{e.srv.Handler(), e.srv.Handler(Content)} {
		res := do(t, h, "GET", "/openapi.json", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET /openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get(HeaderRequestID) == "" {
			t.Fatalf("GET /openapi.json lacks the shared headers: %v", res.Header)
		}
		if !bytes.Equal(res.body, openAPIJSON()) {
			t.Fatal("GET /openapi.json differs from the embedded document")
		}
	}
}

// documented returns the operations of the document, each path enum
// expanded into the routes registered for it.
func documented() []Route {
	a := &api{s: newSchemas(namedSchemas())}
	documentRoutes(a)
	var out []Route
	for _, o := range a.ops {
		routes := []string{o.Route}
		for name, values := range o.Enums {
			var next []string
			for _, r := range routes {
				for _, v := range values {
					next = append(next, strings.Replace(r, ":"+name, v, 1))
				}
			}
			routes = next
		}
		for _, r := range routes {
			out = append(out, Route{o.Method, r})
		}
	}
	return out
}

// covers reports whether the registered pattern reg serves the documented
// route doc: equal segments, or a parameter in reg (a surface that
// dispatches by hand registers parameters where it has static names).
func covers(reg, doc Route) bool {
	if reg.Method != doc.Method {
		return false
	}
	rs, ds := strings.Split(reg.Path, "/"), strings.Split(doc.Path, "/")
	if len(rs) != len(ds) {
		return false
	}
	for i := range rs {
		r, d := rs[i], ds[i]
		switch {
		case strings.HasPrefix(r, "*"):
			if !strings.HasPrefix(d, "*") {
				return false
			}
		case strings.HasPrefix(r, ":"):
			if strings.HasPrefix(d, "*") {
				return false
			}
		case r != d:
			return false
		}
	}
	return true
}

// TestOpenAPIRoutes holds the document to the router both ways. Registered
// routes come from Server.Routes; routes a surface dispatches itself are
// proven served by a request whose metrics label is the documented route.
func TestOpenAPIRoutes(t *testing.T) {
	e := newEnv(t, codex.Config{})
	registered := e.srv.Routes()
	docs := documented()

	for _, r := range registered {
		if !slices.ContainsFunc(docs, func(d Route) bool { return covers(r, d) }) {
			t.Errorf("%s %s is registered but not in the OpenAPI document (openapi_routes.go)", r.Method, r.Path)
		}
	}
	for _, d := range docs {
		if !slices.ContainsFunc(registered, func(r Route) bool { return covers(r, d) }) {
			t.Errorf("%s %s is documented but no route serves it", d.Method, d.Path)
		}
	}
	seen := map[Route]bool{}
	for _, d := range docs {
		if seen[d] {
			t.Errorf("%s %s is documented twice", d.Method, d.Path)
		}
		seen[d] = true
	}

	// One anonymous request per documented route: its metrics label must be
	// the documented route (a dispatching surface labels the route it
	// chose), and its answer, mostly an error, must match the document.
	v := openAPIValidator(t)
	h := e.srv.Handler()
	for _, d := range docs {
		target := routeParam.ReplaceAllStringFunc(d.Path, func(p string) string {
			switch p {
			case "*path":
				return "master.m3u8"
			case ":userId", ":token", ":slug", ":sessionId":
				return "x"
			case ":id":
				if strings.HasPrefix(d.Path, "/api/admin/customers/") || strings.HasPrefix(d.Path, "/api/admin/users/") {
					return "x"
				}
			}
			return "00000000-0000-4000-8000-000000000000"
		})
		validate(t, v, h, d.Method, target, nil)
	}
	labels := map[Route]bool{}
	metrics := do(t, h, "GET", "/metrics", nil)
	for _, m := range regexp.MustCompile(`codex_http_requests_total\{method="([A-Z]+)",route="([^"]+)"`).FindAllStringSubmatch(string(metrics.body), -1) {
		labels[Route{m[1], m[2]}] = true
	}
	for _, d := range docs {
		if !labels[d] {
			t.Errorf("%s %s is documented but a request for it was not served under that route", d.Method, d.Path)
		}
	}
}

// validate sends one request to h and checks the answer, status and body,
// against the document; a 2xx also checks the request. It returns the
// response for the scenario to go on with.
func validate(t *testing.T, v validator.Validator, h http.Handler, method, target string, body []byte, header ...string) response {
	t.Helper()
	build := func() *http.Request {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req := httptest.NewRequest(method, target, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, build())
	res := rec.Result()
	res.Request = build()
	b, _ := io.ReadAll(res.Body)

	if method == http.MethodHead {
		b = nil // net/http sends no body for HEAD; the recorder keeps it
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	if ok, errs := v.ValidateHttpResponse(build(), res); !ok {
		t.Errorf("%s %s → %d does not match the document:%s\n  body: %.400s", method, target, res.StatusCode, describe(errs), b)
	}
	if res.StatusCode < 300 {
		if ok, errs := v.ValidateHttpRequest(build()); !ok {
			t.Errorf("%s %s: the request does not match the document:%s", method, target, describe(errs))
		}
	}
	return response{res, b}
}

// TestOpenAPIResponses drives the platform through its surfaces, as the
// roles that use them, and validates every answer against the document.
func TestOpenAPIResponses(t *testing.T) {
	e := newEnv(t, codex.Config{Transcoder: "none"})
	h := e.srv.Handler()
	v := openAPIValidator(t)
	call := func(method, target string, body string, header ...string) response {
		t.Helper()
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		return validate(t, v, h, method, target, b, header...)
	}
	want := func(res response, status int) {
		t.Helper()
		if res.StatusCode != status {
			t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL, res.StatusCode, status, res.body)
		}
	}
	dataID := func(res response) string {
		t.Helper()
		id, _ := res.json(t)["data"].(map[string]any)["id"].(string)
		return id
	}
	ownerTok, _ := e.user(t, "owner@example.com", store.RolePlatformOwner)
	creatorTok, creator := e.user(t, "creator@example.com", store.RoleCreator)
	custTok, _ := e.user(t, "customer@example.com", store.RoleCustomer)
	owner, cr, cust := bearer(ownerTok), bearer(creatorTok), bearer(custTok)

	// platform
	want(call("GET", "/health", ""), 200)
	want(call("HEAD", "/health", ""), 200)
	want(call("GET", "/health/content-api", ""), 200)
	want(call("GET", "/metrics", ""), 200)
	want(call("GET", "/openapi.json", ""), 200)

	// auth: bare bodies and flat errors
	want(call("POST", "/api/auth/sign-up/email", `{"name":"New","email":"new@example.com","password":"new password 1"}`), 200)
	want(call("POST", "/api/auth/sign-in/email", `{"email":"new@example.com","password":"new password 1"}`), 403)
	want(call("POST", "/api/auth/sign-in/email", `{"email":`), 400)
	signIn := call("POST", "/api/auth/sign-in/email", `{"email":"creator@example.com","password":"`+testPassword+`"}`)
	want(signIn, 200)
	tok := bearer(signIn.json(t)["token"].(string))
	want(call("GET", "/api/auth/get-session", "", tok...), 200)
	want(call("GET", "/api/auth/list-sessions", "", tok...), 200)
	want(call("POST", "/api/auth/update-user", `{"name":"Renamed"}`, tok...), 200)
	want(call("POST", "/api/auth/sign-out", "", tok...), 200)
	if res := call("GET", "/api/auth/get-session", "", tok...); string(bytes.TrimSpace(res.body)) != "null" {
		t.Fatalf("session after sign-out: %s", res.body)
	}
	want(call("GET", "/api/auth/list-sessions", ""), 401)
	want(call("GET", "/api/auth/ok", ""), 200)

	// identity
	want(call("GET", "/api/identity/me", "", cr...), 200)
	want(call("PATCH", "/api/identity/me", `{"name":"Creator","image":null}`, cr...), 200)
	want(call("GET", "/api/identity/me", ""), 401)

	// organizations
	want(call("POST", "/api/organizations", `{"name":"Nope","slug":"nope"}`, cust...), 403)
	created := call("POST", "/api/organizations", `{"name":"Studio","slug":"studio","description":"Films"}`, cr...)
	want(created, 201)
	orgID := dataID(created)
	want(call("POST", "/api/organizations", `{"name":"Studio","slug":"studio"}`, cr...), 409)
	want(call("POST", "/api/organizations", `{"name":1}`, cr...), 400)
	want(call("GET", "/api/organizations/"+orgID, "", cr...), 200)
	want(call("GET", "/api/organizations/not-a-uuid", "", cr...), 400)
	want(call("GET", "/api/organizations/"+uuid.NewString(), "", cr...), 404)
	want(call("GET", "/api/organizations?sortBy=name&sortOrder=asc&page=1&limit=5", "", cr...), 200)
	want(call("GET", "/api/organizations?page=0", "", cr...), 400)
	want(call("GET", "/api/organizations/check-slug/studio", "", cr...), 200)
	want(call("GET", "/api/organizations/slug/studio", "", cr...), 200)
	want(call("PATCH", "/api/organizations/"+orgID, `{"websiteUrl":"https://studio.example.com","description":null}`, cr...), 200)
	want(call("GET", "/api/organizations/"+orgID+"/settings", "", cr...), 200)
	want(call("GET", "/api/organizations/"+orgID+"/settings/contact", "", cr...), 200)
	want(call("PUT", "/api/organizations/"+orgID+"/settings/branding", `{"primaryColorHex":"#112233"}`, cr...), 200)
	want(call("PUT", "/api/organizations/"+orgID+"/settings/features", `{"enableSignups":false}`, cr...), 200)
	want(call("POST", "/api/organizations/"+orgID+"/members", `{"email":"customer@example.com"}`, cr...), 201)
	want(call("GET", "/api/organizations/"+orgID+"/members", "", cr...), 200)
	want(call("GET", "/api/organizations/public/studio", ""), 200)
	want(call("GET", "/api/organizations/public/studio/logo", ""), 404)

	// content and media
	written := call("POST", "/api/content", fmt.Sprintf(`{"title":"Essay","slug":"essay","contentType":"written",
		"contentBody":"Words","organizationId":%q,"visibility":"purchased_only","priceCents":500,"tags":["a"]}`, orgID), cr...)
	want(written, 201)
	essay := dataID(written)
	want(call("POST", "/api/content", `{"title":"x"}`, cust...), 403)
	want(call("POST", "/api/content/"+essay+"/publish", "", cr...), 200)
	want(call("GET", "/api/content/"+essay, "", cr...), 200)
	want(call("GET", "/api/content?status=published&sortOrder=asc", "", cr...), 200)
	want(call("PATCH", "/api/content/"+essay, `{"description":"About words","category":null}`, cr...), 200)

	media := call("POST", "/api/media", fmt.Sprintf(
		`{"title":"Clip","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":%d,"filename":"clip.mp4"}`, len(mp4Bytes)), cr...)
	want(media, 201)
	mediaID := dataID(media)
	upload := media.json(t)["data"].(map[string]any)["upload"].(map[string]any)
	u, _ := url.Parse(upload["url"].(string))
	rec := httptest.NewRecorder()
	put := httptest.NewRequest("PUT", u.RequestURI(), bytes.NewReader(mp4Bytes))
	put.Header.Set("Content-Type", "video/mp4")
	h.ServeHTTP(rec, put)
	uploaded := rec.Result()
	if ok, errs := v.ValidateHttpResponse(httptest.NewRequest("PUT", u.RequestURI(), nil), uploaded); !ok || uploaded.StatusCode != 200 {
		t.Fatalf("upload: %d:%s", uploaded.StatusCode, describe(errs))
	}
	// With no transcoder the upload is kept and the 503 says so in details.
	want(call("POST", "/api/media/"+mediaID+"/upload-complete", "", cr...), 503)
	want(call("GET", "/api/media/"+mediaID, "", cr...), 200)
	want(call("GET", "/api/media?mediaType=video", "", cr...), 200)
	want(call("GET", "/api/transcoding/status/"+mediaID, "", cr...), 200)
	want(call("GET", "/api/transcoding/status/"+uuid.NewString(), "", cr...), 404)

	// streaming: refused until bought, then a grant and its HLS objects
	want(call("GET", "/api/access/content/"+essay+"/stream", "", cust...), 403)
	readyMedia(t, e, creator, mediaID)
	film := call("POST", "/api/content", fmt.Sprintf(`{"title":"Film","slug":"film","contentType":"video","mediaItemId":%q,"visibility":"public","organizationId":%q}`, mediaID, orgID), cr...)
	want(film, 201)
	filmID := dataID(film)
	want(call("POST", "/api/content/"+filmID+"/publish", "", cr...), 200)
	grant := call("GET", "/api/access/content/"+filmID+"/stream?expirySeconds=600", "", cust...)
	want(grant, 200)
	stream, _ := url.Parse(grant.json(t)["data"].(map[string]any)["streamingUrl"].(string))
	want(call("GET", stream.RequestURI(), ""), 200)
	want(call("HEAD", stream.RequestURI(), ""), 200)
	want(call("GET", strings.Replace(stream.RequestURI(), "/hls/", "/hls/forged", 1), ""), 403)
	want(call("POST", "/api/access/content/"+filmID+"/progress", `{"positionSeconds":3,"durationSeconds":6}`, cust...), 204)
	want(call("POST", "/api/access/content/"+filmID+"/progress", `{}`, cust...), 400)
	want(call("GET", "/api/access/content/"+filmID+"/progress", "", cust...), 200)
	want(call("GET", "/api/access/user/library", "", cust...), 200)

	// purchases
	want(call("GET", "/purchases", "", cust...), 200)
	want(call("GET", "/purchases?status=bogus", "", cust...), 400)
	want(call("POST", "/checkout/create", `{"contentId":"nope"}`, cust...), 400)
	want(call("POST", "/checkout/create", `{"contentId":"`+essay+`"}`), 401)
	checkout := call("POST", "/checkout/create", fmt.Sprintf(
		`{"contentId":%q,"successUrl":"http://localhost:8080/ok","cancelUrl":"http://localhost:8080/cancel"}`, essay), cust...)
	want(checkout, 200)
	session, _ := url.Parse(checkout.json(t)["data"].(map[string]any)["sessionUrl"].(string))
	want(call("GET", session.RequestURI(), "", cust...), 200)
	paid := call("POST", session.RequestURI()+"/complete", "", cust...)
	want(paid, 200)
	purchaseID := paid.json(t)["data"].(map[string]any)["purchase"].(map[string]any)["id"].(string)
	want(call("GET", "/purchases", "", cust...), 200)
	want(call("GET", "/purchases/"+purchaseID, "", cust...), 200)

	// admin
	want(call("GET", "/api/admin/status", "", owner...), 200)
	want(call("GET", "/api/admin/analytics/revenue", "", owner...), 200)
	want(call("GET", "/api/admin/analytics/revenue?organizationId="+orgID+"&startDate=2020-01-01&endDate=2020-01-31", "", owner...), 200)
	want(call("GET", "/api/admin/analytics/revenue", "", cust...), 403)
	want(call("GET", "/api/admin/analytics/top-content", "", owner...), 200)
	want(call("GET", "/api/admin/analytics/customers", "", owner...), 200)
	want(call("GET", "/api/admin/analytics/dashboard", "", owner...), 200)
	customers := call("GET", "/api/admin/customers", "", owner...)
	want(customers, 200)
	custID := customers.json(t)["data"].(map[string]any)["items"].([]any)[0].(map[string]any)["userId"].(string)
	want(call("GET", "/api/admin/customers/"+custID, "", owner...), 200)
	want(call("GET", "/api/admin/customers/nobody", "", owner...), 404)
	want(call("POST", "/api/admin/customers/"+custID+"/grant-access/"+filmID, `{"reason":"gift"}`, owner...), 200)
	want(call("GET", "/api/admin/content?status=published", "", owner...), 200)

	// notifications
	want(call("GET", "/api/templates/global", "", owner...), 200)
	tmpl := call("POST", "/api/templates/global", `{"name":"welcome","subject":"Hi from {{platformName}}","htmlBody":"<p>Welcome aboard</p>","textBody":"Welcome aboard","status":"active"}`, owner...)
	want(tmpl, 201)
	want(call("GET", "/api/templates/global/"+dataID(tmpl), "", owner...), 200)
	want(call("POST", "/api/templates/"+dataID(tmpl)+"/preview", `{"data":{"platformName":"Studio"}}`, owner...), 200)
	want(call("GET", "/api/templates/global", "", cust...), 403)
	creatorTmpl := call("POST", "/api/templates/creator", `{"name":"promo","subject":"Something new","htmlBody":"<p>Something new</p>","textBody":"Something new"}`, cr...)
	want(creatorTmpl, 201)
	want(call("PATCH", "/api/templates/creator/"+dataID(creatorTmpl), `{"description":null,"status":"archived"}`, cr...), 200)
	want(call("GET", "/api/templates/organizations/"+orgID, "", cr...), 200)
	want(call("GET", "/api/unsubscribe", ""), 400)
}

// readyMedia plays the transcoder's part, as content_test does: HLS
// objects in the blob store and the media item moved to ready.
func readyMedia(t *testing.T, e *testEnv, creator *store.User, mediaID string) {
	t.Helper()
	ctx := context.Background()
	prefix := creator.ID + "/hls/" + mediaID + "/"
	master := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=3000000\n720p/index.m3u8\n"
	if err := e.c.Blobs().Put(ctx, prefix+"master.m3u8", strings.NewReader(master), int64(len(master)), "application/vnd.apple.mpegurl"); err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(mediaID)
	if _, err := e.c.Store().Media().Update(ctx, id, store.MediaPatch{Status: store.Some(store.MediaTranscoding)}); err != nil {
		t.Fatal(err)
	}
	key, thumb, dur := prefix+"master.m3u8", creator.ID+"/thumbnails/"+mediaID+"/auto-generated.jpg", 6
	if _, err := e.c.Store().Media().Update(ctx, id, store.MediaPatch{
		IfStatus: []store.MediaStatus{store.MediaTranscoding}, Status: store.Some(store.MediaReady),
		HLSMasterPlaylistKey: store.Some(&key), ThumbnailKey: store.Some(&thumb), DurationSeconds: store.Some(&dur),
	}); err != nil {
		t.Fatal(err)
	}
}
