package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
)

// orgEnv is a platform serving the organization surface, with helpers for
// its JSON calls.
type orgEnv struct {
	*testEnv
	h     http.Handler
	blobs *orgTestBlobs
}

func newOrgEnv(t *testing.T) *orgEnv {
	blobs := &orgTestBlobs{Blobs: orgDisk(t)}
	e := newEnv(t, codex.Config{PublicURL: "https://codex.example", Blobs: blobs})
	return &orgEnv{testEnv: e, h: e.srv.Handler(Organization), blobs: blobs}
}

func orgDisk(t *testing.T) *disk.Blobs {
	b, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// orgTestBlobs is disk storage that remembers which keys exist, so tests
// can see objects being replaced and cleaned up.
type orgTestBlobs struct {
	*disk.Blobs
	mu   sync.Mutex
	keys map[string]bool
}

func (b *orgTestBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if err := b.Blobs.Put(ctx, key, r, size, ct); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keys == nil {
		b.keys = map[string]bool{}
	}
	b.keys[key] = true
	return nil
}

func (b *orgTestBlobs) Delete(ctx context.Context, key string) error {
	if err := b.Blobs.Delete(ctx, key); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
	return nil
}

// under lists the stored keys with the prefix.
func (b *orgTestBlobs) under(prefix string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for k := range b.keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

func orgJSON(v any) io.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

// call sends a JSON request as the holder of token ("" = anonymous).
func (e *orgEnv) call(t *testing.T, token, method, target string, body any) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = orgJSON(body)
	}
	var hdr []string
	if token != "" {
		hdr = bearer(token)
	}
	return do(t, e.h, method, target, r, hdr...)
}

func orgData(t *testing.T, r response) map[string]any {
	t.Helper()
	d, ok := r.json(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", r.body)
	}
	return d
}

func orgExpect(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.body)
	}
}

func orgErrCode(t *testing.T, r response) string {
	t.Helper()
	c, _ := r.errorBody(t)["code"].(string)
	return c
}

// createOrg creates an organization as token's user and returns its id.
func (e *orgEnv) createOrg(t *testing.T, token, slug string) string {
	t.Helper()
	res := e.call(t, token, "POST", "/api/organizations", map[string]any{"name": "Org " + slug, "slug": slug})
	orgExpect(t, res, http.StatusCreated)
	return orgData(t, res)["id"].(string)
}

