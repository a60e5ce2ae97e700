package purchase_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

const origin = "https://app.example.com"

// receipts records what the service asks to send.
type receipts struct {
	mu   sync.Mutex
	sent []store.Purchase
	fail bool
}

func (r *receipts) PurchaseReceipt(_ context.Context, p store.Purchase, _ store.Content, _ store.User) {
	r.mu.Lock()
	r.sent = append(r.sent, p)
	r.mu.Unlock()
	if r.fail {
		panic("mailer exploded")
	}
}

func (r *receipts) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

type fixture struct {
	ctx      context.Context
	db       store.Store
	svc      *purchase.Service
	local    *purchase.LocalPayments
	receipts *receipts
	creator  *store.User
	customer *store.User
	buyer    *actor.Actor
	org      *store.Organization
	content  *store.Content
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := memory.New()
	f := &fixture{ctx: ctx, db: db, local: purchase.NewLocalPayments(origin), receipts: &receipts{}}
	f.svc = purchase.New(db, f.local, nil, f.receipts, purchase.Config{
		PublicURL: origin,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	f.creator = f.user(t, "creator@example.com", store.RoleCreator)
	f.customer = f.user(t, "buyer@example.com", store.RoleCustomer)
	f.buyer = &actor.Actor{UserID: f.customer.ID, Role: store.RoleCustomer}
	f.org = &store.Organization{Name: "Studio", Slug: "studio"}
	if err := db.Organizations().Create(ctx, f.org); err != nil {
		t.Fatal(err)
	}
	f.content = f.item(t, func(c *store.Content) {})
	return f
}

func (f *fixture) user(t *testing.T, email string, role store.Role) *store.User {
	t.Helper()
	u := &store.User{Name: "User " + email, Email: email, Role: role, EmailVerified: true}
	if err := f.db.Users().Create(f.ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// item creates published content of the org priced at $29.99.
func (f *fixture) item(t *testing.T, mod func(*store.Content)) *store.Content {
	t.Helper()
	c := &store.Content{
		CreatorID: f.creator.ID, OrganizationID: &f.org.ID, Title: "Film " + uuid.NewString()[:6],
		Slug: "film-" + uuid.NewString()[:8], ContentType: store.ContentWritten, ContentBody: ptr("text"),
		Visibility: store.VisibilityPublic, Status: store.ContentPublished, PriceCents: ptr(2999),
		PublishedAt: ptr(time.Now()),
	}
	mod(c)
	if err := f.db.Content().Create(f.ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) checkout(t *testing.T, a *actor.Actor, c *store.Content) *purchase.CheckoutSession {
	t.Helper()
	s, err := f.svc.Checkout(f.ctx, a, purchase.CheckoutInput{ContentID: c.ID, SuccessURL: origin + "/ok", CancelURL: origin + "/no"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// buy checks out and completes the local payment.
func (f *fixture) buy(t *testing.T, a *actor.Actor, c *store.Content) *store.Purchase {
	t.Helper()
	s := f.checkout(t, a, c)
	p, _, err := f.svc.CompleteLocalCheckout(f.ctx, a, s.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) access(t *testing.T, userID string, contentID uuid.UUID) *store.ContentAccess {
	t.Helper()
	a, err := f.db.Access().Get(f.ctx, userID, contentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return a
}

func code(err error) string { return fault.From(err).Code }

func TestCheckoutAndCompleteRecordsPurchaseAndAccess(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)

	s := f.checkout(t, f.buyer, f.content)
	is.True(strings.HasPrefix(s.SessionID, "cs_local_"))
	is.Equal(s.SessionURL, origin+"/checkout/local/"+s.SessionID)
	// A double click gets the same session, not a second one to pay.
	again := f.checkout(t, f.buyer, f.content)
	is.Equal(again.SessionID, s.SessionID)

	ok, err := f.svc.HasPurchased(f.ctx, f.customer.ID, f.content.ID)
	is.NoErr(err)
	is.True(!ok)

	p, ls, err := f.svc.CompleteLocalCheckout(f.ctx, f.buyer, s.SessionID)
	is.NoErr(err)
	is.Equal(ls.Request.SuccessURL, origin+"/ok")
	is.Equal(p.Status, store.PurchaseCompleted)
	is.Equal(p.CustomerID, f.customer.ID)
	is.Equal(p.OrganizationID, f.org.ID)
	is.Equal(p.AmountPaidCents, 2999)
	is.Equal(p.Currency, "usd")
	is.Equal([]int{p.PlatformFeeCents, p.OrganizationFeeCents, p.CreatorPayoutCents}, []int{300, 0, 2699})
	is.True(p.PlatformAgreementID == nil && p.CreatorOrgAgreementID == nil)
	is.True(strings.HasPrefix(p.StripePaymentIntentID, "pi_local_"))

	a := f.access(t, f.customer.ID, f.content.ID)
	is.True(a != nil)
	is.Equal(a.AccessType, store.AccessPurchased)
	is.Equal(a.ExpiresAt, nil)
	ok, err = f.svc.HasPurchased(f.ctx, f.customer.ID, f.content.ID)
	is.NoErr(err)
	is.True(ok)
	is.Equal(f.receipts.count(), 1)

	// Completing again (a replay) changes nothing and sends no second receipt.
	p2, _, err := f.svc.CompleteLocalCheckout(f.ctx, f.buyer, s.SessionID)
	is.NoErr(err)
	is.Equal(p2.ID, p.ID)
	is.Equal(f.receipts.count(), 1)

	// Now owned: a second checkout is refused.
	_, err = f.svc.Checkout(f.ctx, f.buyer, purchase.CheckoutInput{ContentID: f.content.ID, SuccessURL: origin, CancelURL: origin})
	is.True(errors.Is(err, fault.Conflict))
	is.Equal(code(err), purchase.CodeAlreadyPurchased)
}

func TestConcurrentCompletionsRecordOnePurchase(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	s := f.checkout(t, f.buyer, f.content)
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 10)
	errs := make([]error, 10)
	for i := range 10 {
		wg.Go(func() {
			p, _, err := f.svc.CompleteLocalCheckout(f.ctx, f.buyer, s.SessionID)
			errs[i] = err
			if p != nil {
				ids[i] = p.ID
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		is.NoErr(errs[i])
		is.Equal(ids[i], ids[0])
	}
	all, err := f.db.Purchases().List(f.ctx, store.PurchaseFilter{}, store.Page{})
	is.NoErr(err)
	is.Equal(all.Total, 1)
	is.Equal(f.receipts.count(), 1)
}

func TestCheckoutPreconditions(t *testing.T) {
	f := newFixture(t)
	otherOrg := &store.Organization{Name: "Closed", Slug: "closed"}
	if err := f.db.Organizations().Create(f.ctx, otherOrg); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.OrgSettings().UpdateFeatures(f.ctx, otherOrg.ID, store.FeaturesPatch{EnablePurchases: store.Some(false)}); err != nil {
		t.Fatal(err)
	}
	deleted := f.item(t, func(*store.Content) {})
	if err := f.db.Content().SoftDelete(f.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	owned := f.item(t, func(*store.Content) {})
	f.buy(t, f.buyer, owned)

	cases := []struct {
		name   string
		a      *actor.Actor
		id     uuid.UUID
		kind   fault.Kind
		code   string
		reason string
	}{
		{"anonymous", nil, f.content.ID, fault.Unauthenticated, fault.CodeUnauthorized, ""},
		{"missing", f.buyer, uuid.New(), fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonNotFound},
		{"deleted", f.buyer, deleted.ID, fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonNotFound},
		{"personal", f.buyer, f.item(t, func(c *store.Content) { c.OrganizationID = nil }).ID, fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonNoOrganization},
		{"draft", f.buyer, f.item(t, func(c *store.Content) { c.Status, c.PublishedAt = store.ContentDraft, nil }).ID, fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonNotPublished},
		{"no price", f.buyer, f.item(t, func(c *store.Content) { c.PriceCents = nil }).ID, fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonNoPrice},
		{"free", f.buyer, f.item(t, func(c *store.Content) { c.PriceCents = ptr(0) }).ID, fault.Unprocessable, purchase.CodeContentNotPurchasable, purchase.ReasonFree},
		{"own content", &actor.Actor{UserID: f.creator.ID, Role: store.RoleCreator}, f.content.ID, fault.Unprocessable, purchase.CodeCannotBuyOwnContent, ""},
		{"purchases disabled", f.buyer, f.item(t, func(c *store.Content) { c.OrganizationID = &otherOrg.ID }).ID, fault.Unprocessable, purchase.CodePurchasesDisabled, ""},
		{"already owned", f.buyer, owned.ID, fault.Conflict, purchase.CodeAlreadyPurchased, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			_, err := f.svc.Checkout(f.ctx, c.a, purchase.CheckoutInput{ContentID: c.id, SuccessURL: origin + "/ok", CancelURL: origin + "/no"})
			is.True(errors.Is(err, c.kind))
			is.Equal(code(err), c.code)
			if c.reason != "" {
				d := fault.From(err).Details.(map[string]any)
				is.Equal(d["reason"], c.reason)
				is.Equal(d["code"], purchase.CodeContentNotPurchasable)
			}
		})
	}
}

func TestCheckoutRedirectsOnlyToOwnOrigins(t *testing.T) {
	f := newFixture(t)
	for _, u := range []string{
		"https://evil.example/ok",
		"https://app.example.com.evil.example/ok",
		"http://app.example.com/ok", // another scheme is another origin
		"https://app.example.com:8443/ok",
		"javascript:alert(1)",
		"//app.example.com/ok",
		"/ok",
		"https://user@app.example.com/ok",
		"",
		origin + "/" + strings.Repeat("a", 3000),
	} {
		_, err := f.svc.Checkout(f.ctx, f.buyer, purchase.CheckoutInput{ContentID: f.content.ID, SuccessURL: u, CancelURL: origin})
		if !errors.Is(err, fault.Invalid) {
			t.Errorf("success URL %q: got %v, want a validation error", u, err)
		}
		_, err = f.svc.Checkout(f.ctx, f.buyer, purchase.CheckoutInput{ContentID: f.content.ID, SuccessURL: origin, CancelURL: u})
		if !errors.Is(err, fault.Invalid) {
			t.Errorf("cancel URL %q: got %v, want a validation error", u, err)
		}
	}
	is := is.New(t)
	_, err := f.svc.Checkout(f.ctx, f.buyer, purchase.CheckoutInput{ContentID: f.content.ID, SuccessURL: "https://APP.example.com:443/done?x=1", CancelURL: origin})
	is.NoErr(err)
}

// paidEvent is the booking event Stripe would send for a paid session.
func paidEvent(pi string, amount int64, meta map[string]string) *purchase.Event {
	return &purchase.Event{ID: "evt_" + pi, Type: purchase.EventCheckoutCompleted, Session: &purchase.Session{
		ID: "cs_" + pi, PaymentIntentID: pi, PaymentStatus: purchase.PaymentStatusPaid, AmountTotal: &amount,
		Currency: "USD", Metadata: meta,
	}}
}

func (f *fixture) meta(c *store.Content) map[string]string {
	return map[string]string{
		purchase.MetaContentID: c.ID.String(), purchase.MetaCustomerID: f.customer.ID,
		purchase.MetaOrganizationID: f.org.ID.String(), purchase.MetaCreatorID: f.creator.ID,
	}
}

func (f *fixture) purchases(t *testing.T) []store.Purchase {
	t.Helper()
	l, err := f.db.Purchases().List(f.ctx, store.PurchaseFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func TestEventsThatMustNotRecord(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	meta := f.meta(f.content)

	unpaid := paidEvent("pi_unpaid", 2999, meta)
	unpaid.Session.PaymentStatus = purchase.PaymentStatusUnpaid
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, unpaid))

	free := paidEvent("pi_free", 0, meta)
	free.Session.PaymentStatus = purchase.PaymentStatusNoPaymentRequired
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, free))

	// Only checkout completion records, whatever the payload looks like.
	expired := paidEvent("pi_expired", 2999, meta)
	expired.Type = "checkout.session.expired"
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, expired))
	// ... and only on the booking endpoint.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, paidEvent("pi_wrong_endpoint", 2999, meta)))
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointCustomer, &purchase.Event{ID: "evt_c", Type: "customer.created"}))
	is.Equal(len(f.purchases(t)), 0)

	// Paid but unusable: refused (so the provider retries and it shows), never acknowledged.
	for name, ev := range map[string]*purchase.Event{
		"no payment intent": paidEvent("", 2999, meta),
		"no content":        paidEvent("pi_1", 2999, map[string]string{purchase.MetaCustomerID: f.customer.ID}),
		"unknown content":   paidEvent("pi_2", 2999, map[string]string{purchase.MetaContentID: uuid.NewString(), purchase.MetaCustomerID: f.customer.ID}),
		"unknown customer":  paidEvent("pi_3", 2999, map[string]string{purchase.MetaContentID: f.content.ID.String(), purchase.MetaCustomerID: "nobody"}),
		"other org": paidEvent("pi_4", 2999, map[string]string{purchase.MetaContentID: f.content.ID.String(),
			purchase.MetaCustomerID: f.customer.ID, purchase.MetaOrganizationID: uuid.NewString()}),
		"no amount":  {ID: "evt_x", Type: purchase.EventCheckoutCompleted, Session: &purchase.Session{PaymentIntentID: "pi_5", PaymentStatus: "paid", Currency: "usd", Metadata: meta}},
		"no session": {ID: "evt_y", Type: purchase.EventCheckoutCompleted},
	} {
		err := f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, ev)
		if err == nil || fault.KindOf(err).Status() < 400 {
			t.Errorf("%s: got %v, want an error", name, err)
		}
	}
	is.Equal(len(f.purchases(t)), 0)
}

func TestPaymentRecordsOverComplimentaryAccess(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	is.NoErr(f.db.Access().Upsert(f.ctx, &store.ContentAccess{UserID: f.customer.ID, ContentID: f.content.ID,
		OrganizationID: f.org.ID, AccessType: store.AccessComplimentary}))
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_comp", 2999, f.meta(f.content))))
	is.Equal(len(f.purchases(t)), 1)
	is.Equal(f.access(t, f.customer.ID, f.content.ID).AccessType, store.AccessPurchased)

	// A second paid session for the same content (two tabs) is recorded
	// too: the buyer was charged twice, and both payments must show.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_comp_2", 2999, f.meta(f.content))))
	is.Equal(len(f.purchases(t)), 2)
}

func TestSplitUsesAgreements(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	past := time.Now().Add(-time.Hour)
	pa := &store.OrgPlatformAgreement{OrganizationID: f.org.ID, FeeBps: 500, EffectiveFrom: past}
	is.NoErr(f.db.Fees().CreateOrgPlatformAgreement(f.ctx, pa))
	ca := &store.CreatorOrgAgreement{CreatorID: f.creator.ID, OrganizationID: f.org.ID, FeeBps: 2000, EffectiveFrom: past}
	is.NoErr(f.db.Fees().CreateCreatorOrgAgreement(f.ctx, ca))

	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_split", 1999, f.meta(f.content))))
	p := f.purchases(t)[0]
	// 5% of 1999 = 99.95 → 100; 20% of 1899 = 379.8 → 380; creator 1519.
	is.Equal([]int{p.PlatformFeeCents, p.OrganizationFeeCents, p.CreatorPayoutCents}, []int{100, 380, 1519})
	is.Equal(*p.PlatformAgreementID, pa.ID)
	is.Equal(*p.CreatorOrgAgreementID, ca.ID)

	// A changed platform default applies to organizations without an agreement.
	other := &store.Organization{Name: "Other", Slug: "other"}
	is.NoErr(f.db.Organizations().Create(f.ctx, other))
	is.NoErr(f.db.Fees().CreatePlatformFee(f.ctx, &store.PlatformFee{FeeBps: 1500, EffectiveFrom: past}))
	c := f.item(t, func(c *store.Content) { c.OrganizationID = &other.ID })
	meta := f.meta(c)
	meta[purchase.MetaOrganizationID] = other.ID.String()
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_default", 1000, meta)))
	p2, err := f.db.Purchases().GetByPaymentIntent(f.ctx, "pi_default")
	is.NoErr(err)
	is.Equal([]int{p2.PlatformFeeCents, p2.OrganizationFeeCents, p2.CreatorPayoutCents}, []int{150, 0, 850})
	is.Equal(p2.PlatformAgreementID, nil)
}

func TestReceiptFailureNeverFailsThePurchase(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	f.receipts.fail = true
	p := f.buy(t, f.buyer, f.content)
	is.Equal(p.Status, store.PurchaseCompleted)
	is.Equal(f.receipts.count(), 1)
}

func refundEvent(pi string, amount, refunded int64) *purchase.Event {
	return &purchase.Event{ID: "evt_r", Type: purchase.EventChargeRefunded, Charge: &purchase.Charge{
		ID: "ch_1", PaymentIntentID: pi, Amount: amount, AmountRefunded: refunded, Refunded: refunded >= amount,
		RefundID: "re_" + pi, RefundReason: "requested_by_customer",
	}}
}

func TestRefundEvents(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	p := f.buy(t, f.buyer, f.content)
	pi := p.StripePaymentIntentID

	// Partial: recorded, still completed, access kept.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent(pi, 2999, 1000)))
	got, err := f.db.Purchases().Get(f.ctx, p.ID)
	is.NoErr(err)
	is.Equal(got.Status, store.PurchaseCompleted)
	is.Equal(*got.RefundAmountCents, 1000)
	is.Equal(*got.StripeRefundID, "re_"+pi)
	is.True(got.RefundedAt != nil)
	is.True(f.access(t, f.customer.ID, f.content.ID) != nil)

	// Full: refunded, access revoked.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent(pi, 2999, 2999)))
	got, err = f.db.Purchases().Get(f.ctx, p.ID)
	is.NoErr(err)
	is.Equal(got.Status, store.PurchaseRefunded)
	is.Equal(*got.RefundAmountCents, 2999)
	is.Equal(*got.RefundReason, "requested_by_customer")
	is.True(f.access(t, f.customer.ID, f.content.ID) == nil)
	ok, err := f.svc.HasPurchased(f.ctx, f.customer.ID, f.content.ID)
	is.NoErr(err)
	is.True(!ok)

	// A late, older event does not move the amount back.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent(pi, 2999, 1000)))
	got, err = f.db.Purchases().Get(f.ctx, p.ID)
	is.NoErr(err)
	is.Equal(*got.RefundAmountCents, 2999)
	is.Equal(got.Status, store.PurchaseRefunded)

	// A complimentary grant made after the refund is not the payment's to take.
	is.NoErr(f.db.Access().Upsert(f.ctx, &store.ContentAccess{UserID: f.customer.ID, ContentID: f.content.ID,
		OrganizationID: f.org.ID, AccessType: store.AccessComplimentary}))
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent(pi, 2999, 2999)))
	is.Equal(f.access(t, f.customer.ID, f.content.ID).AccessType, store.AccessComplimentary)

	// Refunded content can be bought again.
	p2 := f.buy(t, f.buyer, f.content)
	is.True(p2.ID != p.ID)
	is.Equal(f.access(t, f.customer.ID, f.content.ID).AccessType, store.AccessPurchased)

	// Charges that are not purchases are none of the platform's business;
	// a purchase whose completion has not arrived yet is retried.
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent("pi_elsewhere", 500, 500)))
	early := refundEvent("pi_early", 2999, 2999)
	early.Charge.Metadata = f.meta(f.content)
	err = f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, early)
	is.True(errors.Is(err, fault.Unavailable))
	is.Equal(code(err), purchase.CodePurchaseNotRecorded)
}

