package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

func (r repos) Admin() store.AdminRepo { return adminRepo(r) }

// adminRepo answers the dashboard from the rollups of migration 0004
// (purchase_daily_totals, customer_first_purchase[_all]), which triggers on
// purchases keep exact, and from the raw purchases where no rollup holds
// the answer: partial days at the edges of a range, and top content. Every
// query over purchases spells status = 'completed' as a literal so the
// planner can use the partial indexes of migration 0003 (a parameter would
// hide it).
type adminRepo repos

// countedWhere is the WHERE clause of counted purchases in f, for the
// purchases table under alias p.
func countedWhere(a *args, f store.RevenueFilter) *where {
	w := newWhere(a, "p.status = 'completed'")
	if f.OrganizationID != nil {
		w.and("p.organization_id = ?", *f.OrganizationID)
	}
	if !f.Start.IsZero() {
		w.and("p.purchased_at >= ?", f.Start)
	}
	if !f.End.IsZero() {
		w.and("p.purchased_at < ?", f.End)
	}
	return w
}

func scanRevenueDay(s scanner) (*store.RevenueDay, error) {
	var d store.RevenueDay
	err := s.Scan(&d.Day, &d.Purchases, &d.RevenueCents, &d.PlatformFeeCents, &d.OrganizationFeeCents, &d.CreatorPayoutCents)
	return &d, err
}

// rawRevenueByDay is revenue by day summed from the purchases themselves,
// for ranges that cover only part of a day.
func rawRevenueByDay(a *args, f store.RevenueFilter) string {
	w := countedWhere(a, f)
	w.and("p.purchased_at IS NOT NULL")
	// sum(integer) is bigint in PostgreSQL: no 32-bit wrap (reference
	// oddity 25). Days are UTC whatever the session's time zone.
	return `SELECT date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
	     count(*), sum(p.amount_paid_cents)::bigint, sum(p.platform_fee_cents)::bigint,
	     sum(p.organization_fee_cents)::bigint, sum(p.creator_payout_cents)::bigint
	 FROM purchases p WHERE ` + w.sql() + `
	 GROUP BY date_trunc('day', p.purchased_at AT TIME ZONE 'UTC')`
}

// utcDay is the UTC midnight at or before t.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (r adminRepo) RevenueByDay(ctx context.Context, f store.RevenueFilter) ([]store.RevenueDay, error) {
	// Bounds at the precision PostgreSQL compares them with, so a start a
	// few nanoseconds past midnight still begins a whole day.
	start, end := f.Start.Truncate(time.Microsecond), f.End.Truncate(time.Microsecond)
	// The rollup answers the whole UTC days [lo, hi) inside the range; a
	// zero bound is open on that side.
	lo, hi := start, end
	if !start.IsZero() {
		if lo = utcDay(start); lo.Before(start) {
			lo = lo.AddDate(0, 0, 1)
		}
	}
	if !end.IsZero() {
		hi = utcDay(end)
	}
	var a args
	if !start.IsZero() && !end.IsZero() && !lo.Before(hi) {
		// Not one whole day: the range lies within two partial days.
		return queryAll(ctx, r.q, "revenue by day", scanRevenueDay,
			rawRevenueByDay(&a, store.RevenueFilter{OrganizationID: f.OrganizationID, Start: start, End: end})+` ORDER BY 1`, a...)
	}
	w := newWhere(&a)
	if f.OrganizationID != nil {
		w.and("d.organization_id = ?", *f.OrganizationID)
	}
	if !lo.IsZero() {
		w.and("d.day >= ?::date", lo.Format(time.DateOnly))
	}
	if !hi.IsZero() {
		w.and("d.day < ?::date", hi.Format(time.DateOnly))
	}
	// Platform-wide, each day has one row per organization to add up;
	// sum(bigint) is numeric, cast back. The partial days at either end
	// are other days than the whole ones, so the parts never overlap.
	sql := `SELECT d.day::timestamp AT TIME ZONE 'UTC' AS day,
	     sum(d.purchases)::bigint, sum(d.revenue_cents)::bigint, sum(d.platform_fee_cents)::bigint,
	     sum(d.organization_fee_cents)::bigint, sum(d.creator_payout_cents)::bigint
	 FROM purchase_daily_totals d WHERE ` + w.sql() + `
	 GROUP BY d.day`
	if !start.Equal(lo) {
		sql += " UNION ALL " + rawRevenueByDay(&a, store.RevenueFilter{OrganizationID: f.OrganizationID, Start: start, End: lo})
	}
	if !end.Equal(hi) {
		sql += " UNION ALL " + rawRevenueByDay(&a, store.RevenueFilter{OrganizationID: f.OrganizationID, Start: hi, End: end})
	}
	return queryAll(ctx, r.q, "revenue by day", scanRevenueDay, sql+" ORDER BY 1", a...)
}

func scanTopContent(s scanner) (*store.TopContent, error) {
	var t store.TopContent
	err := s.Scan(&t.ContentID, &t.ContentTitle, &t.ContentDeleted, &t.RevenueCents, &t.PurchaseCount)
	return &t, err
}

