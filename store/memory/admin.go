package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

func (r repos) Admin() store.AdminRepo { return adminRepo(r) }

type adminRepo repos

// counted reports whether p is a completed purchase in scope and, when
// bounded, inside f's range.
func counted(p *store.Purchase, f store.RevenueFilter) bool {
	if p.Status != store.PurchaseCompleted || (f.OrganizationID != nil && p.OrganizationID != *f.OrganizationID) {
		return false
	}
	if f.Start.IsZero() && f.End.IsZero() {
		return true
	}
	if p.PurchasedAt == nil {
		return false
	}
	return (f.Start.IsZero() || !p.PurchasedAt.Before(f.Start)) && (f.End.IsZero() || p.PurchasedAt.Before(f.End))
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (r adminRepo) RevenueByDay(ctx context.Context, f store.RevenueFilter) (out []store.RevenueDay, err error) {
	f.Start, f.End = dbTimeOrZero(f.Start), dbTimeOrZero(f.End)
	err = r.d.read(ctx, func(st *state) error {
		days := map[time.Time]*store.RevenueDay{}
		for _, p := range st.purchases {
			// A day needs a date: undated purchases are in no day.
			if !counted(p, f) || p.PurchasedAt == nil {
				continue
			}
			k := utcDay(*p.PurchasedAt)
			d := days[k]
			if d == nil {
				d = &store.RevenueDay{Day: k}
				days[k] = d
			}
			d.Purchases++
			d.RevenueCents += int64(p.AmountPaidCents)
			d.PlatformFeeCents += int64(p.PlatformFeeCents)
			d.OrganizationFeeCents += int64(p.OrganizationFeeCents)
			d.CreatorPayoutCents += int64(p.CreatorPayoutCents)
		}
		out = make([]store.RevenueDay, 0, len(days))
		for _, d := range days {
			out = append(out, *d)
		}
		slices.SortFunc(out, func(a, b store.RevenueDay) int { return a.Day.Compare(b.Day) })
		return nil
	})
	return out, err
}

func (r adminRepo) TopContent(ctx context.Context, f store.RevenueFilter, limit int) (out []store.TopContent, err error) {
	f.Start, f.End = dbTimeOrZero(f.Start), dbTimeOrZero(f.End)
	err = r.d.read(ctx, func(st *state) error {
		by := map[uuid.UUID]*store.TopContent{}
		for _, p := range st.purchases {
			if !counted(p, f) {
				continue
			}
			t := by[p.ContentID]
			if t == nil {
				c := st.content[p.ContentID]
				t = &store.TopContent{ContentID: p.ContentID, ContentTitle: c.Title, ContentDeleted: c.DeletedAt != nil}
				by[p.ContentID] = t
			}
			t.RevenueCents += int64(p.AmountPaidCents)
			t.PurchaseCount++
		}
		out = make([]store.TopContent, 0, len(by))
		for _, t := range by {
			out = append(out, *t)
		}
		slices.SortFunc(out, func(a, b store.TopContent) int {
			return cmp.Or(cmp.Compare(b.RevenueCents, a.RevenueCents), cmp.Compare(b.PurchaseCount, a.PurchaseCount),
				compareIDs(a.ContentID, b.ContentID))
		})
		out = out[:min(max(limit, 0), len(out))]
		return nil
	})
	return out, err
}

func (r adminRepo) CustomerStats(ctx context.Context, orgID *uuid.UUID, since time.Time) (out store.CustomerStats, err error) {
	since = dbTime(since)
	err = r.d.read(ctx, func(st *state) error {
		first := map[string]*time.Time{}
		for _, p := range st.purchases {
			if !counted(p, store.RevenueFilter{OrganizationID: orgID}) {
				continue
			}
			cur, seen := first[p.CustomerID]
			if !seen || (p.PurchasedAt != nil && (cur == nil || p.PurchasedAt.Before(*cur))) {
				first[p.CustomerID] = p.PurchasedAt
			}
		}
		out.TotalCustomers = int64(len(first))
		for _, t := range first {
			if t != nil && !t.Before(since) {
				out.NewCustomers++
			}
		}
		return nil
	})
	return out, err
}

// customers sums the counted purchases in scope per customer.
func customers(st *state, orgID *uuid.UUID) map[string]*store.CustomerSummary {
	by := map[string]*store.CustomerSummary{}
	for _, p := range st.purchases {
		if !counted(p, store.RevenueFilter{OrganizationID: orgID}) {
			continue
		}
		c := by[p.CustomerID]
		if c == nil {
			u := st.users[p.CustomerID]
			c = &store.CustomerSummary{UserID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}
			by[p.CustomerID] = c
		}
		c.TotalPurchases++
		c.TotalSpentCents += int64(p.AmountPaidCents)
	}
	return by
}

func (r adminRepo) ListCustomers(ctx context.Context, f store.CustomerFilter, page store.Page) (out store.List[store.CustomerSummary], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.CustomerSummary
		for _, c := range customers(st, f.OrganizationID) {
			if f.Search != "" && !contains(c.Email, f.Search) && !contains(c.Name, f.Search) {
				continue
			}
			rows = append(rows, c)
		}
		slices.SortFunc(rows, func(a, b *store.CustomerSummary) int {
			// Text ids compare bytewise, as under the C collation PostgreSQL
			// is asked for.
			return cmp.Or(cmp.Compare(b.TotalSpentCents, a.TotalSpentCents), strings.Compare(a.UserID, b.UserID))
		})
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

func (r adminRepo) Customer(ctx context.Context, orgID *uuid.UUID, customerID string) (out *store.CustomerSummary, err error) {
	err = r.d.read(ctx, func(st *state) error {
		c, ok := customers(st, orgID)[customerID]
		out, err = orNil(ok, c)
		return err
	})
	return out, err
}

func (r adminRepo) ListContent(ctx context.Context, f store.AdminContentFilter, page store.Page) (out store.List[store.AdminContent], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Content
		for _, c := range st.content {
			if c.DeletedAt != nil ||
				(f.OrganizationID != nil && (c.OrganizationID == nil || *c.OrganizationID != *f.OrganizationID)) ||
				(f.Status != "" && c.Status != f.Status) ||
				(f.ContentType != "" && c.ContentType != f.ContentType) ||
				(f.Search != "" && !contains(c.Title, f.Search) && !containsPtr(c.Description, f.Search)) {
				continue
			}
			rows = append(rows, c)
		}
		sortRows(rows, byTime(func(c *store.Content) time.Time { return c.CreatedAt }), true,
			func(c *store.Content) uuid.UUID { return c.ID })
		pg := paginate(rows, page)
		out = store.List[store.AdminContent]{Items: make([]store.AdminContent, 0, len(pg.Items)), Total: pg.Total}
		for _, c := range pg.Items {
			item := store.AdminContent{Content: c}
			// The creator foreign key cascades, so the user is always there.
			if u, ok := st.users[c.CreatorID]; ok {
				item.Creator = store.ContentCreator{ID: u.ID, Email: u.Email, Name: u.Name}
			}
			out.Items = append(out.Items, item)
		}
		return nil
	})
	return out, err
}

// dbTimeOrZero rounds a bound like PostgreSQL would, keeping the zero
// value (an open bound) as it is.
func dbTimeOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return dbTime(t)
}
