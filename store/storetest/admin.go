package storetest

import (
	"math"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// adminFixture is two organizations with purchases whose figures the cases
// know to the cent.
type adminFixture struct {
	w                 world
	other             *store.Organization
	c1, c2, c3, cX    *store.Content
	alice, bob, carol *store.User
}

func day(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func (f *fx) adminFixture() adminFixture {
	f.Helper()
	w := f.world()
	a := adminFixture{w: w, other: f.org()}
	a.c1 = f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Title = "Alpha" })
	a.c2 = f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Title = "Beta" })
	a.c3 = f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Title = "Gamma" })
	a.cX = f.content(w.creator.ID, &a.other.ID, func(c *store.Content) { c.Title = "Other" })
	a.alice = f.user(func(u *store.User) { u.Name = "Alice Smith"; u.Email = "alice@example.com" })
	a.bob = f.user(func(u *store.User) { u.Name = "Bob 100%_done"; u.Email = "bob@example.com" })
	a.carol = f.user(func(u *store.User) { u.Name = "Carol"; u.Email = "carol@example.org" })
	buy := func(u *store.User, c *store.Content, org uuid.UUID, amount, fee, orgFee int, at *time.Time, st store.PurchaseStatus) {
		f.purchase(u.ID, c.ID, org, func(p *store.Purchase) {
			p.AmountPaidCents, p.PlatformFeeCents, p.OrganizationFeeCents = amount, fee, orgFee
			p.CreatorPayoutCents = amount - fee - orgFee
			p.PurchasedAt, p.Status = at, st
		})
	}
	// org: alice 1000 (Mar 1 23h) + 2000 (Mar 3 0h), bob 2000 (Mar 3 10h),
	// carol 500 (Feb 1), a refunded 9999 (Mar 2), a pending 7777 (Mar 2),
	// an undated completed 300 by bob.
	buy(a.alice, a.c1, w.org.ID, 1000, 100, 50, ptr(day(2024, 3, 1, 23)), store.PurchaseCompleted)
	buy(a.alice, a.c2, w.org.ID, 2000, 200, 0, ptr(day(2024, 3, 3, 0)), store.PurchaseCompleted)
	buy(a.bob, a.c2, w.org.ID, 2000, 200, 100, ptr(day(2024, 3, 3, 10)), store.PurchaseCompleted)
	buy(a.carol, a.c3, w.org.ID, 500, 50, 0, ptr(day(2024, 2, 1, 12)), store.PurchaseCompleted)
	buy(a.carol, a.c1, w.org.ID, 9999, 1000, 0, ptr(day(2024, 3, 2, 12)), store.PurchaseRefunded)
	buy(a.bob, a.c3, w.org.ID, 7777, 778, 0, ptr(day(2024, 3, 2, 12)), store.PurchasePending)
	buy(a.bob, a.c1, w.org.ID, 300, 30, 0, nil, store.PurchaseCompleted)
	// other org: carol 4000 on Mar 2.
	buy(a.carol, a.cX, a.other.ID, 4000, 400, 0, ptr(day(2024, 3, 2, 8)), store.PurchaseCompleted)
	return a
}