func TestOrgCreatorCreatesAndManagesOwnOrganization(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "maker@example.com", store.RoleCreator)

	res := e.call(t, tok, "POST", "/api/organizations", map[string]any{
		"name": "  Acme Studio ", "slug": " Acme-Studio ", "description": "", "websiteUrl": "https://acme.example",
	})
	orgExpect(t, res, http.StatusCreated)
	o := orgData(t, res)
	id := o["id"].(string)
	is.Equal(o["name"], "Acme Studio")
	is.Equal(o["slug"], "acme-studio")
	is.Equal(o["description"], nil) // empty description is stored as null
	is.Equal(o["websiteUrl"], "https://acme.example")
	is.Equal(o["deletedAt"], nil)

	// The creator is the owner member at once, without platform-owner rights.
	res = e.call(t, tok, "GET", "/api/organizations/"+id, nil)
	orgExpect(t, res, http.StatusOK)
	res = e.call(t, tok, "GET", "/api/organizations/slug/ACME-studio", nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["id"], id)

	res = e.call(t, tok, "PATCH", "/api/organizations/"+id, map[string]any{"name": "Acme", "description": "Films", "websiteUrl": nil})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["name"], "Acme")
	is.Equal(orgData(t, res)["description"], "Films")
	is.Equal(orgData(t, res)["websiteUrl"], nil)

	res = e.call(t, tok, "PUT", "/api/organizations/"+id+"/settings/branding", map[string]any{"primaryColorHex": " #a1b2c3 "})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["primaryColorHex"], "#A1B2C3")

	res = e.call(t, tok, "PUT", "/api/organizations/"+id+"/settings/contact", map[string]any{
		"platformName": "Acme TV", "supportEmail": "help@acme.example", "contactUrl": "https://acme.example/contact", "timezone": "Europe/Paris",
	})
	orgExpect(t, res, http.StatusOK)
	res = e.call(t, tok, "PUT", "/api/organizations/"+id+"/settings/features", map[string]any{"enablePurchases": false})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["enablePurchases"], false)
	is.Equal(orgData(t, res)["enableSignups"], true)

	res = e.call(t, tok, "GET", "/api/organizations/"+id+"/settings", nil)
	orgExpect(t, res, http.StatusOK)
	s := orgData(t, res)
	is.Equal(s["branding"].(map[string]any)["primaryColorHex"], "#A1B2C3")
	is.Equal(s["contact"].(map[string]any)["timezone"], "Europe/Paris")
	is.Equal(s["contact"].(map[string]any)["contactUrl"], "https://acme.example/contact")
	is.Equal(s["features"].(map[string]any)["enablePurchases"], false)
	for _, part := range []string{"branding", "contact", "features"} {
		res = e.call(t, tok, "GET", "/api/organizations/"+id+"/settings/"+part, nil)
		orgExpect(t, res, http.StatusOK)
	}

	// The purchase flow sees the toggle.
	on, err := e.c.Orgs().PurchasesEnabled(t.Context(), uuid.MustParse(id))
	is.NoErr(err)
	is.True(!on)

	res = e.call(t, tok, "GET", "/api/organizations", nil)
	orgExpect(t, res, http.StatusOK)
	items := orgData(t, res)["items"].([]any)
	is.Equal(len(items), 1)
	is.Equal(orgData(t, res)["pagination"], map[string]any{"page": 1.0, "limit": 20.0, "total": 1.0, "totalPages": 1.0})
}

func TestOrgNonMembersSeeNothing(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	owner, _ := e.user(t, "owner@example.com", store.RoleCreator)
	other, _ := e.user(t, "other@example.com", store.RoleCreator)
	id := e.createOrg(t, owner, "private-org")
	missing := uuid.NewString()

	// Every read and write of another's organization answers exactly as
	// for an id that does not exist.
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/organizations/%s"},
		{"GET", "/api/organizations/%s/settings"},
		{"GET", "/api/organizations/%s/settings/branding"},
		{"GET", "/api/organizations/%s/settings/contact"},
		{"GET", "/api/organizations/%s/settings/features"},
		{"GET", "/api/organizations/%s/members"},
		{"PATCH", "/api/organizations/%s"},
		{"PUT", "/api/organizations/%s/settings/branding"},
		{"PUT", "/api/organizations/%s/settings/features"},
		{"POST", "/api/organizations/%s/members"},
		{"DELETE", "/api/organizations/%s/settings/branding/logo"},
		{"DELETE", "/api/organizations/%s"},
	} {
		body := map[string]any{}
		if c.method == "POST" {
			body = map[string]any{"email": "owner@example.com"}
		}
		if c.method == "GET" || c.method == "DELETE" {
			body = nil
		}
		got := e.call(t, other, c.method, fmt.Sprintf(c.path, id), body)
		want := e.call(t, other, c.method, fmt.Sprintf(c.path, missing), body)
		orgExpect(t, got, http.StatusNotFound)
		is.Equal(string(got.body), string(want.body))
	}
	res := e.call(t, other, "GET", "/api/organizations/slug/private-org", nil)
	orgExpect(t, res, http.StatusNotFound)
	res = e.call(t, other, "GET", "/api/organizations", nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(len(orgData(t, res)["items"].([]any)), 0)

	// The owner's organization is untouched.
	res = e.call(t, owner, "GET", "/api/organizations/"+id, nil)
	orgExpect(t, res, http.StatusOK)

	// Anonymous callers are 401 before the id is even looked at.
	res = e.call(t, "", "GET", "/api/organizations/not-a-uuid", nil)
	orgExpect(t, res, http.StatusUnauthorized)
	res = e.call(t, "", "GET", "/api/organizations/"+id+"/settings", nil)
	orgExpect(t, res, http.StatusUnauthorized)
	res = e.call(t, owner, "GET", "/api/organizations/not-a-uuid", nil)
	orgExpect(t, res, http.StatusBadRequest)
	is.Equal(res.fields(t)["params.id"], "Invalid ID format")
}