func TestRefundAfterDoublePurchaseKeepsAccess(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_tab1", 2999, f.meta(f.content))))
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointBooking, paidEvent("pi_tab2", 2999, f.meta(f.content))))
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent("pi_tab2", 2999, 2999)))
	// The other payment still pays for it.
	is.True(f.access(t, f.customer.ID, f.content.ID) != nil)
}

func TestRefundMethod(t *testing.T) {
	f := newFixture(t)
	p := f.buy(t, f.buyer, f.content)
	manager := f.user(t, "manager@example.com", store.RoleCreator)
	mgr := &actor.Actor{UserID: manager.ID, Role: store.RoleCreator,
		Memberships: []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberAdmin}}}
	member := &actor.Actor{UserID: "member", Role: store.RoleCreator,
		Memberships: []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberCreator}}}
	owner := &actor.Actor{UserID: "owner", Role: store.RolePlatformOwner}
	stranger := &actor.Actor{UserID: "stranger", Role: store.RoleCustomer}

	t.Run("who may refund", func(t *testing.T) {
		is := is.New(t)
		_, err := f.svc.Refund(f.ctx, nil, p.ID, 0)
		is.True(errors.Is(err, fault.Unauthenticated))
		_, err = f.svc.Refund(f.ctx, f.buyer, p.ID, 0)
		is.True(errors.Is(err, fault.Forbidden))
		_, err = f.svc.Refund(f.ctx, member, p.ID, 0)
		is.True(errors.Is(err, fault.Forbidden))
		_, err = f.svc.Refund(f.ctx, stranger, p.ID, 0)
		is.True(errors.Is(err, fault.NotFound))
		_, err = f.svc.Refund(f.ctx, owner, uuid.New(), 0)
		is.True(errors.Is(err, fault.NotFound))
	})
	t.Run("partial then full", func(t *testing.T) {
		is := is.New(t)
		_, err := f.svc.Refund(f.ctx, mgr, p.ID, 3000)
		is.Equal(code(err), purchase.CodeRefundAmount)
		got, err := f.svc.Refund(f.ctx, mgr, p.ID, 999)
		is.NoErr(err)
		is.Equal(got.Status, store.PurchaseCompleted)
		is.Equal(*got.RefundAmountCents, 999)
		is.True(f.access(t, f.customer.ID, f.content.ID) != nil)

		got, err = f.svc.Refund(f.ctx, owner, p.ID, 0) // the rest
		is.NoErr(err)
		is.Equal(got.Status, store.PurchaseRefunded)
		is.Equal(*got.RefundAmountCents, 2999)
		is.True(strings.HasPrefix(*got.StripeRefundID, "re_local_"))
		is.True(f.access(t, f.customer.ID, f.content.ID) == nil)

		_, err = f.svc.Refund(f.ctx, owner, p.ID, 0)
		is.True(errors.Is(err, fault.Conflict))
		is.Equal(code(err), purchase.CodeNotRefundable)
	})
}

