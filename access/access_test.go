package access_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc            *access.Service
	db             *memory.Store
	clk            *clock
	creator, buyer *actor.Actor
	org            *store.Organization
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := memory.New()
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	f := &fixture{db: db, clk: clk}
	f.svc = access.New(db, blobs, access.Config{PublicURL: "https://p.example", GrantKey: []byte(strings.Repeat("k", 32)), Now: clk.now})
	mk := func(email string, role store.Role) *actor.Actor {
		u := &store.User{Name: email, Email: email, Role: role}
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		return &actor.Actor{UserID: u.ID, Role: role}
	}
	f.creator, f.buyer = mk("c@example.com", store.RoleCreator), mk("b@example.com", store.RoleCustomer)
	f.org = &store.Organization{Name: "O", Slug: "o"}
	if err := db.Organizations().Create(ctx, f.org); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) video(t *testing.T, blobs store.Blobs, mods ...func(*store.Content)) *store.Content {
	t.Helper()
	ctx := context.Background()
	m := &store.MediaItem{CreatorID: f.creator.UserID, Title: "m", MediaType: store.MediaVideo, Status: store.MediaUploading, R2Key: "k", TranscodingPriority: 2}
	if err := f.db.Media().Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	master, thumb, d := access.HLSPrefix(f.creator.UserID, m.ID)+"master.m3u8", "t.jpg", 10
	if _, err := f.db.Media().Update(ctx, m.ID, store.MediaPatch{Status: store.Some(store.MediaReady), HLSMasterPlaylistKey: store.Some(&master), ThumbnailKey: store.Some(&thumb), DurationSeconds: store.Some(&d)}); err != nil {
		t.Fatal(err)
	}
	if blobs != nil {
		if err := blobs.Put(ctx, master, strings.NewReader("#EXTM3U\n"), 8, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := &store.Content{CreatorID: f.creator.UserID, OrganizationID: &f.org.ID, MediaItemID: &m.ID, Title: "v", Slug: "v-" + m.ID.String()[:8],
		ContentType: store.ContentVideo, Visibility: store.VisibilityPublic, Status: store.ContentPublished}
	for _, mod := range mods {
		mod(c)
	}
	if err := f.db.Content().Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func tokenAndRel(t *testing.T, u string) (string, string) {
	t.Helper()
	rest, ok := strings.CutPrefix(u, "https://p.example/api/access/hls/")
	if !ok {
		t.Fatalf("url %q", u)
	}
	tok, rel, _ := strings.Cut(rest, "/")
	return tok, rel
}

func TestGrantExpiresWithTheClock(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	blobs, _ := disk.New(dir)
	f := setup(t)
	f.svc = access.New(f.db, blobs, access.Config{PublicURL: "https://p.example", GrantKey: []byte(strings.Repeat("k", 32)), Now: f.clk.now})
	c := f.video(t, blobs)

	g, err := f.svc.Stream(ctx, f.buyer, c.ID, access.MinExpiry)
	is.NoErr(err)
	is.True(g.ExpiresAt.Sub(f.clk.now()) <= access.MinExpiry)
	tok, rel := tokenAndRel(t, g.StreamingURL)
	obj, err := f.svc.OpenHLS(ctx, tok, rel)
	is.NoErr(err)
	b, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	is.Equal(string(b), "#EXTM3U\n")
	_, seekable := obj.Body.(io.Seeker)
	is.True(seekable) // disk objects serve Range requests

	f.clk.add(access.MinExpiry + time.Second)
	_, err = f.svc.OpenHLS(ctx, tok, rel)
	is.True(errors.Is(err, fault.Forbidden)) // expired
	is.Equal(fault.From(err).Code, access.CodeGrantExpired)

	_, err = f.svc.Stream(ctx, f.buyer, c.ID, time.Minute)
	is.True(errors.Is(err, fault.Invalid)) // below the bounds
	_, err = f.svc.Stream(ctx, f.buyer, c.ID, 3*time.Hour)
	is.True(errors.Is(err, fault.Invalid))
}

func TestDecision(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	price := 500
	member := &actor.Actor{UserID: f.buyer.UserID, Role: store.RoleCustomer, Memberships: []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberMember}}}
	manager := &actor.Actor{UserID: "someone", Role: store.RoleCustomer, Memberships: []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberAdmin}}}
	owner := &actor.Actor{UserID: "owner", Role: store.RolePlatformOwner}
	paid := f.video(t, nil, func(c *store.Content) { c.PriceCents, c.Visibility = &price, store.VisibilityPurchasedOnly })
	draft := f.video(t, nil, func(c *store.Content) { c.Status = store.ContentDraft })
	private := f.video(t, nil, func(c *store.Content) { c.Visibility = store.VisibilityPrivate })
	members := f.video(t, nil, func(c *store.Content) { c.Visibility = store.VisibilityMembersOnly; c.PriceCents = &price })
	free := f.video(t, nil)

	cases := []struct {
		name string
		a    *actor.Actor
		c    *store.Content
		want error // nil, fault.Forbidden or fault.NotFound
	}{
		{"free to any user", f.buyer, free, nil},
		{"anonymous", nil, free, fault.Unauthenticated},
		{"paid unbought", f.buyer, paid, fault.Forbidden},
		{"membership does not pay", member, paid, fault.Forbidden},
		{"creator own paid", f.creator, paid, nil},
		{"org manager", manager, paid, nil},
		{"platform owner", owner, paid, nil},
		{"draft hidden", f.buyer, draft, fault.NotFound},
		{"draft to creator", f.creator, draft, nil},
		{"private", f.buyer, private, fault.Forbidden},
		{"members only, member", member, members, nil},
		{"members only, outsider", f.buyer, members, fault.Forbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Check(ctx, tc.a, tc.c.ID)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}

	// an expired complimentary grant admits nothing; an open one does
	is := is.New(t)
	past := f.clk.now().Add(-time.Minute)
	is.NoErr(f.db.Access().Upsert(ctx, &store.ContentAccess{UserID: f.buyer.UserID, ContentID: paid.ID, OrganizationID: f.org.ID, AccessType: store.AccessComplimentary, ExpiresAt: &past}))
	_, err := f.svc.Check(ctx, f.buyer, paid.ID)
	is.True(errors.Is(err, fault.Forbidden))
	is.NoErr(f.db.Access().Upsert(ctx, &store.ContentAccess{UserID: f.buyer.UserID, ContentID: paid.ID, OrganizationID: f.org.ID, AccessType: store.AccessComplimentary}))
	_, err = f.svc.Check(ctx, f.buyer, paid.ID)
	is.NoErr(err)
}
