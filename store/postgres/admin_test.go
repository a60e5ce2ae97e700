package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/postgres"
)

// rollupChecks each count the rows in which a rollup of migration 0004 and
// its recomputation from purchases differ; all must be 0.
var rollupChecks = map[string]string{
	"purchase_daily_totals": `WITH r AS (SELECT organization_id, day, revenue_cents, purchases, platform_fee_cents,
	     organization_fee_cents, creator_payout_cents FROM purchase_daily_totals),
	 p AS (SELECT organization_id, (purchased_at AT TIME ZONE 'UTC')::date, sum(amount_paid_cents)::bigint, count(*),
	     sum(platform_fee_cents)::bigint, sum(organization_fee_cents)::bigint, sum(creator_payout_cents)::bigint
	     FROM purchases WHERE status = 'completed' AND purchased_at IS NOT NULL GROUP BY 1, 2)
	 SELECT count(*) FROM ((TABLE r EXCEPT TABLE p) UNION ALL (TABLE p EXCEPT TABLE r)) x`,
	"customer_first_purchase": `WITH r AS (SELECT organization_id, customer_id, first_purchased_at, completed_count, spent_cents
	     FROM customer_first_purchase),
	 p AS (SELECT organization_id, customer_id, min(purchased_at), count(*), sum(amount_paid_cents)::bigint
	     FROM purchases WHERE status = 'completed' GROUP BY 1, 2)
	 SELECT count(*) FROM ((TABLE r EXCEPT TABLE p) UNION ALL (TABLE p EXCEPT TABLE r)) x`,
	"customer_first_purchase_all": `WITH r AS (SELECT customer_id, first_purchased_at, completed_count, spent_cents
	     FROM customer_first_purchase_all),
	 p AS (SELECT customer_id, min(purchased_at), count(*), sum(amount_paid_cents)::bigint
	     FROM purchases WHERE status = 'completed' GROUP BY 1)
	 SELECT count(*) FROM ((TABLE r EXCEPT TABLE p) UNION ALL (TABLE p EXCEPT TABLE r)) x`,
}

func checkRollups(t *testing.T, s *postgres.Store, step string) {
	t.Helper()
	for table, q := range rollupChecks {
		var diff int
		if err := s.Pool().QueryRow(context.Background(), q).Scan(&diff); err != nil {
			t.Fatalf("%s: check %s: %v", step, table, err)
		}
		if diff != 0 {
			t.Fatalf("%s: %d rows of %s differ from the purchases", step, diff, table)
		}
	}
}

type adminWorld struct {
	s         *postgres.Store
	org, org2 uuid.UUID
	content   uuid.UUID
	content2  uuid.UUID
	customers []string
}

func newAdminWorld(t *testing.T, customers int) adminWorld {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	u, o, c := fixture(t, s)
	o2 := &store.Organization{Name: "Second", Slug: "second-" + uuid.NewString()[:8]}
	if err := s.Organizations().Create(ctx, o2); err != nil {
		t.Fatal(err)
	}
	c2 := &store.Content{CreatorID: u.ID, OrganizationID: &o2.ID, Title: "Other", Slug: "other",
		ContentType: store.ContentWritten, Visibility: store.VisibilityPublic, Status: store.ContentDraft}
	if err := s.Content().Create(ctx, c2); err != nil {
		t.Fatal(err)
	}
	w := adminWorld{s: s, org: o.ID, org2: o2.ID, content: c.ID, content2: c2.ID}
	for i := range customers {
		cu := &store.User{Name: fmt.Sprint("Customer ", i), Email: randomName("c") + "@example.com", Role: store.RoleCustomer}
		if err := s.Users().Create(ctx, cu); err != nil {
			t.Fatal(err)
		}
		w.customers = append(w.customers, cu.ID)
	}
	return w
}

func (w adminWorld) buy(ctx context.Context, customer string, amount int, at *time.Time, st store.PurchaseStatus) (*store.Purchase, error) {
	p := &store.Purchase{
		CustomerID: customer, ContentID: w.content, OrganizationID: w.org,
		AmountPaidCents: amount, Currency: "usd", PlatformFeeCents: amount / 10, OrganizationFeeCents: amount / 20,
		CreatorPayoutCents: amount - amount/10 - amount/20, StripePaymentIntentID: "pi_" + uuid.NewString(),
		Status: st, PurchasedAt: at,
	}
	return p, w.s.Purchases().Create(ctx, p)
}

