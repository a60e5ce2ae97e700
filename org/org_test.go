package org_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
)

// invalidations records which users' cached sessions were dropped.
type invalidations struct {
	mu    sync.Mutex
	users []string
}

func (i *invalidations) InvalidateUser(id string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.users = append(i.users, id)
}

func (i *invalidations) has(id string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return slices.Contains(i.users, id)
}

func (i *invalidations) reset() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.users = nil
}

type fixture struct {
	is    *is.I
	ctx   context.Context
	db    *memory.Store
	blobs store.Blobs
	inv   *invalidations
	svc   *org.Service
}

func newFixture(t *testing.T) *fixture {
	db := memory.New()
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv := &invalidations{}
	return &fixture{
		is: is.New(t), ctx: t.Context(), db: db, blobs: blobs, inv: inv,
		svc: org.New(db, blobs, inv, org.Config{PublicURL: "https://codex.example/"}),
	}
}

// user stores a user and returns an actor for it. The actor carries no
// memberships on purpose: the service must not depend on them.
func (f *fixture) user(email string, role store.Role) *actor.Actor {
	u := &store.User{Email: email, Name: strings.Split(email, "@")[0], Role: role}
	f.is.NoErr(f.db.Users().Create(f.ctx, u))
	return &actor.Actor{UserID: u.ID, Email: u.Email, Role: role}
}

func (f *fixture) org(a *actor.Actor, slug string) *store.Organization {
	o, err := f.svc.Create(f.ctx, a, org.Create{Name: "Org " + slug, Slug: slug})
	f.is.NoErr(err)
	return o
}

func code(err error) string { return fault.From(err).Code }

func TestCreateMakesCallerOwner(t *testing.T) {
	f := newFixture(t)
	is := f.is
	creator := f.user("c@example.com", store.RoleCreator)

	o := f.org(creator, "mine")
	m, err := f.db.Memberships().Get(f.ctx, o.ID, creator.UserID)
	is.NoErr(err)
	is.Equal(m.Role, store.MemberOwner)
	is.Equal(m.Status, store.MembershipActive)
	is.True(f.inv.has(creator.UserID)) // cached actors learn the new membership

	for _, role := range []store.Role{store.RoleAdmin, store.RolePlatformOwner} {
		a := f.user(string(role)+"@example.com", role)
		_, err := f.svc.Create(f.ctx, a, org.Create{Name: "X", Slug: "x-" + strings.ReplaceAll(string(role), "_", "-")})
		is.NoErr(err)
	}
	customer := f.user("cust@example.com", store.RoleCustomer)
	_, err = f.svc.Create(f.ctx, customer, org.Create{Name: "X", Slug: "cust"})
	is.True(errors.Is(err, fault.Forbidden))
	_, err = f.svc.Create(f.ctx, nil, org.Create{Name: "X", Slug: "anon"})
	is.True(errors.Is(err, fault.Unauthenticated))
	_, err = f.svc.Create(f.ctx, actor.System, org.Create{Name: "X", Slug: "sys"})
	is.True(errors.Is(err, fault.Unauthenticated))

	// A failed create leaves nothing behind.
	_, err = f.svc.Create(f.ctx, creator, org.Create{Name: "Dup", Slug: "MINE"})
	is.Equal(code(err), org.CodeSlugTaken)
	l, err := f.svc.List(f.ctx, creator, org.ListQuery{})
	is.NoErr(err)
	is.Equal(l.Total, 1)
}

func TestMembershipIsReadFromTheDatabase(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	m := f.user("m@example.com", store.RoleCustomer)
	o := f.org(owner, "team")

	_, err := f.svc.AddMember(f.ctx, owner, o.ID, org.AddMember{Email: "M@example.com"})
	is.NoErr(err)
	_, err = f.svc.Get(f.ctx, m, o.ID)
	is.NoErr(err)

	// An actor still claiming a membership it lost is refused at once.
	stale := *m
	stale.Memberships = []actor.Membership{{OrganizationID: o.ID, Role: store.MemberAdmin}}
	is.NoErr(f.svc.RemoveMember(f.ctx, owner, o.ID, m.UserID))
	_, err = f.svc.Get(f.ctx, &stale, o.ID)
	is.True(errors.Is(err, org.ErrNotFound))
	_, err = f.svc.Update(f.ctx, &stale, o.ID, org.Update{Name: new("Taken over")})
	is.True(errors.Is(err, org.ErrNotFound))
}

