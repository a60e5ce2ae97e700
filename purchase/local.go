package purchase

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// LocalCheckoutPath is where the server shows a local checkout page; the
// session id follows it.
const LocalCheckoutPath = "/checkout/local/"

// localSessionTTL matches how long a Stripe checkout session stays open.
const localSessionTTL = 24 * time.Hour

// LocalPayments is the embedded default payments adapter: checkout pages
// are served by the platform itself, nothing is charged, and completing a
// page produces the same checkout.session.completed event a Stripe webhook
// would deliver, processed by the same code. Refunds produce
// charge.refunded the same way. Sessions live in memory, like everything
// else of the embedded defaults.
type LocalPayments struct {
	publicURL string
	now       func() time.Time

	mu       sync.Mutex
	sessions map[string]*LocalSession
	byKey    map[string]string
	refunded map[string]int64 // payment intent → cents refunded so far
}

// LocalSession is an open local checkout.
type LocalSession struct {
	ID              string
	URL             string
	PaymentIntentID string
	Request         CheckoutRequest
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// NewLocalPayments returns local payments whose checkout pages live under
// publicURL.
func NewLocalPayments(publicURL string) *LocalPayments {
	return &LocalPayments{
		publicURL: publicURL,
		now:       time.Now,
		sessions:  map[string]*LocalSession{},
		byKey:     map[string]string{},
		refunded:  map[string]int64{},
	}
}

// CreateCheckout opens a local session. A repeated idempotency key returns
// the open session it created, as Stripe does.
func (l *LocalPayments) CreateCheckout(_ context.Context, r CheckoutRequest) (*CheckoutSession, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.purge(now)
	if id, ok := l.byKey[r.IdempotencyKey]; ok && r.IdempotencyKey != "" {
		if ls, ok := l.sessions[id]; ok {
			return &CheckoutSession{SessionID: ls.ID, SessionURL: ls.URL}, nil
		}
	}
	ls := &LocalSession{
		ID: "cs_local_" + rand.Text(),
		// Fixed when the session opens, so however often it is completed
		// it is one payment.
		PaymentIntentID: "pi_local_" + rand.Text(),
		Request:         r,
		CreatedAt:       now,
		ExpiresAt:       now.Add(localSessionTTL),
	}
	ls.URL = l.publicURL + LocalCheckoutPath + ls.ID
	l.sessions[ls.ID] = ls
	if r.IdempotencyKey != "" {
		l.byKey[r.IdempotencyKey] = ls.ID
	}
	return &CheckoutSession{SessionID: ls.ID, SessionURL: ls.URL}, nil
}

func (l *LocalPayments) purge(now time.Time) {
	for id, ls := range l.sessions {
		if now.After(ls.ExpiresAt) {
			delete(l.sessions, id)
			delete(l.byKey, ls.Request.IdempotencyKey)
		}
	}
}

// Session returns the open session with the id.
func (l *LocalPayments) Session(id string) (LocalSession, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls, ok := l.sessions[id]
	if !ok || l.now().After(ls.ExpiresAt) {
		return LocalSession{}, false
	}
	return *ls, true
}

// CompletionEvent is the event a paid session produces: what Stripe
// sends to the booking endpoint once the buyer has paid.
func (ls LocalSession) CompletionEvent(now time.Time) *Event {
	amount := ls.Request.AmountCents
	return &Event{
		ID:      "evt_local_" + rand.Text(),
		Type:    EventCheckoutCompleted,
		Created: now,
		Session: &Session{
			ID:                ls.ID,
			PaymentIntentID:   ls.PaymentIntentID,
			PaymentStatus:     PaymentStatusPaid,
			AmountTotal:       &amount,
			Currency:          ls.Request.Currency,
			Metadata:          ls.Request.Metadata(),
			ClientReferenceID: ls.Request.CustomerID,
		},
	}
}

// Refund records the refund and returns its charge.refunded event.
func (l *LocalPayments) Refund(_ context.Context, r RefundRequest) (*RefundResult, error) {
	if r.AmountCents <= 0 {
		return nil, fault.New(fault.Unprocessable, CodeRefundAmount, "Refund amount must be positive")
	}
	l.mu.Lock()
	total := max(l.refunded[r.PaymentIntentID], r.RefundedCents) + r.AmountCents
	if total > r.ChargeAmountCents {
		l.mu.Unlock()
		return nil, fault.New(fault.Unprocessable, CodeRefundAmount, "Refund exceeds the payment")
	}
	l.refunded[r.PaymentIntentID] = total
	l.mu.Unlock()
	id := "re_local_" + rand.Text()
	return &RefundResult{RefundID: id, Event: &Event{
		ID:      "evt_local_" + rand.Text(),
		Type:    EventChargeRefunded,
		Created: l.now(),
		Charge: &Charge{
			ID:              "ch_local_" + rand.Text(),
			PaymentIntentID: r.PaymentIntentID,
			Amount:          r.ChargeAmountCents,
			AmountRefunded:  total,
			Refunded:        total >= r.ChargeAmountCents,
			RefundID:        id,
			RefundReason:    r.Reason,
		},
	}}, nil
}

// CodeLocalCheckoutUnavailable answers local checkout routes when payments
// go through a real provider.
const CodeLocalCheckoutUnavailable = "LOCAL_CHECKOUT_UNAVAILABLE"

func (s *Service) localSession(a *actor.Actor, id string) (*LocalPayments, LocalSession, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, LocalSession{}, err
	}
	l, ok := s.pay.(*LocalPayments)
	if !ok {
		return nil, LocalSession{}, fault.New(fault.NotFound, CodeLocalCheckoutUnavailable, "Local checkout is not in use")
	}
	ls, ok := l.Session(id)
	// Someone else's session is as missing as an unknown one.
	if !ok || ls.Request.CustomerID != a.UserID {
		return nil, LocalSession{}, fault.New(fault.NotFound, "CHECKOUT_SESSION_NOT_FOUND", "Checkout session not found")
	}
	return l, ls, nil
}

// LocalSession returns the actor's open local checkout session.
func (s *Service) LocalSession(ctx context.Context, a *actor.Actor, id string) (LocalSession, error) {
	_, ls, err := s.localSession(a, id)
	return ls, err
}

// CompleteLocalCheckout pays the actor's local session: its completion
// event goes through HandleEvent exactly as a verified Stripe delivery to
// the booking endpoint would. Completing again is harmless and returns the
// same purchase.
func (s *Service) CompleteLocalCheckout(ctx context.Context, a *actor.Actor, id string) (*store.Purchase, LocalSession, error) {
	l, ls, err := s.localSession(a, id)
	if err != nil {
		return nil, LocalSession{}, err
	}
	if err := s.HandleEvent(ctx, EndpointBooking, ls.CompletionEvent(l.now())); err != nil {
		return nil, LocalSession{}, err
	}
	p, err := s.db.Purchases().GetByPaymentIntent(ctx, ls.PaymentIntentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, LocalSession{}, fault.Internalf(err, "local checkout %s completed without a purchase", id)
	}
	return p, ls, err
}