func TestDisputes(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	p := f.buy(t, f.buyer, f.content)
	d := &purchase.Dispute{ID: "dp_1", PaymentIntentID: p.StripePaymentIntentID, Status: "needs_response", Reason: "fraudulent", Amount: 2999}
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointDispute, &purchase.Event{ID: "evt_d1", Type: purchase.EventDisputeCreated, Dispute: d}))
	// An open dispute leaves the buyer's access alone.
	is.True(f.access(t, f.customer.ID, f.content.ID) != nil)

	won := *d
	won.Status = "won"
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointDispute, &purchase.Event{ID: "evt_d2", Type: purchase.EventDisputeClosed, Dispute: &won}))
	is.True(f.access(t, f.customer.ID, f.content.ID) != nil)

	lost := *d
	lost.Status = "lost"
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointDispute, &purchase.Event{ID: "evt_d3", Type: purchase.EventDisputeClosed, Dispute: &lost}))
	got, err := f.db.Purchases().Get(f.ctx, p.ID)
	is.NoErr(err)
	is.Equal(got.Status, store.PurchaseRefunded)
	is.Equal(*got.RefundReason, "dispute_lost: fraudulent")
	is.True(f.access(t, f.customer.ID, f.content.ID) == nil)
}

func TestHistory(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	c2 := f.item(t, func(*store.Content) {})
	p1 := f.buy(t, f.buyer, f.content)
	time.Sleep(2 * time.Millisecond)
	p2 := f.buy(t, f.buyer, c2)
	is.NoErr(f.svc.HandleEvent(f.ctx, purchase.EndpointPayment, refundEvent(p2.StripePaymentIntentID, 2999, 2999)))

	l, err := f.svc.List(f.ctx, f.buyer, purchase.ListFilter{}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Total, 2)
	is.Equal(l.Items[0].ID, p2.ID)
	is.Equal(l.Items[0].Content.Title, c2.Title)
	l, err = f.svc.List(f.ctx, f.buyer, purchase.ListFilter{Status: store.PurchaseCompleted}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Total, 1)
	is.Equal(l.Items[0].ID, p1.ID)
	l, err = f.svc.List(f.ctx, f.buyer, purchase.ListFilter{ContentID: &c2.ID}, store.Page{Page: 1, Limit: 1})
	is.NoErr(err)
	is.Equal(l.Total, 1)
	_, err = f.svc.List(f.ctx, f.buyer, purchase.ListFilter{Status: "paid"}, store.Page{})
	is.True(errors.Is(err, fault.Invalid))

	got, err := f.svc.Get(f.ctx, f.buyer, p1.ID)
	is.NoErr(err)
	is.Equal(got.ID, p1.ID)
	// Someone else's purchase looks exactly like a missing one.
	_, err = f.svc.Get(f.ctx, &actor.Actor{UserID: f.creator.ID}, p1.ID)
	is.True(errors.Is(err, fault.NotFound))
	is.Equal(code(err), purchase.CodePurchaseNotFound)
	_, err = f.svc.Get(f.ctx, f.buyer, uuid.New())
	is.Equal(code(err), purchase.CodePurchaseNotFound)
}

