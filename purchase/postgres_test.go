package purchase_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/codexforgo/codex/purchase"
	stripepay "github.com/codexforgo/codex/purchase/stripe"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/postgres"
)

// pgStore returns a migrated store on a throwaway database, dropped when
// tb ends. Without CODEX_TEST_DATABASE_URL it skips, except under CI.
func pgStore(tb testing.TB) *postgres.Store {
	tb.Helper()
	base := os.Getenv("CODEX_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CODEX_TEST_DATABASE_URL is not set (required when CI=true)")
		}
		tb.Skip("CODEX_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	name := "codex_purchase_" + fmt.Sprintf("%x", rand.Text())[:16]
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("pool_max_conns", "32")
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err == nil {
		_, err = s.Migrate(ctx)
	}
	tb.Cleanup(func() {
		if s != nil {
			s.Close()
		}
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

type pgWorld struct {
	svc      *purchase.Service
	db       store.Store
	customer *store.User
	org      *store.Organization
	creator  *store.User
	content  []*store.Content
}

const benchSecret = "whsec_bench"

func newPGWorld(tb testing.TB, items int) *pgWorld {
	tb.Helper()
	ctx := context.Background()
	db := pgStore(tb)
	w := &pgWorld{db: db}
	w.svc = purchase.New(db, purchase.NewLocalPayments(origin),
		stripepay.NewVerifier(map[purchase.Endpoint]string{purchase.EndpointBooking: benchSecret, purchase.EndpointPayment: benchSecret}, 0),
		nil, purchase.Config{PublicURL: origin, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	w.creator = &store.User{Name: "Creator", Email: "creator@example.com", Role: store.RoleCreator}
	w.customer = &store.User{Name: "Buyer", Email: "buyer@example.com", Role: store.RoleCustomer}
	w.org = &store.Organization{Name: "Studio", Slug: "studio"}
	for _, err := range []error{
		db.Users().Create(ctx, w.creator), db.Users().Create(ctx, w.customer), db.Organizations().Create(ctx, w.org),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	for i := range items {
		c := &store.Content{CreatorID: w.creator.ID, OrganizationID: &w.org.ID, Title: fmt.Sprint("Film ", i),
			Slug: fmt.Sprint("film-", i), ContentType: store.ContentWritten, ContentBody: ptr("x"),
			Visibility: store.VisibilityPublic, Status: store.ContentPublished, PriceCents: ptr(2999), PublishedAt: ptr(time.Now())}
		if err := db.Content().Create(ctx, c); err != nil {
			tb.Fatal(err)
		}
		w.content = append(w.content, c)
	}
	return w
}

// delivery is one signed checkout.session.completed, as Stripe sends it.
func (w *pgWorld) delivery(tb testing.TB, pi string, c *store.Content) ([]byte, string) {
	payload, err := json.Marshal(map[string]any{
		"id": "evt_" + pi, "object": "event", "type": "checkout.session.completed", "api_version": "2025-10-29.clover",
		"created": time.Now().Unix(),
		"data": map[string]any{"object": map[string]any{
			"id": "cs_" + pi, "object": "checkout.session", "payment_intent": pi, "payment_status": "paid",
			"amount_total": 2999, "currency": "usd", "client_reference_id": w.customer.ID,
			"metadata": map[string]string{"contentId": c.ID.String(), "customerId": w.customer.ID,
				"organizationId": w.org.ID.String(), "creatorId": w.creator.ID},
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: benchSecret, Timestamp: time.Now()})
	return payload, sp.Header
}

func (w *pgWorld) count(tb testing.TB) int {
	l, err := w.db.Purchases().List(context.Background(), store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{Limit: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return l.Total
}

// On PostgreSQL racing deliveries really run in parallel transactions: the
// losers' inserts fail on the unique payment intent and read the winner's
// row under a savepoint, and nobody gets an error to answer with.
func TestPostgresRacingDeliveriesRecordOnce(t *testing.T) {
	w := newPGWorld(t, 1)
	payload, sig := w.delivery(t, "pi_race_"+uuid.NewString()[:8], w.content[0])
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Go(func() {
			if err := w.svc.HandleWebhook(context.Background(), purchase.EndpointBooking, payload, sig); err != nil {
				t.Error(err)
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := w.count(t); n != 1 || failed.Load() != 0 {
		t.Fatalf("%d purchases, %d failed deliveries; want 1 and 0", n, failed.Load())
	}
	ok, err := w.svc.HasPurchased(context.Background(), w.customer.ID, w.content[0].ID)
	if err != nil || !ok {
		t.Fatalf("HasPurchased = %v, %v", ok, err)
	}
	// A refund on PostgreSQL revokes in the same transaction.
	p, err := w.db.Purchases().List(context.Background(), store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.HandleEvent(context.Background(), purchase.EndpointPayment, refundEvent(p.Items[0].StripePaymentIntentID, 2999, 2999)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Access().Get(context.Background(), w.customer.ID, w.content[0].ID); err == nil {
		t.Fatal("access survived a full refund")
	}
}

// BenchmarkWebhookDeliveriesPostgres measures signed deliveries processed
// per second on PostgreSQL, every event delivered three times at once (as
// Stripe's retries and duplicates do). It reports events/s and checks that
// exactly one purchase exists per distinct event.
func BenchmarkWebhookDeliveriesPostgres(b *testing.B) {
	w := newPGWorld(b, 32)
	type ev struct {
		payload []byte
		sig     string
	}
	run := uuid.NewString()[:8]
	events := make([]ev, b.N)
	for i := range events {
		p, s := w.delivery(b, fmt.Sprintf("pi_bench_%s_%d", run, i), w.content[i%len(w.content)])
		events[i] = ev{p, s}
	}
	before := w.count(b)
	const workers = 16
	var next atomic.Int64
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(events)) {
					return
				}
				var dup sync.WaitGroup
				for range 3 {
					dup.Go(func() {
						if err := w.svc.HandleWebhook(context.Background(), purchase.EndpointBooking, events[i].payload, events[i].sig); err != nil {
							failures.Add(1)
						}
					})
				}
				dup.Wait()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(3*b.N)/elapsed.Seconds(), "deliveries/s")
	if f := failures.Load(); f != 0 {
		b.Fatalf("%d deliveries failed", f)
	}
	if got := w.count(b) - before; got != b.N {
		b.Fatalf("%d purchases for %d distinct events", got, b.N)
	}
}
