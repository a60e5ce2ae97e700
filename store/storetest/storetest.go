// Package storetest is the conformance suite every store.Store
// implementation runs, so that the memory and PostgreSQL stores cannot
// drift apart:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// Every case gets a fresh store from newStore. Cases only depend on what
// the store package documents; where the contract leaves an order open
// (e.g. Candidates) they compare sets.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
	"github.com/matryer/is"
)

type testCase struct {
	name string
	run  func(f *fx)
}

// Run runs the whole suite. newStore must return a fresh store holding no
// rows but the seeded platform fee; it is called once per case and may
// register cleanups on t.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"Users", userCases},
		{"Accounts", accountCases},
		{"Sessions", sessionCases},
		{"Verifications", verificationCases},
		{"Organizations", orgCases},
		{"Memberships", membershipCases},
		{"OrgSettings", settingsCases},
		{"OrgLocks", orgLockCases},
		{"Media", mediaCases},
		{"Content", contentCases},
		{"Access", accessCases},
		{"Playback", playbackCases},
		{"Library", libraryCases},
		{"Purchases", purchaseCases},
		{"PurchaseHistory", purchaseHistoryCases},
		{"Fees", feeCases},
		{"Templates", templateCases},
		{"EmailLog", emailLogCases},
		{"EmailDelivery", deliveryCases},
		{"Admin", adminCases},
		{"Tx", txCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					s := newStore(t)
					c.run(&fx{T: t, is: is.New(t), ctx: t.Context(), s: s})
				})
			}
		})
	}
}

// fx is one case's fixture: the store, assertions, and constructors that
// fill every required column so cases only spell out what they test.
type fx struct {
	*testing.T
	is  *is.I
	ctx context.Context
	s   store.Store
	n   int
}

func (f *fx) seq() int { f.n++; return f.n }

func ptr[T any](v T) *T { return &v }

// tick lets the clock move so that timestamps written next are later than
// those written before, whatever the store's clock resolution.
func tick() { time.Sleep(3 * time.Millisecond) }

func (f *fx) user(mods ...func(*store.User)) *store.User {
	f.Helper()
	n := f.seq()
	u := &store.User{Name: fmt.Sprintf("User %d", n), Email: fmt.Sprintf("user%d@example.com", n), Role: store.RoleCustomer}
	for _, m := range mods {
		m(u)
	}
	f.is.NoErr(f.s.Users().Create(f.ctx, u))
	return u
}

func (f *fx) org(mods ...func(*store.Organization)) *store.Organization {
	f.Helper()
	n := f.seq()
	o := &store.Organization{Name: fmt.Sprintf("Org %d", n), Slug: fmt.Sprintf("org-%d", n)}
	for _, m := range mods {
		m(o)
	}
	f.is.NoErr(f.s.Organizations().Create(f.ctx, o))
	return o
}

func (f *fx) member(orgID uuid.UUID, userID string, role store.MembershipRole, status store.MembershipStatus) *store.Membership {
	f.Helper()
	m := &store.Membership{OrganizationID: orgID, UserID: userID, Role: role, Status: status}
	f.is.NoErr(f.s.Memberships().Create(f.ctx, m))
	return m
}

func (f *fx) mediaRec(creatorID string, mods ...func(*store.MediaItem)) *store.MediaItem {
	n := f.seq()
	m := &store.MediaItem{
		CreatorID:           creatorID,
		Title:               fmt.Sprintf("media %d", n),
		MediaType:           store.MediaVideo,
		Status:              store.MediaUploading,
		R2Key:               fmt.Sprintf("%s/originals/%d/clip.mp4", creatorID, n),
		TranscodingPriority: 2,
	}
	for _, mod := range mods {
		mod(m)
	}
	return m
}

func (f *fx) media(creatorID string, mods ...func(*store.MediaItem)) *store.MediaItem {
	f.Helper()
	m := f.mediaRec(creatorID, mods...)
	f.is.NoErr(f.s.Media().Create(f.ctx, m))
	return m
}

func (f *fx) contentRec(creatorID string, orgID *uuid.UUID, mods ...func(*store.Content)) *store.Content {
	n := f.seq()
	c := &store.Content{
		CreatorID:      creatorID,
		OrganizationID: orgID,
		Title:          fmt.Sprintf("content %d", n),
		Slug:           fmt.Sprintf("content-%d", n),
		ContentType:    store.ContentWritten,
		ContentBody:    ptr("body text"),
		Visibility:     store.VisibilityPublic,
		Status:         store.ContentDraft,
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func (f *fx) content(creatorID string, orgID *uuid.UUID, mods ...func(*store.Content)) *store.Content {
	f.Helper()
	c := f.contentRec(creatorID, orgID, mods...)
	f.is.NoErr(f.s.Content().Create(f.ctx, c))
	return c
}

func (f *fx) purchaseRec(customerID string, contentID, orgID uuid.UUID, mods ...func(*store.Purchase)) *store.Purchase {
	n := f.seq()
	p := &store.Purchase{
		CustomerID:            customerID,
		ContentID:             contentID,
		OrganizationID:        orgID,
		AmountPaidCents:       2999,
		Currency:              "usd",
		PlatformFeeCents:      300,
		CreatorPayoutCents:    2699,
		StripePaymentIntentID: fmt.Sprintf("pi_%d_%s", n, uuid.NewString()[:8]),
		Status:                store.PurchaseCompleted,
		PurchasedAt:           ptr(time.Now()),
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func (f *fx) purchase(customerID string, contentID, orgID uuid.UUID, mods ...func(*store.Purchase)) *store.Purchase {
	f.Helper()
	p := f.purchaseRec(customerID, contentID, orgID, mods...)
	f.is.NoErr(f.s.Purchases().Create(f.ctx, p))
	return p
}

// world is the usual cast: a creator with an organization and a customer.
type world struct {
	creator, customer *store.User
	org               *store.Organization
}

func (f *fx) world() world {
	f.Helper()
	return world{
		creator:  f.user(func(u *store.User) { u.Role = store.RoleCreator }),
		customer: f.user(),
		org:      f.org(),
	}
}

// ---- assertions ----

func (f *fx) notFound(err error) {
	f.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		f.Fatalf("got error %v, want store.ErrNotFound", err)
	}
}

func (f *fx) precondition(err error) {
	f.Helper()
	if !errors.Is(err, store.ErrPrecondition) {
		f.Fatalf("got error %v, want store.ErrPrecondition", err)
	}
}

// violates checks the kind and, when name is non-empty, the constraint name.
func (f *fx) violates(err error, kind store.ConstraintKind, name string) {
	f.Helper()
	if !store.IsConstraint(err, kind, name) {
		f.Fatalf("got error %v, want %s violation %q", err, kind, name)
	}
}

// stamped checks the timestamps a store sets: present, UTC, and at
// PostgreSQL's microsecond precision.
func (f *fx) stamped(ts ...time.Time) {
	f.Helper()
	for _, t := range ts {
		if t.IsZero() {
			f.Fatal("timestamp not set")
		}
		if t.Location() != time.UTC {
			f.Fatalf("timestamp %v not in UTC", t)
		}
		if t.Nanosecond()%1000 != 0 {
			f.Fatalf("timestamp %v finer than microseconds", t)
		}
	}
}

// later checks that an update moved UpdatedAt forward.
func (f *fx) later(after, before time.Time) {
	f.Helper()
	if !after.After(before) {
		f.Fatalf("updated_at %v not after %v", after, before)
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func uuidStrings(us ...uuid.UUID) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.String())
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