var adminCases = []testCase{
	{"RevenueByDay", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		got, err := f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 0), End: day(2024, 3, 4, 0)})
		f.is.NoErr(err)
		f.is.Equal(got, []store.RevenueDay{
			{Day: day(2024, 3, 1, 0), Purchases: 1, RevenueCents: 1000, PlatformFeeCents: 100, OrganizationFeeCents: 50, CreatorPayoutCents: 850},
			{Day: day(2024, 3, 3, 0), Purchases: 2, RevenueCents: 4000, PlatformFeeCents: 400, OrganizationFeeCents: 100, CreatorPayoutCents: 3500},
		})

		// the end is exclusive, the start inclusive
		got, err = f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 23), End: day(2024, 3, 3, 0)})
		f.is.NoErr(err)
		f.is.Equal(len(got), 1)
		f.is.Equal(got[0].RevenueCents, int64(1000))

		// platform-wide adds the other organization's day
		got, err = f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{Start: day(2024, 3, 1, 0), End: day(2024, 3, 4, 0)})
		f.is.NoErr(err)
		f.is.Equal(len(got), 3)
		f.is.Equal(got[1], store.RevenueDay{Day: day(2024, 3, 2, 0), Purchases: 1, RevenueCents: 4000, PlatformFeeCents: 400, CreatorPayoutCents: 3600})

		// unbounded: every dated counted purchase
		got, err = f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{OrganizationID: org})
		f.is.NoErr(err)
		f.is.Equal(len(got), 3)
		f.is.Equal(got[0].Day, day(2024, 2, 1, 0))

		got, err = f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{OrganizationID: ptr(uuid.New())})
		f.is.NoErr(err)
		f.is.Equal(len(got), 0)
		f.is.True(got != nil)
	}},
	{"RevenueSumsAre64Bit", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		at := day(2024, 5, 5, 5)
		for range 3 {
			f.purchase(w.customer.ID, c.ID, w.org.ID, func(p *store.Purchase) {
				p.AmountPaidCents, p.PlatformFeeCents, p.CreatorPayoutCents = math.MaxInt32, 0, math.MaxInt32
				p.PurchasedAt = &at
			})
		}
		got, err := f.s.Admin().RevenueByDay(f.ctx, store.RevenueFilter{OrganizationID: &w.org.ID})
		f.is.NoErr(err)
		f.is.Equal(got[0].RevenueCents, 3*int64(math.MaxInt32))
		f.is.Equal(got[0].CreatorPayoutCents, 3*int64(math.MaxInt32))
		top, err := f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: &w.org.ID}, 10)
		f.is.NoErr(err)
		f.is.Equal(top[0].RevenueCents, 3*int64(math.MaxInt32))
		cs, err := f.s.Admin().Customer(f.ctx, &w.org.ID, w.customer.ID)
		f.is.NoErr(err)
		f.is.Equal(cs.TotalSpentCents, 3*int64(math.MaxInt32))
	}},
	{"TopContent", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		got, err := f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: org}, 10)
		f.is.NoErr(err)
		f.is.Equal(got, []store.TopContent{
			{ContentID: a.c2.ID, ContentTitle: "Beta", RevenueCents: 4000, PurchaseCount: 2},
			{ContentID: a.c1.ID, ContentTitle: "Alpha", RevenueCents: 1300, PurchaseCount: 2},
			{ContentID: a.c3.ID, ContentTitle: "Gamma", RevenueCents: 500, PurchaseCount: 1},
		})

		got, err = f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: org}, 1)
		f.is.NoErr(err)
		f.is.Equal(len(got), 1)
		f.is.Equal(got[0].ContentID, a.c2.ID)

		// a range drops the undated purchase and what falls outside
		got, err = f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 0), End: day(2024, 3, 3, 0)}, 10)
		f.is.NoErr(err)
		f.is.Equal(got, []store.TopContent{{ContentID: a.c1.ID, ContentTitle: "Alpha", RevenueCents: 1000, PurchaseCount: 1}})

		// soft-deleted content stays, flagged
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, a.c3.ID))
		got, err = f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: org}, 10)
		f.is.NoErr(err)
		f.is.Equal(got[2], store.TopContent{ContentID: a.c3.ID, ContentTitle: "Gamma", RevenueCents: 500, PurchaseCount: 1, ContentDeleted: true})

		// platform-wide includes the other organization
		got, err = f.s.Admin().TopContent(f.ctx, store.RevenueFilter{}, 10)
		f.is.NoErr(err)
		f.is.Equal(len(got), 4)
		f.is.Equal(got[0].ContentID, a.c2.ID) // 4000 in 2 purchases beats 4000 in 1
		f.is.Equal(got[1].ContentID, a.cX.ID)
	}},
	{"TopContentTiesByID", func(f *fx) {
		w := f.world()
		var cs []*store.Content
		for range 4 {
			c := f.content(w.creator.ID, &w.org.ID)
			f.purchase(w.customer.ID, c.ID, w.org.ID)
			cs = append(cs, c)
		}
		got, err := f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: &w.org.ID}, 10)
		f.is.NoErr(err)
		f.is.Equal(ids(got, func(t store.TopContent) string { return t.ContentID.String() }),
			sorted(uuidStrings(cs[0].ID, cs[1].ID, cs[2].ID, cs[3].ID)))
	}},
	{"CustomerStats", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		got, err := f.s.Admin().CustomerStats(f.ctx, org, day(2024, 3, 1, 0))
		f.is.NoErr(err)
		// alice and bob first bought in March; carol in February (her
		// refunded March purchase does not count); bob's undated purchase
		// does not make him older.
		f.is.Equal(got, store.CustomerStats{TotalCustomers: 3, NewCustomers: 2})

		got, err = f.s.Admin().CustomerStats(f.ctx, org, day(2024, 3, 2, 0))
		f.is.NoErr(err)
		f.is.Equal(got, store.CustomerStats{TotalCustomers: 3, NewCustomers: 1})

		// platform-wide: carol's first purchase is still February
		got, err = f.s.Admin().CustomerStats(f.ctx, nil, day(2024, 3, 1, 0))
		f.is.NoErr(err)
		f.is.Equal(got, store.CustomerStats{TotalCustomers: 3, NewCustomers: 2})

		// in the other organization carol is new
		got, err = f.s.Admin().CustomerStats(f.ctx, &a.other.ID, day(2024, 3, 1, 0))
		f.is.NoErr(err)
		f.is.Equal(got, store.CustomerStats{TotalCustomers: 1, NewCustomers: 1})

		// only undated purchases: counted, never new
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		f.purchase(w.customer.ID, c.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = nil })
		got, err = f.s.Admin().CustomerStats(f.ctx, &w.org.ID, time.Time{})
		f.is.NoErr(err)
		f.is.Equal(got, store.CustomerStats{TotalCustomers: 1, NewCustomers: 0})
	}},
	{"AdminFiguresFollowStatusChanges", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		// The purchases of the fixture, in creation order.
		ps, err := f.s.Purchases().List(f.ctx, store.PurchaseFilter{OrganizationID: org}, store.Page{Limit: 100})
		f.is.NoErr(err)
		find := func(u *store.User, amount int) *store.Purchase {
			for i := range ps.Items {
				if p := &ps.Items[i]; p.CustomerID == u.ID && p.AmountPaidCents == amount {
					return p
				}
			}
			f.Fatalf("no purchase of %d by %s", amount, u.Name)
			return nil
		}
		setStatus := func(p *store.Purchase, st store.PurchaseStatus) {
			_, err := f.s.Purchases().Update(f.ctx, p.ID, store.PurchasePatch{Status: store.Some(st)})
			f.is.NoErr(err)
		}
		march := store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 0), End: day(2024, 3, 4, 0)}
		revenue := func(flt store.RevenueFilter) []store.RevenueDay {
			got, err := f.s.Admin().RevenueByDay(f.ctx, flt)
			f.is.NoErr(err)
			return got
		}
		stats := func(orgID *uuid.UUID, since time.Time) store.CustomerStats {
			got, err := f.s.Admin().CustomerStats(f.ctx, orgID, since)
			f.is.NoErr(err)
			return got
		}

		// Refunding alice's first purchase empties its day and moves her
		// first purchase to March 3: she becomes new since March 2.
		f.is.Equal(stats(org, day(2024, 3, 2, 0)), store.CustomerStats{TotalCustomers: 3, NewCustomers: 1})
		setStatus(find(a.alice, 1000), store.PurchaseRefunded)
		f.is.Equal(revenue(march), []store.RevenueDay{
			{Day: day(2024, 3, 3, 0), Purchases: 2, RevenueCents: 4000, PlatformFeeCents: 400, OrganizationFeeCents: 100, CreatorPayoutCents: 3500},
		})
		f.is.Equal(stats(org, day(2024, 3, 2, 0)), store.CustomerStats{TotalCustomers: 3, NewCustomers: 2})
		f.is.Equal(stats(nil, day(2024, 3, 2, 0)), store.CustomerStats{TotalCustomers: 3, NewCustomers: 2})
		cs, err := f.s.Admin().Customer(f.ctx, org, a.alice.ID)
		f.is.NoErr(err)
		f.is.Equal([2]int64{cs.TotalPurchases, cs.TotalSpentCents}, [2]int64{1, 2000})

		// Refunding carol's only purchase here drops her from the
		// organization; platform-wide she remains, first on March 2.
		setStatus(find(a.carol, 500), store.PurchaseRefunded)
		f.is.Equal(stats(org, time.Time{}), store.CustomerStats{TotalCustomers: 2, NewCustomers: 2})
		f.is.Equal(stats(nil, day(2024, 3, 2, 0)), store.CustomerStats{TotalCustomers: 3, NewCustomers: 3})
		_, err = f.s.Admin().Customer(f.ctx, org, a.carol.ID)
		f.notFound(err)
		got, err := f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(ids(got.Items, func(c store.CustomerSummary) string { return c.UserID }), []string{a.carol.ID, a.bob.ID, a.alice.ID})
		f.is.Equal(got.Items[0].TotalSpentCents, int64(4000))

		// A pending purchase completing counts from then on: bob's first
		// dated purchase becomes March 2.
		setStatus(find(a.bob, 7777), store.PurchaseCompleted)
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 2, 0), End: day(2024, 3, 3, 0)}), []store.RevenueDay{
			{Day: day(2024, 3, 2, 0), Purchases: 1, RevenueCents: 7777, PlatformFeeCents: 778, CreatorPayoutCents: 6999},
		})
		f.is.Equal(stats(org, day(2024, 3, 3, 0)), store.CustomerStats{TotalCustomers: 2, NewCustomers: 1}) // alice only
		top, err := f.s.Admin().TopContent(f.ctx, store.RevenueFilter{OrganizationID: org}, 1)
		f.is.NoErr(err)
		f.is.Equal(top[0], store.TopContent{ContentID: a.c3.ID, ContentTitle: "Gamma", RevenueCents: 7777, PurchaseCount: 1})

		// An undated purchase left alone keeps a customer counted, never new.
		setStatus(find(a.bob, 2000), store.PurchaseRefunded)
		setStatus(find(a.bob, 7777), store.PurchaseFailed)
		f.is.Equal(stats(org, time.Time{}), store.CustomerStats{TotalCustomers: 2, NewCustomers: 1})
		cs, err = f.s.Admin().Customer(f.ctx, org, a.bob.ID)
		f.is.NoErr(err)
		f.is.Equal([2]int64{cs.TotalPurchases, cs.TotalSpentCents}, [2]int64{1, 300})

		// A refund reversed counts again, on its own day.
		setStatus(find(a.carol, 9999), store.PurchaseCompleted)
		f.is.Equal(revenue(store.RevenueFilter{Start: day(2024, 3, 2, 0), End: day(2024, 3, 3, 0)}), []store.RevenueDay{
			{Day: day(2024, 3, 2, 0), Purchases: 2, RevenueCents: 13999, PlatformFeeCents: 1400, CreatorPayoutCents: 12599},
		})
		f.is.Equal(stats(org, day(2024, 3, 2, 0)), store.CustomerStats{TotalCustomers: 3, NewCustomers: 2}) // alice, carol
	}},
	{"RevenueByDayPartialDays", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		revenue := func(flt store.RevenueFilter) []int64 {
			got, err := f.s.Admin().RevenueByDay(f.ctx, flt)
			f.is.NoErr(err)
			out := []int64{}
			for _, d := range got {
				out = append(out, d.RevenueCents)
			}
			return out
		}
		// Bounds inside days cut those days' purchases by the instant; the
		// whole days between them count in full.
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 22), End: day(2024, 3, 3, 5)}), []int64{1000, 2000})
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 23).Add(time.Microsecond), End: day(2024, 3, 3, 11)}), []int64{4000})
		// bounds count at microseconds, as the database stores instants
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 3, 0).Add(time.Nanosecond), End: day(2024, 3, 4, 0)}), []int64{4000})
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 0), End: day(2024, 3, 3, 0).Add(time.Nanosecond)}), []int64{1000})
		f.is.Equal(revenue(store.RevenueFilter{Start: day(2024, 2, 1, 13), End: day(2024, 3, 2, 9)}), []int64{1000, 4000})
		// within one day, and across one midnight without a whole day
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 3, 5), End: day(2024, 3, 3, 11)}), []int64{2000})
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 2, 5), End: day(2024, 3, 3, 1)}), []int64{2000})
		// one open bound
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, Start: day(2024, 3, 1, 23)}), []int64{1000, 4000})
		f.is.Equal(revenue(store.RevenueFilter{OrganizationID: org, End: day(2024, 3, 3, 1)}), []int64{500, 1000, 2000})
		f.is.Equal(revenue(store.RevenueFilter{End: day(2024, 3, 2, 0)}), []int64{500, 1000})
	}},
	{"ListCustomers", func(f *fx) {
		a := f.adminFixture()
		org := &a.w.org.ID
		got, err := f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{OrganizationID: org}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(got.Total, 3)
		f.is.Equal(got.Items, []store.CustomerSummary{
			{UserID: a.alice.ID, Email: a.alice.Email, Name: a.alice.Name, CreatedAt: a.alice.CreatedAt, TotalPurchases: 2, TotalSpentCents: 3000},
			{UserID: a.bob.ID, Email: a.bob.Email, Name: a.bob.Name, CreatedAt: a.bob.CreatedAt, TotalPurchases: 2, TotalSpentCents: 2300},
			{UserID: a.carol.ID, Email: a.carol.Email, Name: a.carol.Name, CreatedAt: a.carol.CreatedAt, TotalPurchases: 1, TotalSpentCents: 500},
		})

		// pages apply; the total counts every customer
		got, err = f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{OrganizationID: org}, store.Page{Page: 2, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(got.Total, 3)
		f.is.Equal(len(got.Items), 1)
		f.is.Equal(got.Items[0].UserID, a.carol.ID)

		// search: email or name, case-insensitive, wildcards literal
		search := func(term string) []string {
			got, err := f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{OrganizationID: org, Search: term}, store.Page{})
			f.is.NoErr(err)
			f.is.Equal(got.Total, len(got.Items))
			return ids(got.Items, func(c store.CustomerSummary) string { return c.UserID })
		}
		f.is.Equal(search("SMITH"), []string{a.alice.ID})
		f.is.Equal(search("example.org"), []string{a.carol.ID})
		f.is.Equal(search("100%_"), []string{a.bob.ID})
		f.is.Equal(search("%"), []string{a.bob.ID})
		f.is.Equal(search("_"), []string{a.bob.ID})
		f.is.Equal(search("nobody"), []string{})

		// platform-wide: carol's other-org purchase counts too
		got, err = f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(ids(got.Items, func(c store.CustomerSummary) string { return c.UserID }), []string{a.carol.ID, a.alice.ID, a.bob.ID})
		f.is.Equal(got.Items[0].TotalSpentCents, int64(4500))
	}},
	{"ListCustomersTiesByID", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		var want []string
		for range 4 {
			u := f.user()
			f.purchase(u.ID, c.ID, w.org.ID)
			want = append(want, u.ID)
		}
		got, err := f.s.Admin().ListCustomers(f.ctx, store.CustomerFilter{OrganizationID: &w.org.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(ids(got.Items, func(c store.CustomerSummary) string { return c.UserID }), sorted(want))
	}},
	{"Customer", func(f *fx) {
		a := f.adminFixture()
		got, err := f.s.Admin().Customer(f.ctx, &a.w.org.ID, a.bob.ID)
		f.is.NoErr(err)
		f.is.Equal(*got, store.CustomerSummary{UserID: a.bob.ID, Email: a.bob.Email, Name: a.bob.Name, CreatedAt: a.bob.CreatedAt, TotalPurchases: 2, TotalSpentCents: 2300})
		got, err = f.s.Admin().Customer(f.ctx, nil, a.carol.ID)
		f.is.NoErr(err)
		f.is.Equal(got.TotalSpentCents, int64(4500))

		_, err = f.s.Admin().Customer(f.ctx, &a.other.ID, a.bob.ID) // no purchase there
		f.notFound(err)
		_, err = f.s.Admin().Customer(f.ctx, &a.w.org.ID, a.w.customer.ID) // no purchase at all
		f.notFound(err)
		_, err = f.s.Admin().Customer(f.ctx, nil, "no-such-user")
		f.notFound(err)
	}},
	{"ListContent", func(f *fx) {
		w := f.world()
		other := f.org()
		second := f.user(func(u *store.User) { u.Role = store.RoleCreator; u.Name = "Second" })
		c1 := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Title = "Cooking 100%" })
		tick()
		c2 := f.content(second.ID, &w.org.ID, func(c *store.Content) {
			c.Status, c.ContentType, c.Description = store.ContentPublished, store.ContentWritten, ptr("about baking")
			c.PublishedAt = ptr(time.Now())
		})
		tick()
		c3 := f.content(second.ID, &other.ID)
		tick()
		personal := f.content(second.ID, nil)
		tick()
		gone := f.content(w.creator.ID, &w.org.ID)
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, gone.ID))

		list := func(flt store.AdminContentFilter, page store.Page) store.List[store.AdminContent] {
			got, err := f.s.Admin().ListContent(f.ctx, flt, page)
			f.is.NoErr(err)
			return got
		}
		idsOf := func(l store.List[store.AdminContent]) []string {
			return ids(l.Items, func(c store.AdminContent) string { return c.ID.String() })
		}
		got := list(store.AdminContentFilter{OrganizationID: &w.org.ID}, store.Page{})
		f.is.Equal(idsOf(got), uuidStrings(c2.ID, c1.ID)) // newest first, both creators, no deleted
		f.is.Equal(got.Total, 2)
		f.is.Equal(got.Items[0].Creator, store.ContentCreator{ID: second.ID, Email: second.Email, Name: "Second"})
		f.is.Equal(got.Items[1].Content, *c1)

		f.is.Equal(idsOf(list(store.AdminContentFilter{}, store.Page{})), uuidStrings(personal.ID, c3.ID, c2.ID, c1.ID))
		f.is.Equal(idsOf(list(store.AdminContentFilter{Status: store.ContentPublished}, store.Page{})), uuidStrings(c2.ID))
		f.is.Equal(idsOf(list(store.AdminContentFilter{OrganizationID: &w.org.ID, Search: "BAKING"}, store.Page{})), uuidStrings(c2.ID))
		f.is.Equal(idsOf(list(store.AdminContentFilter{Search: "100%"}, store.Page{})), uuidStrings(c1.ID))
		f.is.Equal(len(list(store.AdminContentFilter{Search: "%%"}, store.Page{}).Items), 0)
		f.is.Equal(len(list(store.AdminContentFilter{ContentType: store.ContentVideo}, store.Page{}).Items), 0)

		got = list(store.AdminContentFilter{}, store.Page{Page: 2, Limit: 3})
		f.is.Equal(got.Total, 4)
		f.is.Equal(idsOf(got), uuidStrings(c1.ID))
	}},
}