func TestOrgPlatformOwnerManagesAnyOrganization(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	owner, _ := e.user(t, "owner@example.com", store.RoleCreator)
	po, _ := e.user(t, "root@example.com", store.RolePlatformOwner)
	id := e.createOrg(t, owner, "someones-org")
	e.createOrg(t, po, "root-org")

	res := e.call(t, po, "PATCH", "/api/organizations/"+id, map[string]any{"name": "Renamed"})
	orgExpect(t, res, http.StatusOK)
	res = e.call(t, po, "GET", "/api/organizations?sortBy=name&sortOrder=asc", nil)
	orgExpect(t, res, http.StatusOK)
	items := orgData(t, res)["items"].([]any)
	is.Equal(len(items), 2)
	is.Equal(items[0].(map[string]any)["name"], "Org root-org")
	is.Equal(items[1].(map[string]any)["name"], "Renamed")

	res = e.call(t, po, "GET", "/api/organizations?limit=1&page=2&sortBy=name&sortOrder=asc", nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(len(orgData(t, res)["items"].([]any)), 1)
	is.Equal(orgData(t, res)["items"].([]any)[0].(map[string]any)["name"], "Renamed")
	is.Equal(orgData(t, res)["pagination"].(map[string]any)["totalPages"], 2.0)

	res = e.call(t, po, "GET", "/api/organizations?search=renam", nil)
	is.Equal(len(orgData(t, res)["items"].([]any)), 1)
	res = e.call(t, po, "GET", "/api/organizations?sortBy=updatedAt&sortOrder=up", nil)
	orgExpect(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["query.sortBy"] != "")
	is.True(res.fields(t)["query.sortOrder"] != "")
}

func TestOrgPublicBranding(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "brand@example.com", store.RoleCreator)
	id := e.createOrg(t, tok, "brand-co")

	res := e.call(t, "", "GET", "/api/organizations/public/brand-co", nil)
	orgExpect(t, res, http.StatusOK)
	d := orgData(t, res)
	is.Equal(d["logoUrl"], nil)
	is.Equal(d["primaryColorHex"], store.DefaultPrimaryColor)
	is.Equal(d["platformName"], store.DefaultPlatformName)

	e.call(t, tok, "PUT", "/api/organizations/"+id+"/settings/branding", map[string]any{"primaryColorHex": "#00ff00"})
	e.call(t, tok, "PUT", "/api/organizations/"+id+"/settings/contact", map[string]any{"platformName": "Brand TV"})
	res = e.call(t, "", "GET", "/api/organizations/public/Brand-Co", nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["primaryColorHex"], "#00FF00")
	is.Equal(orgData(t, res)["platformName"], "Brand TV")

	res = e.call(t, "", "GET", "/api/organizations/public/nobody-here", nil)
	orgExpect(t, res, http.StatusNotFound)
	res = e.call(t, "", "GET", "/api/organizations/public/bad--slug", nil)
	orgExpect(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["params.slug"] != "")

	// Soft delete: gone from every read, public included; slug stays taken.
	res = e.call(t, tok, "DELETE", "/api/organizations/"+id, nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["success"], true)
	is.Equal(res.Header.Get("X-RateLimit-Limit"), "5") // the reference's "auth" preset
	for _, p := range []string{"/api/organizations/public/brand-co", "/api/organizations/public/brand-co/logo"} {
		orgExpect(t, e.call(t, "", "GET", p, nil), http.StatusNotFound)
	}
	orgExpect(t, e.call(t, tok, "GET", "/api/organizations/"+id, nil), http.StatusNotFound)
	orgExpect(t, e.call(t, tok, "GET", "/api/organizations/slug/brand-co", nil), http.StatusNotFound)
	orgExpect(t, e.call(t, tok, "GET", "/api/organizations/"+id+"/settings", nil), http.StatusNotFound)
	res = e.call(t, tok, "GET", "/api/organizations", nil)
	is.Equal(len(orgData(t, res)["items"].([]any)), 0)
	res = e.call(t, tok, "GET", "/api/organizations/check-slug/brand-co", nil)
	is.Equal(orgData(t, res)["available"], false)
	res = e.call(t, tok, "POST", "/api/organizations", map[string]any{"name": "Again", "slug": "brand-co"})
	orgExpect(t, res, http.StatusConflict)
	is.Equal(orgErrCode(t, res), org.CodeSlugTaken)
}