// Purchases of one organization, day and customer committing at once all
// land on the same rollup rows; each must be counted.
func TestAdminRollupsConcurrentInserts(t *testing.T) {
	is := is.New(t)
	w := newAdminWorld(t, 1)
	ctx := context.Background()
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				_, err := w.buy(ctx, w.customers[0], 1000, &at, store.PurchaseCompleted)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		is.NoErr(err)
	}

	days, err := w.s.Admin().RevenueByDay(ctx, store.RevenueFilter{OrganizationID: &w.org})
	is.NoErr(err)
	is.Equal(days, []store.RevenueDay{{Day: at.Truncate(24 * time.Hour), Purchases: writers * each, RevenueCents: writers * each * 1000,
		PlatformFeeCents: writers * each * 100, OrganizationFeeCents: writers * each * 50, CreatorPayoutCents: writers * each * 850}})
	cs, err := w.s.Admin().Customer(ctx, nil, w.customers[0])
	is.NoErr(err)
	is.Equal([2]int64{cs.TotalPurchases, cs.TotalSpentCents}, [2]int64{writers * each, writers * each * 1000})
	checkRollups(t, w.s, "concurrent inserts")
}

// Inserts, refunds and reinstatements of one customer's purchases racing
// each other: the first purchase is recomputed on removal while other
// transactions lower it, and the rollups must still match the purchases.
func TestAdminRollupsConcurrentRefunds(t *testing.T) {
	is := is.New(t)
	w := newAdminWorld(t, 2)
	ctx := context.Background()
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	const writers, each = 6, 30
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			var mine []uuid.UUID
			for range each {
				at := base.Add(time.Duration(rng.IntN(72)) * time.Hour)
				switch op := rng.IntN(3); {
				case op == 0 || len(mine) == 0:
					p, err := w.buy(ctx, w.customers[rng.IntN(2)], 100+rng.IntN(900), &at, store.PurchaseCompleted)
					if err == nil {
						mine = append(mine, p.ID)
					}
					errs <- err
				case op == 1:
					_, err := w.s.Purchases().Update(ctx, mine[rng.IntN(len(mine))], store.PurchasePatch{Status: store.Some(store.PurchaseRefunded)})
					errs <- err
				default:
					_, err := w.s.Purchases().Update(ctx, mine[rng.IntN(len(mine))], store.PurchasePatch{Status: store.Some(store.PurchaseCompleted)})
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		is.NoErr(err)
	}
	checkRollups(t, w.s, "concurrent refunds")
}

// Changes only SQL can make (moving a purchase to another day, customer or
// organization, changing amounts, deleting rows, statements over many
// rows) keep the rollups exact.
func TestAdminRollupsFollowEveryChange(t *testing.T) {
	is := is.New(t)
	w := newAdminWorld(t, 3)
	ctx := context.Background()
	day := func(d, h int) *time.Time { t := time.Date(2024, 3, d, h, 0, 0, 0, time.UTC); return &t }
	var ids []uuid.UUID
	for i, b := range []struct {
		customer int
		amount   int
		at       *time.Time
		st       store.PurchaseStatus
	}{
		{0, 1000, day(1, 23), store.PurchaseCompleted},
		{0, 2000, day(3, 0), store.PurchaseCompleted},
		{1, 3000, day(3, 10), store.PurchaseCompleted},
		{1, 400, nil, store.PurchaseCompleted},
		{2, 5000, day(2, 12), store.PurchasePending},
		{2, 600, day(2, 12), store.PurchaseCompleted},
	} {
		p, err := w.buy(ctx, w.customers[b.customer], b.amount, b.at, b.st)
		is.NoErr(err)
		ids = append(ids, p.ID)
		checkRollups(t, w.s, fmt.Sprint("insert ", i))
	}
	// The checks themselves notice a rollup that is off by one cent.
	for table := range rollupChecks {
		tx, err := w.s.Pool().Begin(ctx)
		is.NoErr(err)
		col := map[string]string{"purchase_daily_totals": "revenue_cents"}[table]
		if col == "" {
			col = "spent_cents"
		}
		_, err = tx.Exec(ctx, "UPDATE "+table+" SET "+col+" = "+col+" + 1 WHERE ctid = (SELECT min(ctid) FROM "+table+")")
		is.NoErr(err)
		var diff int
		is.NoErr(tx.QueryRow(ctx, rollupChecks[table]).Scan(&diff))
		is.Equal(diff, 2) // the rollup's row and the recomputed one
		is.NoErr(tx.Rollback(ctx))
	}
	// Then every kind of change, ending with the customers' last
	// purchases gone: their rows must go too.
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"move to another day", "UPDATE purchases SET purchased_at = purchased_at + interval '3 days' WHERE id = $1", []any{ids[0]}},
		{"move earlier, across midnight", "UPDATE purchases SET purchased_at = '2024-02-28T23:59:59Z' WHERE id = $1", []any{ids[1]}},
		{"undate", "UPDATE purchases SET purchased_at = NULL WHERE id = $1", []any{ids[2]}},
		{"date", "UPDATE purchases SET purchased_at = '2024-01-01T00:00:00Z' WHERE id = $1", []any{ids[3]}},
		{"change amounts", `UPDATE purchases SET amount_paid_cents = 1234, platform_fee_cents = 234, organization_fee_cents = 0,
		     creator_payout_cents = 1000 WHERE id = $1`, []any{ids[5]}},
		{"complete and move at once", "UPDATE purchases SET status = 'completed', purchased_at = '2024-03-09T09:00:00Z' WHERE id = $1", []any{ids[4]}},
		{"move to another organization", "UPDATE purchases SET organization_id = $2, content_id = $3 WHERE id = $1", []any{ids[5], w.org2, w.content2}},
		{"move to another customer", "UPDATE purchases SET customer_id = $2 WHERE id = $1", []any{ids[1], w.customers[2]}},
		{"touch nothing counted", "UPDATE purchases SET refund_reason = 'none', updated_at = now() WHERE id = $1", []any{ids[0]}},
		{"rewrite same values", "UPDATE purchases SET status = status, purchased_at = purchased_at WHERE id = $1", []any{ids[0]}},
		{"refund many at once", "UPDATE purchases SET status = 'refunded' WHERE customer_id = $1", []any{w.customers[0]}},
		{"reinstate many at once", "UPDATE purchases SET status = 'completed' WHERE customer_id = $1", []any{w.customers[0]}},
		{"delete one", "DELETE FROM purchases WHERE id = $1", []any{ids[2]}},
		{"delete a customer's last", "DELETE FROM purchases WHERE customer_id = $1", []any{w.customers[1]}},
		{"delete the user (cascade)", "DELETE FROM users WHERE id = $1", []any{w.customers[2]}},
		{"delete the rest", "DELETE FROM purchases", nil},
	}
	for _, st := range steps {
		_, err := w.s.Pool().Exec(ctx, st.sql, st.args...)
		is.NoErr(err)
		checkRollups(t, w.s, st.name)
	}
	for table := range rollupChecks {
		var n int
		is.NoErr(w.s.Pool().QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
		is.Equal(n, 0) // no zero rows left behind
	}
}