func TestMembershipChangesInvalidateSessions(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	m := f.user("m@example.com", store.RoleCustomer)
	o := f.org(owner, "team")

	for _, step := range []func() error{
		func() error {
			_, err := f.svc.AddMember(f.ctx, owner, o.ID, org.AddMember{Email: "m@example.com"})
			return err
		},
		func() error {
			_, err := f.svc.SetMemberRole(f.ctx, owner, o.ID, m.UserID, store.MemberAdmin)
			return err
		},
		func() error { return f.svc.RemoveMember(f.ctx, owner, o.ID, m.UserID) },
	} {
		f.inv.reset()
		is.NoErr(step())
		is.True(f.inv.has(m.UserID))
	}

	// Deleting the organization drops every member's cached sessions.
	_, err := f.svc.AddMember(f.ctx, owner, o.ID, org.AddMember{Email: "m@example.com"})
	is.NoErr(err)
	f.inv.reset()
	is.NoErr(f.svc.Delete(f.ctx, owner, o.ID))
	is.True(f.inv.has(m.UserID))
	is.True(f.inv.has(owner.UserID))
}

func TestLastOwnerSurvivesConcurrentDepartures(t *testing.T) {
	f := newFixture(t)
	is := f.is
	a := f.user("a@example.com", store.RoleCreator)
	b := f.user("b@example.com", store.RoleCreator)
	o := f.org(a, "pair")
	_, err := f.svc.AddMember(f.ctx, a, o.ID, org.AddMember{Email: "b@example.com", Role: store.MemberOwner})
	is.NoErr(err)

	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, who := range []*actor.Actor{a, b} {
		wg.Go(func() { errs[i] = f.svc.RemoveMember(f.ctx, who, o.ID, who.UserID) })
	}
	wg.Wait()
	refused := 0
	for _, err := range errs {
		if err != nil {
			is.Equal(code(err), org.CodeLastOwner)
			is.True(errors.Is(err, fault.Unprocessable))
			refused++
		}
	}
	is.Equal(refused, 1)
	n, err := f.db.Memberships().Count(f.ctx, o.ID, store.MemberOwner, store.MembershipActive)
	is.NoErr(err)
	is.Equal(n, 1)
}

func TestOwnerOnlyActions(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	admin := f.user("a@example.com", store.RoleCreator)
	po := f.user("po@example.com", store.RolePlatformOwner)
	o := f.org(owner, "ranks")
	_, err := f.svc.AddMember(f.ctx, owner, o.ID, org.AddMember{Email: "a@example.com", Role: store.MemberAdmin})
	is.NoErr(err)

	_, err = f.svc.AddMember(f.ctx, admin, o.ID, org.AddMember{Email: "po@example.com", Role: store.MemberOwner})
	is.True(errors.Is(err, fault.Forbidden))
	is.True(errors.Is(f.svc.RemoveMember(f.ctx, admin, o.ID, owner.UserID), fault.Forbidden))
	is.True(errors.Is(f.svc.Delete(f.ctx, admin, o.ID), fault.Forbidden))
	// An admin may leave on their own.
	is.NoErr(f.svc.RemoveMember(f.ctx, admin, o.ID, admin.UserID))

	// A platform owner may do anything, without being a member.
	_, err = f.svc.SetMemberRole(f.ctx, po, o.ID, owner.UserID, store.MemberOwner)
	is.NoErr(err)
	is.NoErr(f.svc.Delete(f.ctx, po, o.ID))
	_, err = f.svc.Get(f.ctx, po, o.ID)
	is.True(errors.Is(err, org.ErrNotFound))
	is.True(errors.Is(f.svc.Delete(f.ctx, po, o.ID), org.ErrNotFound))
}

