package admin_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/admin"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// lifecycle records the content service calls the admin service delegates.
type lifecycle struct{ db store.Store }

func (l lifecycle) Publish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	now := time.Now()
	return l.db.Content().Update(ctx, id, store.ContentPatch{Status: store.Some(store.ContentPublished), PublishedAt: store.Some(&now)})
}

func (l lifecycle) Unpublish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	return l.db.Content().Update(ctx, id, store.ContentPatch{Status: store.Some(store.ContentDraft)})
}

func (l lifecycle) Delete(ctx context.Context, a *actor.Actor, id uuid.UUID) error {
	return l.db.Content().SoftDelete(ctx, id)
}

type fixture struct {
	is                 *is.I
	ctx                context.Context
	db                 *memory.Store
	svc                *admin.Service
	now                time.Time
	owner, orgAdmin    *actor.Actor
	orgA, orgB         uuid.UUID
	contentA, contentB *store.Content
	buyer              *store.User
	n                  int
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{is: is.New(t), ctx: context.Background(), db: memory.New(), now: time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)}
	f.svc = admin.New(f.db, lifecycle{f.db}, nil, admin.Config{Now: func() time.Time { return f.now }})
	owner := f.user(store.RolePlatformOwner)
	adm := f.user(store.RoleCreator)
	f.buyer = f.user(store.RoleCustomer)
	f.owner = &actor.Actor{UserID: owner.ID, Role: store.RolePlatformOwner}
	f.orgAdmin = &actor.Actor{UserID: adm.ID, Role: store.RoleCreator}
	f.orgA, f.orgB = f.org(), f.org()
	f.is.NoErr(f.db.Memberships().Create(f.ctx, &store.Membership{OrganizationID: f.orgA, UserID: adm.ID, Role: store.MemberOwner, Status: store.MembershipActive}))
	f.contentA, f.contentB = f.content(adm.ID, f.orgA), f.content(adm.ID, f.orgB)
	return f
}

func (f *fixture) user(role store.Role) *store.User {
	f.n++
	u := &store.User{Name: fmt.Sprintf("User %d", f.n), Email: fmt.Sprintf("u%d@example.com", f.n), Role: role}
	f.is.NoErr(f.db.Users().Create(f.ctx, u))
	return u
}

func (f *fixture) org() uuid.UUID {
	f.n++
	o := &store.Organization{Name: "Org", Slug: fmt.Sprintf("org-%d", f.n)}
	f.is.NoErr(f.db.Organizations().Create(f.ctx, o))
	return o.ID
}

func (f *fixture) content(creator string, org uuid.UUID) *store.Content {
	f.n++
	c := &store.Content{CreatorID: creator, OrganizationID: &org, Title: "T", Slug: fmt.Sprintf("t-%d", f.n),
		ContentType: store.ContentWritten, ContentBody: new(string), Visibility: store.VisibilityPublic, Status: store.ContentDraft}
	f.is.NoErr(f.db.Content().Create(f.ctx, c))
	return c
}

func (f *fixture) buy(c *store.Content, amount int, at time.Time, st store.PurchaseStatus) {
	f.n++
	f.is.NoErr(f.db.Purchases().Create(f.ctx, &store.Purchase{
		CustomerID: f.buyer.ID, ContentID: c.ID, OrganizationID: *c.OrganizationID, AmountPaidCents: amount,
		PlatformFeeCents: amount / 10, CreatorPayoutCents: amount - amount/10, Currency: "usd",
		StripePaymentIntentID: fmt.Sprintf("pi_%d", f.n), Status: st, PurchasedAt: &at,
	}))
}

func TestRevenue(t *testing.T) {
	f := newFixture(t)
	f.buy(f.contentA, 1001, f.now.Add(-time.Hour), store.PurchaseCompleted)
	f.buy(f.contentA, 1000, f.now.AddDate(0, 0, -29), store.PurchaseCompleted)
	f.buy(f.contentA, 5000, f.now.AddDate(0, 0, -2), store.PurchaseRefunded)
	f.buy(f.contentA, 7000, f.now.AddDate(0, 0, -30), store.PurchaseCompleted) // outside the default 30 days
	f.buy(f.contentB, 3000, f.now.AddDate(0, 0, -1), store.PurchaseCompleted)

	// the org owner's single organization is inferred
	st, err := f.svc.Revenue(f.ctx, f.orgAdmin, nil, admin.Range{})
	f.is.NoErr(err)
	f.is.Equal(*st.OrganizationID, f.orgA)
	f.is.Equal(st.TotalRevenueCents, int64(2001))
	f.is.Equal(st.TotalPurchases, int64(2))
	f.is.Equal(st.AverageOrderValueCents, int64(1001)) // 1000.5 rounds half up
	f.is.Equal(st.PlatformFeeCents, int64(200))
	f.is.Equal(st.CreatorPayoutCents, int64(1801))
	f.is.Equal(len(st.RevenueByDay), 30)
	f.is.Equal(st.StartDate, "2025-05-17")
	f.is.Equal(st.EndDate, "2025-06-15")
	f.is.Equal(st.RevenueByDay[0], admin.DayRevenue{Date: "2025-05-17", RevenueCents: 1000, PurchaseCount: 1})
	f.is.Equal(st.RevenueByDay[29], admin.DayRevenue{Date: "2025-06-15", RevenueCents: 1001, PurchaseCount: 1})

	// the platform owner sees every organization
	st, err = f.svc.Revenue(f.ctx, f.owner, nil, admin.Range{})
	f.is.NoErr(err)
	f.is.True(st.OrganizationID == nil)
	f.is.Equal(st.TotalRevenueCents, int64(5001))

	// org B is not the org owner's
	_, err = f.svc.Revenue(f.ctx, f.orgAdmin, &f.orgB, admin.Range{})
	f.is.True(errors.Is(err, fault.Forbidden))
	// a customer is not an admin; an anonymous caller must sign in
	_, err = f.svc.CustomerStats(f.ctx, &actor.Actor{UserID: f.buyer.ID, Role: store.RoleCustomer}, nil)
	f.is.True(errors.Is(err, fault.Forbidden))
	_, err = f.svc.TopContent(f.ctx, nil, nil, admin.TopQuery{})
	f.is.True(errors.Is(err, fault.Unauthenticated))

	// a library caller's own range is checked too
	_, err = f.svc.Revenue(f.ctx, f.owner, nil, admin.Range{Start: f.now, End: f.now.AddDate(2, 0, 0)})
	f.is.True(errors.Is(err, fault.Invalid))
}