// Migration 0004 backfills the rollups from the purchases already there.
func TestAdminRollupsBackfill(t *testing.T) {
	is := is.New(t)
	w := newAdminWorld(t, 2)
	ctx := context.Background()
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 6 {
		_, err := w.buy(ctx, w.customers[i%2], 100*(i+1), &at, []store.PurchaseStatus{store.PurchaseCompleted, store.PurchaseRefunded}[i%3/2])
		is.NoErr(err)
		at = at.Add(20 * time.Hour)
	}
	_, err := w.buy(ctx, w.customers[0], 50, nil, store.PurchaseCompleted)
	is.NoErr(err)
	// Undo 0004 and apply it again over the existing purchases.
	_, err = w.s.Pool().Exec(ctx, `DROP TABLE purchase_daily_totals, customer_first_purchase, customer_first_purchase_all;
		DROP FUNCTION purchase_rollups_trigger() CASCADE;
		DROP FUNCTION purchase_rollups_add(purchases), purchase_rollups_remove(purchases);
		DELETE FROM schema_migrations WHERE version = '0004_admin_rollups'`)
	is.NoErr(err)
	applied, err := w.s.Migrate(ctx)
	is.NoErr(err)
	is.Equal(applied, []string{"0004_admin_rollups"})
	var n int
	is.NoErr(w.s.Pool().QueryRow(ctx, "SELECT count(*) FROM customer_first_purchase_all").Scan(&n))
	is.Equal(n, 2)
	checkRollups(t, w.s, "backfill")
}