func TestOrgMembership(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	owner, ownerUser := e.user(t, "owner@example.com", store.RoleCreator)
	member, memberUser := e.user(t, "member@example.com", store.RoleCustomer)
	id := e.createOrg(t, owner, "crew")
	base := "/api/organizations/" + id

	// Before being added, the customer cannot see the organization.
	orgExpect(t, e.call(t, member, "GET", base, nil), http.StatusNotFound)

	res := e.call(t, owner, "POST", base+"/members", map[string]any{"email": " Member@Example.com "})
	orgExpect(t, res, http.StatusCreated)
	is.Equal(orgData(t, res)["userId"], memberUser.ID)
	is.Equal(orgData(t, res)["role"], "member")
	is.Equal(orgData(t, res)["email"], "member@example.com")
	is.Equal(orgData(t, res)["name"], memberUser.Name)

	// The change applies to the member's next request (no stale cache).
	res = e.call(t, member, "GET", base, nil)
	orgExpect(t, res, http.StatusOK)
	res = e.call(t, member, "GET", "/api/organizations", nil)
	is.Equal(len(orgData(t, res)["items"].([]any)), 1)
	// A member reads but does not manage.
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PATCH", base, map[string]any{"name": "Mine now"}},
		{"GET", base + "/settings", nil},
		{"PUT", base + "/settings/branding", map[string]any{"primaryColorHex": "#000000"}},
		{"POST", base + "/members", map[string]any{"email": "owner@example.com"}},
		{"DELETE", base, nil},
	} {
		res = e.call(t, member, c.method, c.path, c.body)
		orgExpect(t, res, http.StatusForbidden)
	}

	res = e.call(t, owner, "POST", base+"/members", map[string]any{"email": "member@example.com", "role": "admin"})
	orgExpect(t, res, http.StatusConflict)
	is.Equal(orgErrCode(t, res), org.CodeAlreadyMember)
	res = e.call(t, owner, "POST", base+"/members", map[string]any{"email": "ghost@example.com"})
	orgExpect(t, res, http.StatusNotFound)
	is.Equal(orgErrCode(t, res), org.CodeUserNotFound)
	res = e.call(t, owner, "POST", base+"/members", map[string]any{"email": "not-an-email", "role": "boss"})
	orgExpect(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.email"] != "")
	is.True(res.fields(t)["body.role"] != "")

	res = e.call(t, owner, "GET", base+"/members", nil)
	orgExpect(t, res, http.StatusOK)
	items := orgData(t, res)["items"].([]any)
	is.Equal(len(items), 2)
	is.Equal(items[0].(map[string]any)["email"], "owner@example.com")
	is.Equal(items[0].(map[string]any)["role"], "owner")

	// The last owner can neither leave, be removed, nor be demoted.
	res = e.call(t, owner, "DELETE", base+"/members/"+ownerUser.ID, nil)
	orgExpect(t, res, http.StatusUnprocessableEntity)
	is.Equal(orgErrCode(t, res), org.CodeLastOwner)
	res = e.call(t, owner, "PATCH", base+"/members/"+ownerUser.ID, map[string]any{"role": "admin"})
	orgExpect(t, res, http.StatusUnprocessableEntity)
	is.Equal(orgErrCode(t, res), org.CodeLastOwner)

	// Promoted to admin, the member manages the organization.
	res = e.call(t, owner, "PATCH", base+"/members/"+memberUser.ID, map[string]any{"role": "admin"})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["role"], "admin")
	orgExpect(t, e.call(t, member, "PATCH", base, map[string]any{"name": "Crew"}), http.StatusOK)
	// but an admin cannot touch owners or delete the organization.
	orgExpect(t, e.call(t, member, "PATCH", base+"/members/"+ownerUser.ID, map[string]any{"role": "member"}), http.StatusForbidden)
	orgExpect(t, e.call(t, member, "PATCH", base+"/members/"+memberUser.ID, map[string]any{"role": "owner"}), http.StatusForbidden)
	orgExpect(t, e.call(t, member, "DELETE", base, nil), http.StatusForbidden)

	// With a second owner, the first may step down.
	orgExpect(t, e.call(t, owner, "PATCH", base+"/members/"+memberUser.ID, map[string]any{"role": "owner"}), http.StatusOK)
	res = e.call(t, owner, "DELETE", base+"/members/"+ownerUser.ID, nil)
	orgExpect(t, res, http.StatusOK)
	orgExpect(t, e.call(t, owner, "GET", base, nil), http.StatusNotFound)

	res = e.call(t, member, "DELETE", base+"/members/"+ownerUser.ID, nil)
	orgExpect(t, res, http.StatusNotFound)
	is.Equal(orgErrCode(t, res), "MEMBER_NOT_FOUND")
	res = e.call(t, member, "DELETE", base+"/members/bad-id!", nil)
	orgExpect(t, res, http.StatusBadRequest)
}