func (r adminRepo) TopContent(ctx context.Context, f store.RevenueFilter, limit int) ([]store.TopContent, error) {
	if limit <= 0 {
		return []store.TopContent{}, nil
	}
	var a args
	w := countedWhere(&a, f)
	// Aggregate first and join only the winners: the join then touches
	// limit content rows instead of one per purchase.
	return queryAll(ctx, r.q, "top content", scanTopContent,
		`WITH t AS (
		     SELECT p.content_id, sum(p.amount_paid_cents)::bigint AS revenue, count(*) AS n
		     FROM purchases p WHERE `+w.sql()+`
		     GROUP BY p.content_id
		     ORDER BY revenue DESC, n DESC, p.content_id ASC
		     LIMIT `+a.add(limit)+`)
		 SELECT t.content_id, c.title, c.deleted_at IS NOT NULL, t.revenue, t.n
		 FROM t JOIN content c ON c.id = t.content_id
		 ORDER BY t.revenue DESC, t.n DESC, t.content_id ASC`, a...)
}

// customerRollup is the per-customer rollup of the scope (customer_id,
// first_purchased_at, completed_count, spent_cents) under alias c; its
// parameters go into a.
func customerRollup(a *args, orgID *uuid.UUID) string {
	if orgID == nil {
		return "(SELECT * FROM customer_first_purchase_all) c"
	}
	return "(SELECT customer_id, first_purchased_at, completed_count, spent_cents FROM customer_first_purchase WHERE organization_id = " +
		a.add(*orgID) + ") c"
}

func (r adminRepo) CustomerStats(ctx context.Context, orgID *uuid.UUID, since time.Time) (store.CustomerStats, error) {
	var a args
	from := customerRollup(&a, orgID)
	var out store.CustomerStats
	// The rollup's first purchase is NULL for a customer whose purchases
	// are all undated, and NULL >= since is not true: never new.
	err := r.q.QueryRow(ctx,
		`SELECT count(*), count(*) FILTER (WHERE c.first_purchased_at >= `+a.add(since)+`) FROM `+from,
		a...).Scan(&out.TotalCustomers, &out.NewCustomers)
	return out, mapErr(err, "customer stats")
}

const customerCols = "u.id, u.email, u.name, u.created_at, c.completed_count, c.spent_cents"

func scanCustomer(s scanner) (*store.CustomerSummary, error) {
	var c store.CustomerSummary
	err := s.Scan(&c.UserID, &c.Email, &c.Name, &c.CreatedAt, &c.TotalPurchases, &c.TotalSpentCents)
	return &c, err
}

// customersFrom is the scope's customer rollup joined to users; its
// parameters go into a.
func customersFrom(a *args, orgID *uuid.UUID) string {
	return customerRollup(a, orgID) + " JOIN users u ON u.id = c.customer_id"
}

func (r adminRepo) ListCustomers(ctx context.Context, f store.CustomerFilter, page store.Page) (store.List[store.CustomerSummary], error) {
	var a args
	from := customersFrom(&a, f.OrganizationID)
	w := newWhere(&a)
	if f.Search != "" {
		w.and("(u.email ILIKE ? OR u.name ILIKE ?)", likePattern(f.Search), likePattern(f.Search))
	}
	// COLLATE "C": ids tie-break bytewise whatever the database's locale.
	return list(ctx, r.q, "list customers", customerCols, from, w,
		`c.spent_cents DESC, u.id COLLATE "C" ASC`, page, scanCustomer)
}

func (r adminRepo) Customer(ctx context.Context, orgID *uuid.UUID, customerID string) (*store.CustomerSummary, error) {
	var a args
	from := customersFrom(&a, orgID)
	return queryOne(ctx, r.q, "get customer", scanCustomer,
		`SELECT `+customerCols+` FROM `+from+` WHERE c.customer_id = `+a.add(customerID), a...)
}

// withExtra scans a row's trailing columns into extra, after the
// destinations the wrapped scan function asks for.
type withExtra struct {
	s     scanner
	extra []any
}

func (e withExtra) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }

func scanAdminContent(s scanner) (*store.AdminContent, error) {
	var cr store.ContentCreator
	c, err := scanContent(withExtra{s, []any{&cr.ID, &cr.Email, &cr.Name}})
	if err != nil {
		return nil, err
	}
	return &store.AdminContent{Content: *c, Creator: cr}, nil
}

func (r adminRepo) ListContent(ctx context.Context, f store.AdminContentFilter, page store.Page) (store.List[store.AdminContent], error) {
	var a args
	w := newWhere(&a, "c.deleted_at IS NULL")
	if f.OrganizationID != nil {
		w.and("c.organization_id = ?", *f.OrganizationID)
	}
	if f.Status != "" {
		w.and("c.status = ?", f.Status)
	}
	if f.ContentType != "" {
		w.and("c.content_type = ?", f.ContentType)
	}
	if f.Search != "" {
		w.and("(c.title ILIKE ? OR c.description ILIKE ?)", likePattern(f.Search), likePattern(f.Search))
	}
	return list(ctx, r.q, "list admin content", qualify("c.", contentCols)+", u.id, u.email, u.name",
		"content c JOIN users u ON u.id = c.creator_id", w, "c.created_at DESC, c.id ASC", page, scanAdminContent)
}
