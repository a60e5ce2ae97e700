package admin_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/admin"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/postgres"
)

// BenchmarkDashboardPostgres measures the admin dashboard (revenue totals
// and by day, top content, customer counts) over a 365-day range on
// 1,000,000 purchases of 10,000 content items by 100,000 customers in 20
// organizations, spread over two years, in PostgreSQL. Loading takes a
// minute, so it runs only with CODEX_BENCH_ADMIN=1 and
// CODEX_TEST_DATABASE_URL set:
//
//	CODEX_BENCH_ADMIN=1 CODEX_TEST_DATABASE_URL=postgres://... \
//	    go test ./admin/ -run '^$' -bench DashboardPostgres -benchtime 20x -v
//
// With -v it also logs EXPLAIN ANALYZE of each query.
func BenchmarkDashboardPostgres(b *testing.B) {
	base := os.Getenv("CODEX_TEST_DATABASE_URL")
	if os.Getenv("CODEX_BENCH_ADMIN") != "1" || base == "" {
		b.Skip("set CODEX_BENCH_ADMIN=1 and CODEX_TEST_DATABASE_URL to run")
	}
	ctx := context.Background()
	maint, err := pgxpool.New(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer maint.Close()
	nb := make([]byte, 6)
	rand.Read(nb)
	name := "codex_bench_" + hex.EncodeToString(nb)
	if _, err := maint.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	defer maint.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	u, _ := url.Parse(base)
	u.Path = "/" + name
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}

	start := time.Now()
	for _, q := range benchLoad {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	b.Logf("loaded 1,000,000 purchases in %v", time.Since(start).Round(time.Millisecond))

	svc := admin.New(s, nil, nil, admin.Config{})
	owner := &actor.Actor{UserID: "owner", Role: store.RolePlatformOwner}
	org := benchOrg(7)
	rng := admin.DefaultRange(time.Now())
	rng.Start = rng.End.AddDate(0, 0, -365)

	if testing.Verbose() {
		explain(b, s, org, rng)
	}
	for _, sc := range []struct {
		name string
		org  *uuid.UUID
	}{{"org", &org}, {"platform", nil}} {
		b.Run(sc.name, func(b *testing.B) {
			var d *admin.Dashboard
			for b.Loop() {
				if d, err = svc.Dashboard(ctx, owner, sc.org, rng, 10); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(d.Revenue.TotalPurchases), "purchases")
			b.Logf("%s: revenue %d cents in %d purchases over %d days; %d customers; top %s",
				sc.name, d.Revenue.TotalRevenueCents, d.Revenue.TotalPurchases, len(d.Revenue.RevenueByDay),
				d.Customers.TotalCustomers, d.TopContent[0].ContentTitle)
		})
	}
}

// benchOrg is the id of organization n (0..19) of the benchmark data.
func benchOrg(n int) uuid.UUID {
	return uuid.MustParse("00000000-0000-4000-8000-" + strings.Repeat("0", 10) + hex.EncodeToString([]byte{byte(n)}))
}

// benchLoad generates the data in the database (INSERT … SELECT
// generate_series), then VACUUM ANALYZE sets the visibility map that
// index-only scans rely on and the statistics the planner needs.
var benchLoad = []string{
	`INSERT INTO users (id, name, email, email_verified, role)
	 SELECT 'u' || g, 'User ' || g, 'u' || g || '@example.com', true, CASE WHEN g <= 10 THEN 'creator' ELSE 'customer' END
	 FROM generate_series(1, 100010) g`,
	`INSERT INTO organizations (id, name, slug)
	 SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'Org ' || g, 'org-' || g
	 FROM generate_series(0, 19) g`,
	// content n belongs to organization n % 20 and creator n % 10.
	`INSERT INTO content (id, creator_id, organization_id, title, slug, content_type, content_body, price_cents, status)
	 SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, 'u' || (1 + g % 10),
	     ('00000000-0000-4000-8000-' || lpad(to_hex(g % 20), 12, '0'))::uuid,
	     'Content ' || g, 'content-' || g, 'written', 'text', 500 + (g % 50) * 100, 'published'
	 FROM generate_series(0, 9999) g`,
	// 95% completed, 3% refunded, 2% pending; dates over the last 730 days.
	`INSERT INTO purchases (customer_id, content_id, organization_id, amount_paid_cents, platform_fee_cents,
	     creator_payout_cents, stripe_payment_intent_id, status, purchased_at)
	 SELECT 'u' || (11 + (g::bigint * 7919) % 100000),
	     ('00000000-0000-4000-9000-' || lpad(to_hex(c), 12, '0'))::uuid,
	     ('00000000-0000-4000-8000-' || lpad(to_hex(c % 20), 12, '0'))::uuid,
	     amt, (amt + 9) / 10, amt - (amt + 9) / 10, 'pi_' || g,
	     CASE WHEN g % 100 < 95 THEN 'completed' WHEN g % 100 < 98 THEN 'refunded' ELSE 'pending' END,
	     now() - ((g::bigint * 104729) % (730 * 86400)) * interval '1 second'
	 FROM (SELECT g, (g::bigint * 31) % 10000 AS c, 500 + (g % 50) * 100 AS amt FROM generate_series(1, 1000000) g) x`,
	`VACUUM ANALYZE users`,
	`VACUUM ANALYZE content`,
	`VACUUM ANALYZE purchases`,
}

func explain(b *testing.B, s *postgres.Store, org uuid.UUID, rng admin.Range) {
	ctx := context.Background()
	since := time.Now().AddDate(0, 0, -30)
	qs := []struct {
		name string
		sql  string
		args []any
	}{
		{"revenue by day (org)", `SELECT date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*),
		     sum(p.amount_paid_cents), sum(p.platform_fee_cents), sum(p.organization_fee_cents), sum(p.creator_payout_cents)
		 FROM purchases p WHERE p.status = 'completed' AND p.organization_id = $1 AND p.purchased_at >= $2 AND p.purchased_at < $3
		     AND p.purchased_at IS NOT NULL GROUP BY date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') ORDER BY 1`, []any{org, rng.Start, rng.End}},
		{"revenue by day (platform)", `SELECT date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*),
		     sum(p.amount_paid_cents), sum(p.platform_fee_cents), sum(p.organization_fee_cents), sum(p.creator_payout_cents)
		 FROM purchases p WHERE p.status = 'completed' AND p.purchased_at >= $1 AND p.purchased_at < $2
		     AND p.purchased_at IS NOT NULL GROUP BY date_trunc('day', p.purchased_at AT TIME ZONE 'UTC') ORDER BY 1`, []any{rng.Start, rng.End}},
		{"top content (platform)", `SELECT p.content_id, sum(p.amount_paid_cents) AS revenue, count(*) AS n FROM purchases p
		 WHERE p.status = 'completed' AND p.purchased_at >= $1 AND p.purchased_at < $2
		 GROUP BY p.content_id ORDER BY revenue DESC, n DESC, p.content_id LIMIT 10`, []any{rng.Start, rng.End}},
		{"customer stats (org)", `SELECT count(*), count(*) FILTER (WHERE s.first >= $2) FROM (SELECT min(p.purchased_at) AS first
		 FROM purchases p WHERE p.status = 'completed' AND p.organization_id = $1 GROUP BY p.customer_id) s`, []any{org, since}},
		{"customer stats (platform)", `SELECT count(*), count(*) FILTER (WHERE s.first >= $1) FROM (SELECT min(p.purchased_at) AS first
		 FROM purchases p WHERE p.status = 'completed' GROUP BY p.customer_id) s`, []any{since}},
	}
	for _, q := range qs {
		rows, err := s.Pool().Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
		if err != nil {
			b.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				b.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		b.Logf("EXPLAIN %s:\n%s", q.name, strings.Join(plan, "\n"))
	}
}