func TestOrgCreateValidation(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	creator, _ := e.user(t, "c@example.com", store.RoleCreator)
	customer, _ := e.user(t, "cust@example.com", store.RoleCustomer)
	admin, _ := e.user(t, "adm@example.com", store.RoleAdmin)

	orgExpect(t, e.call(t, "", "POST", "/api/organizations", map[string]any{"name": "A", "slug": "a"}), http.StatusUnauthorized)
	orgExpect(t, e.call(t, customer, "POST", "/api/organizations", map[string]any{"name": "A", "slug": "a"}), http.StatusForbidden)
	orgExpect(t, e.call(t, admin, "POST", "/api/organizations", map[string]any{"name": "A", "slug": "admins-org"}), http.StatusCreated)

	for _, slug := range []string{"admin", " API ", "organization-api", "www", "localhost"} {
		res := e.call(t, creator, "POST", "/api/organizations", map[string]any{"name": "X", "slug": slug})
		orgExpect(t, res, http.StatusBadRequest)
		is.Equal(orgErrCode(t, res), org.CodeReservedSlug)
		is.True(res.fields(t)["body.slug"] != "")
	}

	res := e.call(t, creator, "POST", "/api/organizations", map[string]any{
		"name": "  ", "slug": "-bad-", "websiteUrl": "javascript:alert(1)", "logoUrl": "not a url",
		"description": strings.Repeat("d", 5001),
	})
	orgExpect(t, res, http.StatusBadRequest)
	f := res.fields(t)
	is.Equal(f["body.name"], "Name is required")
	is.True(f["body.slug"] != "")
	is.Equal(f["body.websiteUrl"], "URL must use HTTP or HTTPS protocol")
	is.Equal(f["body.logoUrl"], "Invalid URL format")
	is.True(f["body.description"] != "")

	res = e.call(t, creator, "POST", "/api/organizations", map[string]any{"name": "X", "slug": strings.Repeat("a", 256)})
	orgExpect(t, res, http.StatusBadRequest)
	is.Equal(res.fields(t)["body.slug"], "Slug must be 255 characters or less")
	res = e.call(t, creator, "POST", "/api/organizations", map[string]any{"name": "X", "slug": "x", "owner": "me"})
	orgExpect(t, res, http.StatusBadRequest)
	is.Equal(res.fields(t)["body.owner"], "Unknown field")

	e.createOrg(t, creator, "taken")
	res = e.call(t, creator, "POST", "/api/organizations", map[string]any{"name": "Y", "slug": "TAKEN"})
	orgExpect(t, res, http.StatusConflict)
	is.Equal(orgErrCode(t, res), org.CodeSlugTaken)
	is.True(res.fields(t)["body.slug"] != "")
}

