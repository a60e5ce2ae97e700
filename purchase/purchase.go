// Package purchase sells content: checkout sessions, the payment events
// that record purchases and grant access, the revenue split, refunds and
// disputes, and each buyer's purchase history.
//
// Money moves through a Payments adapter (Stripe in production, the local
// test payments of this package by default) and comes back as verified
// events. Recording a purchase and granting access is one transaction,
// idempotent on the payment intent id: a duplicate, racing or replayed event
// never creates a second purchase, and an event that cannot be recorded is
// answered with an error so the payment provider retries it rather than
// being told everything is fine.
package purchase

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Endpoint is one of the webhook endpoints of the reference, each with its
// own signing secret.
type Endpoint string

// The webhook endpoints (POST /webhooks/stripe/<endpoint>).
const (
	EndpointBooking      Endpoint = "booking"
	EndpointPayment      Endpoint = "payment"
	EndpointSubscription Endpoint = "subscription"
	EndpointCustomer     Endpoint = "customer"
	EndpointConnect      Endpoint = "connect"
	EndpointDispute      Endpoint = "dispute"
)

// Endpoints lists every webhook endpoint in a stable order.
func Endpoints() []Endpoint {
	return []Endpoint{EndpointBooking, EndpointPayment, EndpointSubscription, EndpointCustomer, EndpointConnect, EndpointDispute}
}

// Valid reports whether e is a known endpoint.
func (e Endpoint) Valid() bool {
	for _, k := range Endpoints() {
		if e == k {
			return true
		}
	}
	return false
}

// Event types the service acts on; every other type is acknowledged and
// ignored.
const (
	EventCheckoutCompleted      = "checkout.session.completed"
	EventCheckoutAsyncSucceeded = "checkout.session.async_payment_succeeded"
	EventChargeRefunded         = "charge.refunded"
	EventDisputeCreated         = "charge.dispute.created"
	EventDisputeClosed          = "charge.dispute.closed"
)

// Checkout session payment statuses.
const (
	PaymentStatusPaid              = "paid"
	PaymentStatusUnpaid            = "unpaid"
	PaymentStatusNoPaymentRequired = "no_payment_required"
)

// Metadata keys set on every checkout session (reference §5.3).
const (
	MetaContentID      = "contentId"
	MetaCustomerID     = "customerId"
	MetaOrganizationID = "organizationId"
	MetaCreatorID      = "creatorId"
)

// Event is a verified payment event, whatever adapter produced it. Exactly
// one of Session, Charge and Dispute is set for the types the service acts
// on.
type Event struct {
	ID      string
	Type    string
	Created time.Time
	Session *Session
	Charge  *Charge
	Dispute *Dispute
}

// Session is a checkout session as an event carries it.
type Session struct {
	ID              string
	PaymentIntentID string
	PaymentStatus   string
	// AmountTotal is nil when the event carried none.
	AmountTotal       *int64
	Currency          string
	Metadata          map[string]string
	ClientReferenceID string
}

// Charge is a charge as a refund event carries it.
type Charge struct {
	ID              string
	PaymentIntentID string
	Currency        string
	Amount          int64
	// AmountRefunded is the total refunded so far, across every refund.
	AmountRefunded int64
	// Refunded is true once the whole charge is refunded.
	Refunded bool
	// RefundID and RefundReason describe the latest refund, when the
	// event includes it.
	RefundID     string
	RefundReason string
	Metadata     map[string]string
}

// Dispute is a dispute (chargeback) as an event carries it.
type Dispute struct {
	ID              string
	ChargeID        string
	PaymentIntentID string
	Status          string // e.g. needs_response, won, lost
	Reason          string
	Amount          int64
	Currency        string
}

// CheckoutRequest is what a payments adapter needs to open a checkout
// session for one content item.
type CheckoutRequest struct {
	ContentID      uuid.UUID
	CustomerID     string
	OrganizationID uuid.UUID
	CreatorID      string
	Title          string
	Description    string // optional
	ImageURL       string // optional
	AmountCents    int64
	Currency       string
	SuccessURL     string
	CancelURL      string
	// IdempotencyKey makes a repeated request (a double click, a client
	// retry) return the session the first one opened.
	IdempotencyKey string
}