func TestFeatureToggles(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	o := f.org(owner, "shop")

	on, err := f.svc.PurchasesEnabled(f.ctx, o.ID)
	is.NoErr(err)
	is.True(on) // default
	on, err = f.svc.SignupsEnabled(f.ctx, o.ID)
	is.NoErr(err)
	is.True(on)

	off := false
	_, err = f.svc.UpdateFeatures(f.ctx, owner, o.ID, org.FeaturesUpdate{EnablePurchases: &off})
	is.NoErr(err)
	on, err = f.svc.PurchasesEnabled(f.ctx, o.ID)
	is.NoErr(err)
	is.True(!on)
	on, err = f.svc.SignupsEnabled(f.ctx, o.ID)
	is.NoErr(err)
	is.True(on) // untouched

	_, err = f.svc.UpdateFeatures(f.ctx, owner, o.ID, org.FeaturesUpdate{EnableSignups: &off})
	is.NoErr(err)
	on, err = f.svc.SignupsEnabled(f.ctx, o.ID)
	is.NoErr(err)
	is.True(!on)

	_, err = f.svc.PurchasesEnabled(f.ctx, uuid.New())
	is.True(errors.Is(err, fault.NotFound))
	is.NoErr(f.svc.Delete(f.ctx, owner, o.ID))
	_, err = f.svc.PurchasesEnabled(f.ctx, o.ID)
	is.True(errors.Is(err, fault.NotFound))
}

func TestSettingsValidation(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	o := f.org(owner, "settings")

	b, err := f.svc.UpdateBranding(f.ctx, owner, o.ID, org.BrandingUpdate{PrimaryColorHex: new(" #ff00aa")})
	is.NoErr(err)
	is.Equal(b.PrimaryColorHex, "#FF00AA")
	_, err = f.svc.UpdateBranding(f.ctx, owner, o.ID, org.BrandingUpdate{PrimaryColorHex: new("#ff00aaff")})
	is.Equal(fault.From(err).Details, []fault.Field{{Path: "body.primaryColorHex", Message: "Color must be hex format (#RRGGBB)"}})

	for _, tz := range []string{"UTC", "Europe/Paris", "Asia/Kolkata", "America/Indiana/Indianapolis"} {
		c, err := f.svc.UpdateContact(f.ctx, owner, o.ID, org.ContactUpdate{Timezone: new(tz)})
		is.NoErr(err)
		is.Equal(c.Timezone, tz)
	}
	for _, tz := range []string{"Europe/Pariss", "Local", "../etc/passwd", "", "GMT+25"} {
		_, err := f.svc.UpdateContact(f.ctx, owner, o.ID, org.ContactUpdate{Timezone: new(tz)})
		is.True(errors.Is(err, fault.Invalid))
	}
	c, err := f.svc.UpdateContact(f.ctx, owner, o.ID, org.ContactUpdate{
		ContactURL: store.Some(new("https://help.example")), SupportEmail: new(" help@settings.example "),
	})
	is.NoErr(err)
	is.Equal(*c.ContactURL, "https://help.example")
	is.Equal(c.SupportEmail, "help@settings.example")
	c, err = f.svc.UpdateContact(f.ctx, owner, o.ID, org.ContactUpdate{ContactURL: store.Some[*string](nil)})
	is.NoErr(err)
	is.Equal(c.ContactURL, nil)
}

func TestReservedSlugs(t *testing.T) {
	f := newFixture(t)
	is := f.is
	creator := f.user("c@example.com", store.RoleCreator)
	for _, s := range []string{"www", "auth", "api", "content-api", "organization-api", "ecom-api", "identity-api",
		"media-api", "notifications-api", "admin-api", "creators", "admin", "platform", "staging", "dev", "test", "localhost"} {
		is.True(org.IsReservedSlug(s))
		_, err := f.svc.Create(f.ctx, creator, org.Create{Name: "X", Slug: strings.ToUpper(s)})
		is.Equal(code(err), org.CodeReservedSlug)
		av, err := f.svc.CheckSlug(f.ctx, creator, s)
		is.NoErr(err)
		is.True(!av.Available)
	}
	o := f.org(creator, "fine")
	_, err := f.svc.Update(f.ctx, creator, o.ID, org.Update{Slug: new("admin")})
	is.Equal(code(err), org.CodeReservedSlug)
}