// check-slug says "available" exactly when create would accept the slug.
func TestOrgCheckSlugAgreesWithCreate(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "c@example.com", store.RoleCreator)
	gone := e.createOrg(t, tok, "gone")
	orgExpect(t, e.call(t, tok, "DELETE", "/api/organizations/"+gone, nil), http.StatusOK)
	e.createOrg(t, tok, "live")

	for _, slug := range []string{"fresh", "Fresh-Two", "gone", "live", "admin", "staging", "bad_slug", "-x"} {
		check := e.call(t, tok, "GET", "/api/organizations/check-slug/"+url.PathEscape(slug), nil)
		create := e.call(t, tok, "POST", "/api/organizations", map[string]any{"name": "N", "slug": slug})
		switch check.StatusCode {
		case http.StatusOK:
			avail := orgData(t, check)["available"].(bool)
			if avail != (create.StatusCode == http.StatusCreated) {
				t.Fatalf("slug %q: check says available=%v, create answered %d %s", slug, avail, create.StatusCode, create.body)
			}
			if !avail {
				is.True(create.StatusCode == http.StatusConflict || orgErrCode(t, create) == org.CodeReservedSlug)
			}
		case http.StatusBadRequest:
			orgExpect(t, create, http.StatusBadRequest)
		default:
			t.Fatalf("slug %q: check answered %d", slug, check.StatusCode)
		}
	}
	res := e.call(t, tok, "GET", "/api/organizations/check-slug/admin", nil)
	is.Equal(orgData(t, res)["reason"], "reserved")
	res = e.call(t, tok, "GET", "/api/organizations/check-slug/gone", nil)
	is.Equal(orgData(t, res)["reason"], "taken")
	orgExpect(t, e.call(t, "", "GET", "/api/organizations/check-slug/x", nil), http.StatusUnauthorized)
}

func TestOrgSettingsValidation(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "c@example.com", store.RoleCreator)
	id := e.createOrg(t, tok, "valid")
	base := "/api/organizations/" + id + "/settings/"

	for _, c := range []struct {
		part  string
		body  map[string]any
		field string
	}{
		{"branding", map[string]any{"primaryColorHex": "blue"}, "body.primaryColorHex"},
		{"branding", map[string]any{"primaryColorHex": "#12345"}, "body.primaryColorHex"},
		{"branding", map[string]any{"primaryColorHex": nil}, "body.primaryColorHex"},
		{"branding", map[string]any{"primaryColorHex": 123}, "body.primaryColorHex"},
		{"contact", map[string]any{"timezone": "Mars/Olympus_Mons"}, "body.timezone"},
		{"contact", map[string]any{"timezone": "Local"}, "body.timezone"},
		{"contact", map[string]any{"contactUrl": "ftp://files.example"}, "body.contactUrl"},
		{"contact", map[string]any{"supportEmail": "help at example"}, "body.supportEmail"},
		{"contact", map[string]any{"supportEmail": strings.Repeat("a", 250) + "@x.example"}, "body.supportEmail"},
		{"contact", map[string]any{"platformName": strings.Repeat("p", 101)}, "body.platformName"},
		{"contact", map[string]any{"platformName": " "}, "body.platformName"},
		{"features", map[string]any{"enableSignups": "true"}, "body.enableSignups"},
		{"features", map[string]any{"enablePurchases": 1}, "body.enablePurchases"},
		{"features", map[string]any{"enablePurchases": nil}, "body.enablePurchases"},
	} {
		res := e.call(t, tok, "PUT", base+c.part, c.body)
		if res.StatusCode != http.StatusBadRequest || res.fields(t)[c.field] == "" {
			t.Fatalf("PUT %s %v: %d %s, want 400 on %s", c.part, c.body, res.StatusCode, res.body, c.field)
		}
	}

	res := e.call(t, tok, "PUT", base+"contact", map[string]any{"contactUrl": "https://x.example/help", "timezone": "America/Argentina/Buenos_Aires"})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["timezone"], "America/Argentina/Buenos_Aires")
	res = e.call(t, tok, "PUT", base+"contact", map[string]any{"contactUrl": nil})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["contactUrl"], nil)
	is.Equal(orgData(t, res)["timezone"], "America/Argentina/Buenos_Aires")
	res = e.call(t, tok, "PUT", base+"features", map[string]any{})
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["enableSignups"], true)
}