// Metadata is the session metadata the request implies.
func (r CheckoutRequest) Metadata() map[string]string {
	return map[string]string{
		MetaContentID:      r.ContentID.String(),
		MetaCustomerID:     r.CustomerID,
		MetaOrganizationID: r.OrganizationID.String(),
		MetaCreatorID:      r.CreatorID,
	}
}

// CheckoutSession is an opened checkout: send the buyer to SessionURL.
type CheckoutSession struct {
	SessionURL string `json:"sessionUrl"`
	SessionID  string `json:"sessionId"`
}

// RefundRequest asks an adapter to refund part or all of a payment.
type RefundRequest struct {
	PaymentIntentID string
	AmountCents     int64
	Reason          string // requested_by_customer, duplicate or fraudulent
	IdempotencyKey  string
	// ChargeAmountCents and RefundedCents are the platform's record of the
	// payment, for adapters that keep no books of their own.
	ChargeAmountCents int64
	RefundedCents     int64
}

// RefundResult is a refund the adapter made.
type RefundResult struct {
	RefundID string
	// Event is the refund event, for adapters that produce it in process
	// (the local test payments); nil when it arrives later by webhook.
	Event *Event
}

// Payments opens checkout sessions and refunds payments.
type Payments interface {
	CreateCheckout(ctx context.Context, r CheckoutRequest) (*CheckoutSession, error)
	Refund(ctx context.Context, r RefundRequest) (*RefundResult, error)
}

// Verifier turns a signed webhook delivery into an event. It returns
// ErrMissingSignature, ErrInvalidSignature (bad, stale or unparsable) or
// ErrSecretNotConfigured.
type Verifier interface {
	Verify(endpoint Endpoint, payload []byte, signature string) (*Event, error)
}

// Receipts sends the buyer a receipt. It must not block on delivery; its
// failures are its own to log and retry, never the payment's.
type Receipts interface {
	PurchaseReceipt(ctx context.Context, p store.Purchase, c store.Content, buyer store.User)
}

// Webhook verification errors.
var (
	ErrMissingSignature    = fault.New(fault.Invalid, "MISSING_SIGNATURE", "Missing signature")
	ErrInvalidSignature    = fault.New(fault.Unauthenticated, "INVALID_SIGNATURE", "Invalid signature")
	ErrSecretNotConfigured = fault.New(fault.Internal, "WEBHOOK_SECRET_NOT_CONFIGURED", "Webhook secret not configured")
)

// Config configures the service.
type Config struct {
	// PublicURL is the platform's base URL; its origin is always an
	// allowed redirect target.
	PublicURL string
	// AllowedOrigins (scheme://host[:port]) are the other origins checkout
	// may redirect back to.
	AllowedOrigins []string
	// Currency of every price (lowercase ISO code). Default "usd".
	Currency string
	// CheckoutDedupWindow is how long a repeated checkout request returns
	// the same session. Default 5 minutes.
	CheckoutDedupWindow time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Service sells content. It is safe for concurrent use.
type Service struct {
	db       store.Store
	pay      Payments
	hooks    Verifier
	receipts Receipts
	cfg      Config
	origins  map[string]bool
}

// New returns the service. hooks may be nil when no webhooks are expected
// (every delivery then fails with ErrSecretNotConfigured); receipts may be
// nil (no receipts are sent).
func New(db store.Store, pay Payments, hooks Verifier, receipts Receipts, cfg Config) *Service {
	if cfg.Currency == "" {
		cfg.Currency = "usd"
	}
	cfg.Currency = strings.ToLower(cfg.Currency)
	if cfg.CheckoutDedupWindow <= 0 {
		cfg.CheckoutDedupWindow = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{db: db, pay: pay, hooks: hooks, receipts: receipts, cfg: cfg, origins: map[string]bool{}}
	for _, o := range append([]string{cfg.PublicURL}, cfg.AllowedOrigins...) {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			s.origins[originOf(u)] = true
		}
	}
	return s
}

// originOf is scheme://host[:port] with the default port dropped, so that
// https://a.example and https://a.example:443 are one origin.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