// ---- logos ----

func encodePNG(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func encodeJPEG() []byte {
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4)), nil)
	return buf.Bytes()
}

// bombPNG is a tiny PNG whose canvas is wider than any logo needs.
func bombPNG() []byte { return encodePNG(org.MaxLogoSide+1, 1) }

func TestUploadLogoDecidesTypeByContent(t *testing.T) {
	f := newFixture(t)
	is := f.is
	owner := f.user("o@example.com", store.RoleCreator)
	o := f.org(owner, "logos")

	for _, c := range []struct {
		name     string
		data     []byte
		declared string
		ok       bool
		code     string
	}{
		{"png", encodePNG(4, 4), "image/png", true, ""},
		{"png without declared type", encodePNG(4, 4), "", true, ""},
		{"png as octet-stream", encodePNG(4, 4), "application/octet-stream", true, ""},
		{"jpeg as image/jpg", encodeJPEG(), "image/jpg", true, ""},
		{"jpeg claimed as png", encodeJPEG(), "image/png", false, org.CodeUnsupportedFileType},
		{"png claimed as text", encodePNG(4, 4), "text/plain", false, org.CodeUnsupportedFileType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "image/gif", false, org.CodeUnsupportedFileType},
		{"svg without declared type", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", false, org.CodeUnsupportedFileType},
		{"png claimed as svg", encodePNG(4, 4), "image/svg+xml", false, org.CodeUnsupportedFileType},
		{"truncated png", encodePNG(4, 4)[:12], "image/png", false, org.CodeUnsupportedFileType},
		{"jpeg magic then html", append([]byte{0xFF, 0xD8, 0xFF}, "<html>"...), "image/jpeg", false, org.CodeUnsupportedFileType},
		{"fake webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 garbage"), "image/webp", false, org.CodeUnsupportedFileType},
		{"huge canvas", bombPNG(), "image/png", false, org.CodeUnsupportedFileType},
		{"empty", nil, "image/png", false, org.CodeEmptyFile},
	} {
		b, err := f.svc.UploadLogo(f.ctx, owner, o.ID, bytes.NewReader(c.data), c.declared)
		if c.ok {
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			is.True(strings.HasPrefix(*b.LogoURL, "https://codex.example/api/organizations/public/logos/logo?v="))
			continue
		}
		if code(err) != c.code || !errors.Is(err, fault.Invalid) {
			t.Fatalf("%s: got %v, want 400 %s", c.name, err, c.code)
		}
	}

	// The stored object is exactly what the public logo serves.
	img := encodePNG(3, 3)
	_, err := f.svc.UploadLogo(f.ctx, owner, o.ID, bytes.NewReader(img), "image/png")
	is.NoErr(err)
	l, err := f.svc.Logo(f.ctx, "logos")
	is.NoErr(err)
	defer l.Body.Close()
	got, _ := io.ReadAll(l.Body)
	is.True(bytes.Equal(got, img))
	is.Equal(l.ContentType, "image/png")

	// Too large: one byte over the limit.
	big := append(encodePNG(4, 4), make([]byte, org.MaxLogoBytes)...)
	_, err = f.svc.UploadLogo(f.ctx, owner, o.ID, bytes.NewReader(big[:org.MaxLogoBytes+1]), "image/png")
	is.Equal(code(err), org.CodeFileTooLarge)
}

type failingBlobs struct{ store.Blobs }

func (failingBlobs) Put(context.Context, string, io.Reader, int64, string) error {
	return errors.New("bucket unreachable")
}

func TestUploadLogoStorageDown(t *testing.T) {
	f := newFixture(t)
	is := f.is
	svc := org.New(f.db, failingBlobs{f.blobs}, nil, org.Config{})
	owner := f.user("o@example.com", store.RoleCreator)
	o := f.org(owner, "down")
	_, err := svc.UploadLogo(f.ctx, owner, o.ID, bytes.NewReader(encodePNG(2, 2)), "image/png")
	is.True(errors.Is(err, fault.Unavailable))
	b, err := svc.Branding(f.ctx, owner, o.ID)
	is.NoErr(err)
	is.Equal(b.LogoURL, nil)
}