func TestLocalSessionBelongsToItsCustomer(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	s := f.checkout(t, f.buyer, f.content)
	other := &actor.Actor{UserID: f.creator.ID, Role: store.RoleCreator}
	_, _, err := f.svc.CompleteLocalCheckout(f.ctx, other, s.SessionID)
	is.True(errors.Is(err, fault.NotFound))
	_, err = f.svc.LocalSession(f.ctx, other, s.SessionID)
	is.True(errors.Is(err, fault.NotFound))
	_, _, err = f.svc.CompleteLocalCheckout(f.ctx, nil, s.SessionID)
	is.True(errors.Is(err, fault.Unauthenticated))
	is.Equal(len(f.purchases(t)), 0)
}

func TestWebhookWithoutVerifier(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	err := f.svc.HandleWebhook(f.ctx, purchase.EndpointBooking, []byte(`{}`), "")
	is.True(errors.Is(err, fault.Invalid))
	err = f.svc.HandleWebhook(f.ctx, purchase.EndpointBooking, []byte(`{}`), "t=1,v1=00")
	is.Equal(code(err), "WEBHOOK_SECRET_NOT_CONFIGURED")
	is.Equal(fault.KindOf(err).Status(), 500)
}

func TestFormatPrice(t *testing.T) {
	is := is.New(t)
	is.Equal(purchase.FormatPrice(2999, "usd"), "$29.99")
	is.Equal(purchase.FormatPrice(5, "usd"), "$0.05")
	is.Equal(purchase.FormatPrice(1000, "eur"), "10.00 EUR")
}