// ---- logos ----

func orgPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// orgWebP is a minimal lossless WebP header (RIFF, VP8L, 16x16).
func orgWebP() []byte {
	payload := []byte{0x2f}
	dims := uint32(15) | uint32(15)<<14
	payload = binary.LittleEndian.AppendUint32(payload, dims)
	payload = append(payload, make([]byte, 16)...)
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	chunk = append(chunk, payload...)
	body := append([]byte("WEBP"), chunk...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// orgLogoForm builds a multipart body with one part named field.
func orgLogoForm(t *testing.T, field, contentType string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="logo"`, field))
	if contentType != "" {
		hdr.Set("Content-Type", contentType)
	}
	pw, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *orgEnv) upload(t *testing.T, token, id, contentType string, content []byte) response {
	t.Helper()
	body, ct := orgLogoForm(t, "logo", contentType, content)
	return do(t, e.h, "POST", "/api/organizations/"+id+"/settings/branding/logo", body, append(bearer(token), "Content-Type", ct)...)
}

// fetch loads a stored logo URL the way a browser would: anonymously.
func (e *orgEnv) fetch(t *testing.T, logoURL string) response {
	t.Helper()
	u, err := url.Parse(logoURL)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, e.h, "GET", u.RequestURI(), nil)
}

func orgLogoFiles(t *testing.T, e *orgEnv, id string) []string {
	t.Helper()
	keys := e.blobs.under("logos/" + id + "/")
	for _, k := range keys {
		if _, err := e.c.Blobs().Stat(t.Context(), k); err != nil {
			t.Fatalf("stat %s: %v", k, err)
		}
	}
	return keys
}

func TestOrgLogoUploadServesLoadableURL(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "logo@example.com", store.RoleCreator)
	id := e.createOrg(t, tok, "logo-co")
	img := orgPNG(t, 32, 16)

	res := e.upload(t, tok, id, "image/png", img)
	orgExpect(t, res, http.StatusOK)
	first := orgData(t, res)["logoUrl"].(string)
	is.True(strings.HasPrefix(first, "https://codex.example/api/organizations/public/logo-co/logo?v="))

	got := e.fetch(t, first)
	orgExpect(t, got, http.StatusOK)
	is.Equal(got.Header.Get("Content-Type"), "image/png")
	is.Equal(got.Header.Get("X-Content-Type-Options"), "nosniff")
	is.True(strings.Contains(got.Header.Get("Cache-Control"), "immutable"))
	is.True(bytes.Equal(got.body, img))

	res = e.call(t, "", "GET", "/api/organizations/public/logo-co", nil)
	is.Equal(orgData(t, res)["logoUrl"], first)

	// A new upload gets a new URL; the old object is gone and the old URL
	// no longer earns a long cache.
	wp := orgWebP()
	res = e.upload(t, tok, id, "", wp)
	orgExpect(t, res, http.StatusOK)
	second := orgData(t, res)["logoUrl"].(string)
	is.True(second != first)
	got = e.fetch(t, second)
	is.Equal(got.Header.Get("Content-Type"), "image/webp")
	is.True(bytes.Equal(got.body, wp))
	old := e.fetch(t, first)
	is.True(!strings.Contains(old.Header.Get("Cache-Control"), "immutable"))
	is.Equal(len(orgLogoFiles(t, e, id)), 1)

	// Renaming the organization moves its logo URL along.
	res = e.call(t, tok, "PATCH", "/api/organizations/"+id, map[string]any{"slug": "logo-co-2"})
	orgExpect(t, res, http.StatusOK)
	res = e.call(t, tok, "GET", "/api/organizations/"+id+"/settings/branding", nil)
	moved := orgData(t, res)["logoUrl"].(string)
	is.True(strings.HasPrefix(moved, "https://codex.example/api/organizations/public/logo-co-2/logo?v="))
	orgExpect(t, e.fetch(t, moved), http.StatusOK)

	res = e.call(t, tok, "DELETE", "/api/organizations/"+id+"/settings/branding/logo", nil)
	orgExpect(t, res, http.StatusOK)
	is.Equal(orgData(t, res)["logoUrl"], nil)
	orgExpect(t, e.fetch(t, moved), http.StatusNotFound)
	is.Equal(len(orgLogoFiles(t, e, id)), 0)
	res = e.call(t, tok, "DELETE", "/api/organizations/"+id+"/settings/branding/logo", nil)
	orgExpect(t, res, http.StatusOK)
}

func TestOrgLogoRefusesBadFiles(t *testing.T) {
	is := is.New(t)
	e := newOrgEnv(t)
	tok, _ := e.user(t, "logo@example.com", store.RoleCreator)
	other, _ := e.user(t, "other@example.com", store.RoleCreator)
	id := e.createOrg(t, tok, "strict-co")
	img := orgPNG(t, 8, 8)
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	html := []byte(`<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>`)
	pngThenText := append([]byte("\x89PNG\r\n\x1a\n"), []byte("this is not really an image, just text after a PNG signature")...)
	huge := append(orgPNG(t, 8, 8), make([]byte, org.MaxLogoBytes)...)

	for _, c := range []struct {
		name, declared string
		content        []byte
		code           string
	}{
		{"png claimed as text", "text/plain", img, org.CodeUnsupportedFileType},
		{"html claimed as png", "image/png", html, org.CodeUnsupportedFileType},
		{"svg", "image/svg+xml", svg, org.CodeUnsupportedFileType},
		{"svg claimed as png", "image/png", svg, org.CodeUnsupportedFileType},
		{"png signature then text", "image/png", pngThenText, org.CodeUnsupportedFileType},
		{"empty", "image/png", nil, org.CodeEmptyFile},
		{"over 5 MiB", "image/png", huge, org.CodeFileTooLarge},
	} {
		res := e.upload(t, tok, id, c.declared, c.content)
		if res.StatusCode != http.StatusBadRequest || orgErrCode(t, res) != c.code {
			t.Fatalf("%s: %d %s, want 400 %s", c.name, res.StatusCode, res.body, c.code)
		}
		is.True(res.fields(t)["body.logo"] != "")
	}

	// A body past the route's limit is cut off while streaming, whatever
	// part carries the bytes.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	junk, _ := mw.CreateFormField("padding")
	junk.Write(make([]byte, org.MaxLogoBytes+1<<20))
	lw, _ := mw.CreateFormFile("logo", "logo.png")
	lw.Write(img)
	mw.Close()
	res := do(t, e.h, "POST", "/api/organizations/"+id+"/settings/branding/logo", &buf, append(bearer(tok), "Content-Type", mw.FormDataContentType())...)
	orgExpect(t, res, http.StatusBadRequest)
	is.Equal(orgErrCode(t, res), "PAYLOAD_TOO_LARGE")

	var body io.Reader
	var ct string

	body, ct = orgLogoForm(t, "file", "image/png", img)
	res = do(t, e.h, "POST", "/api/organizations/"+id+"/settings/branding/logo", body, append(bearer(tok), "Content-Type", ct)...)
	orgExpect(t, res, http.StatusBadRequest)
	is.Equal(orgErrCode(t, res), "MISSING_FILE")
	res = do(t, e.h, "POST", "/api/organizations/"+id+"/settings/branding/logo", bytes.NewReader(img), append(bearer(tok), "Content-Type", "image/png")...)
	orgExpect(t, res, http.StatusBadRequest)

	// A non-member learns nothing, not even that the file was fine.
	orgExpect(t, e.upload(t, other, id, "image/png", img), http.StatusNotFound)
	is.Equal(len(orgLogoFiles(t, e, id)), 0)
	res = e.call(t, tok, "GET", "/api/organizations/"+id+"/settings/branding", nil)
	is.Equal(orgData(t, res)["logoUrl"], nil)
}
