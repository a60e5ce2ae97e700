package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

func (r repos) Admin() store.AdminRepo { return adminRepo(r) }

// adminRepo runs the dashboard's aggregates in SQL. Every query over
// purchases spells status = 'completed' as a literal so the planner can use
// the partial indexes of migration 0003 (a parameter would hide it).
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

func (r adminRepo) RevenueByDay(ctx context.Context, f store.RevenueFilter) ([]store.RevenueDay, error) {
	var a args
	w := countedWhere(&a, f)
	w.and("p.purchased_at IS NOT NULL")
	// sum(integer) is bigint in PostgreSQL: no 32-bit wrap (reference
	// oddity 25). Days are UTC whatever the session's time zone. The GROUP
	// BY expression is exactly the one migration 0003 keeps statistics on:
	// knowing there are few days, the planner hashes (in parallel) instead
	// of sorting every row.
	return queryAll(ctx, r.q, "revenue by day", scanRevenueDay,
		`SELECT date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
		     count(*), sum(p.amount_paid_cents)::bigint, sum(p.platform_fee_cents)::bigint,
		     sum(p.organization_fee_cents)::bigint, sum(p.creator_payout_cents)::bigint
		 FROM purchases p WHERE `+w.sql()+`
		 GROUP BY date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') ORDER BY 1`, a...)
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

func (r adminRepo) CustomerStats(ctx context.Context, orgID *uuid.UUID, since time.Time) (store.CustomerStats, error) {
	var a args
	w := countedWhere(&a, store.RevenueFilter{OrganizationID: orgID})
	var out store.CustomerStats
	// min() skips NULLs, so a customer whose purchases are all undated has
	// a NULL first purchase and is never new.
	err := r.q.QueryRow(ctx,
		`SELECT count(*), count(*) FILTER (WHERE s.first >= `+a.add(since)+`)
		 FROM (SELECT min(p.purchased_at) AS first FROM purchases p WHERE `+w.sql()+` GROUP BY p.customer_id) s`,
		a...).Scan(&out.TotalCustomers, &out.NewCustomers)
	return out, mapErr(err, "customer stats")
}

const customerCols = "u.id, u.email, u.name, u.created_at, c.n, c.total"

func scanCustomer(s scanner) (*store.CustomerSummary, error) {
	var c store.CustomerSummary
	err := s.Scan(&c.UserID, &c.Email, &c.Name, &c.CreatedAt, &c.TotalPurchases, &c.TotalSpentCents)
	return &c, err
}

// customersFrom is the per-customer aggregate of counted purchases in scope
// joined to users; its parameters go into a.
func customersFrom(a *args, orgID *uuid.UUID) string {
	w := countedWhere(a, store.RevenueFilter{OrganizationID: orgID})
	return `(SELECT p.customer_id, count(*) AS n, sum(p.amount_paid_cents)::bigint AS total
	     FROM purchases p WHERE ` + w.sql() + ` GROUP BY p.customer_id) c
	 JOIN users u ON u.id = c.customer_id`
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
		`c.total DESC, u.id COLLATE "C" ASC`, page, scanCustomer)
}

func (r adminRepo) Customer(ctx context.Context, orgID *uuid.UUID, customerID string) (*store.CustomerSummary, error) {
	var a args
	w := countedWhere(&a, store.RevenueFilter{OrganizationID: orgID})
	w.and("p.customer_id = ?", customerID)
	return queryOne(ctx, r.q, "get customer", scanCustomer,
		`SELECT `+customerCols+`
		 FROM (SELECT p.customer_id, count(*) AS n, sum(p.amount_paid_cents)::bigint AS total
		       FROM purchases p WHERE `+w.sql()+` GROUP BY p.customer_id) c
		 JOIN users u ON u.id = c.customer_id`, a...)
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