func TestParseRange(t *testing.T) {
	is := is.New(t)
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

	r, err := admin.ParseRange("2025-01-01", "2025-01-31", now)
	is.NoErr(err)
	is.Equal(r, admin.Range{Start: day(2025, 1, 1), End: day(2025, 2, 1)}) // the end date is inclusive

	r, err = admin.ParseRange("", "", now)
	is.NoErr(err)
	is.Equal(r, admin.Range{Start: day(2025, 5, 17), End: day(2025, 6, 16)})

	r, err = admin.ParseRange("", "2025-03-10", now)
	is.NoErr(err)
	is.Equal(r, admin.Range{Start: day(2025, 2, 9), End: day(2025, 3, 11)})

	r, err = admin.ParseRange("2025-06-01T10:00:00+02:00", "2025-06-01T12:00:00Z", now)
	is.NoErr(err)
	is.Equal(r.Start, time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC))
	is.Equal(r.End, time.Date(2025, 6, 1, 12, 0, 0, 1000, time.UTC))

	_, err = admin.ParseRange("2024-01-01", "2024-12-31", now) // a leap year
	is.NoErr(err)
	for _, c := range []struct{ start, end, field string }{
		{"2024-01-01", "2025-01-01", ""}, // 367 days
		{"2025-02-01", "2025-01-31", "query.startDate"},
		{"01/02/2025", "", "query.startDate"},
		{"", "2025-02-30", "query.endDate"},
	} {
		_, err := admin.ParseRange(c.start, c.end, now)
		is.True(errors.Is(err, fault.Invalid))
		if c.field != "" {
			is.Equal(fault.From(err).Details.([]fault.Field)[0].Path, c.field)
		}
	}
}

func TestGrantRevokeAndContent(t *testing.T) {
	f := newFixture(t)
	f.buy(f.contentA, 500, f.now, store.PurchaseRefunded) // a relationship, not a sale

	exp := f.now.Add(time.Hour)
	g, err := f.svc.GrantAccess(f.ctx, f.orgAdmin, nil, f.buyer.ID, f.contentA.ID, admin.Grant{Reason: " goodwill ", ExpiresAt: &exp})
	f.is.NoErr(err)
	f.is.Equal(g.AccessType, store.AccessComplimentary)
	f.is.Equal(*g.GrantedBy, f.orgAdmin.UserID)
	f.is.Equal(*g.Reason, "goodwill")
	f.is.True(g.ExpiresAt.Equal(exp))

	// other organization's content: not found, nothing written
	_, err = f.svc.GrantAccess(f.ctx, f.orgAdmin, nil, f.buyer.ID, f.contentB.ID, admin.Grant{})
	f.is.True(errors.Is(err, fault.NotFound))
	_, err = f.db.Access().Get(f.ctx, f.buyer.ID, f.contentB.ID)
	f.is.True(errors.Is(err, store.ErrNotFound))

	// a purchased grant stays as it is
	f.is.NoErr(f.db.Access().Upsert(f.ctx, &store.ContentAccess{UserID: f.buyer.ID, ContentID: f.contentA.ID, OrganizationID: f.orgA, AccessType: store.AccessPurchased}))
	g, err = f.svc.GrantAccess(f.ctx, f.owner, nil, f.buyer.ID, f.contentA.ID, admin.Grant{})
	f.is.NoErr(err)
	f.is.Equal(g.AccessType, store.AccessPurchased)
	err = f.svc.RevokeAccess(f.ctx, f.orgAdmin, nil, f.buyer.ID, f.contentA.ID)
	f.is.True(errors.Is(err, fault.NotFound))

	// content moderation goes through the lifecycle and stays in scope
	c, err := f.svc.Publish(f.ctx, f.orgAdmin, nil, f.contentA.ID)
	f.is.NoErr(err)
	f.is.Equal(c.Status, store.ContentPublished)
	f.is.Equal(c.Creator.ID, f.orgAdmin.UserID)
	_, err = f.svc.Unpublish(f.ctx, f.orgAdmin, nil, f.contentB.ID)
	f.is.True(errors.Is(err, fault.NotFound))
	f.is.NoErr(f.svc.DeleteContent(f.ctx, f.owner, &f.orgA, f.contentA.ID))
	f.is.True(errors.Is(f.svc.DeleteContent(f.ctx, f.owner, &f.orgA, f.contentA.ID), fault.NotFound))
	list, err := f.svc.Content(f.ctx, f.owner, nil, admin.ContentQuery{Status: "all"}, store.Page{})
	f.is.NoErr(err)
	f.is.Equal(list.Total, 1)
	f.is.Equal(list.Items[0].ID, f.contentB.ID)
}
