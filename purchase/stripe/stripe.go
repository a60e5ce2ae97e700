// Package stripe is the purchase.Payments adapter on Stripe (stripe-go
// v76), and the purchase.Verifier for Stripe webhooks.
//
// Checkout sessions carry the parameters and metadata of the reference
// (mode payment, card, one line item priced from the content, metadata
// contentId/customerId/organizationId/creatorId, client_reference_id);
// webhook deliveries are verified with the per-endpoint signing secret and
// a timestamp tolerance. APIBase points the client at stripe-mock in tests.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/purchase"
)

// Config configures the client.
type Config struct {
	// SecretKey is the API key (sk_live_..., sk_test_...). Required.
	SecretKey string
	// APIBase replaces https://api.stripe.com (e.g. a stripe-mock URL).
	APIBase string
	// HTTPClient sends the requests. Default: a client with a 30 s timeout.
	HTTPClient *http.Client
	// MaxNetworkRetries for transient failures (default 2). stripe-go
	// repeats the request's idempotency key on each retry.
	MaxNetworkRetries int64
}

// Client is purchase.Payments on Stripe.
type Client struct {
	api *client.API
}

var _ purchase.Payments = (*Client)(nil)

// New returns a client. It makes no request: a wrong key shows on the
// first checkout.
func New(cfg Config) (*Client, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: a secret key is required")
	}
	bc := &stripego.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Failures are returned to the service, which logs them with the
		// request; stripe-go's own logger would print them again to stderr.
		LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
		MaxNetworkRetries: stripego.Int64(2),
	}
	if bc.HTTPClient == nil {
		bc.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxNetworkRetries > 0 {
		bc.MaxNetworkRetries = stripego.Int64(cfg.MaxNetworkRetries)
	}
	if cfg.APIBase != "" {
		u, err := url.Parse(cfg.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("stripe: API base %q: want an absolute http(s) URL", cfg.APIBase)
		}
		bc.URL = stripego.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	b := stripego.GetBackendWithConfig(stripego.APIBackend, bc)
	return &Client{api: client.New(cfg.SecretKey, &stripego.Backends{API: b, Connect: b, Uploads: b})}, nil
}

// CreateCheckout opens a Stripe Checkout session (reference §5.3).
func (c *Client) CreateCheckout(ctx context.Context, r purchase.CheckoutRequest) (*purchase.CheckoutSession, error) {
	product := &stripego.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripego.String(r.Title)}
	if r.Description != "" {
		product.Description = stripego.String(r.Description)
	}
	if r.ImageURL != "" {
		product.Images = stripego.StringSlice([]string{r.ImageURL})
	}
	p := &stripego.CheckoutSessionParams{
		Mode:               stripego.String(string(stripego.CheckoutSessionModePayment)),
		PaymentMethodTypes: stripego.StringSlice([]string{"card"}),
		LineItems: []*stripego.CheckoutSessionLineItemParams{{
			PriceData: &stripego.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripego.String(r.Currency),
				UnitAmount:  stripego.Int64(r.AmountCents),
				ProductData: product,
			},
			Quantity: stripego.Int64(1),
		}},
		SuccessURL:        stripego.String(r.SuccessURL),
		CancelURL:         stripego.String(r.CancelURL),
		ClientReferenceID: stripego.String(r.CustomerID),
		// The payment intent and its charges carry the same metadata, so a
		// refund or dispute event can tell the platform's payments from
		// others on the account (and the dashboard shows what was sold).
		PaymentIntentData: &stripego.CheckoutSessionPaymentIntentDataParams{Metadata: r.Metadata()},
	}
	p.Context = ctx
	for k, v := range r.Metadata() {
		p.AddMetadata(k, v)
	}
	if r.IdempotencyKey != "" {
		p.SetIdempotencyKey(r.IdempotencyKey)
	}
	s, err := c.api.CheckoutSessions.New(p)
	if err != nil {
		return nil, providerError("Failed to create checkout session", err)
	}
	return &purchase.CheckoutSession{SessionID: s.ID, SessionURL: s.URL}, nil
}

// Refund refunds part of a payment intent. The purchase changes when the
// charge.refunded webhook arrives, so Event is nil.
func (c *Client) Refund(ctx context.Context, r purchase.RefundRequest) (*purchase.RefundResult, error) {
	p := &stripego.RefundParams{
		PaymentIntent: stripego.String(r.PaymentIntentID),
		Amount:        stripego.Int64(r.AmountCents),
	}
	if r.Reason != "" {
		p.Reason = stripego.String(r.Reason)
	}
	p.Context = ctx
	if r.IdempotencyKey != "" {
		p.SetIdempotencyKey(r.IdempotencyKey)
	}
	re, err := c.api.Refunds.New(p)
	if err != nil {
		return nil, providerError("Failed to refund the payment", err)
	}
	return &purchase.RefundResult{RefundID: re.ID}, nil
}

// providerError classifies a Stripe failure: transient ones (rate limits,
// Stripe's own errors, the network) are 503 so clients retry; a refusal
// of the request itself is an internal error of ours.
func providerError(msg string, err error) error {
	var se *stripego.Error
	if errors.As(err, &se) && se.HTTPStatusCode > 0 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != http.StatusTooManyRequests {
		return &fault.Error{Kind: fault.Internal, Code: purchase.CodePaymentProcessing, Message: msg,
			Err: fmt.Errorf("stripe %d %s %s: %s: %w", se.HTTPStatusCode, se.Type, se.Code, se.Msg, err)}
	}
	e := fault.Unavailablef(err, "%s", msg)
	e.Code = purchase.CodePaymentProcessing
	return e
}

// DefaultTolerance is how old a signed delivery may be (Stripe's default).
const DefaultTolerance = 300 * time.Second

// Verifier checks Stripe webhook signatures, with one secret per endpoint.
type Verifier struct {
	secrets   map[purchase.Endpoint]string
	tolerance time.Duration
}

var _ purchase.Verifier = (*Verifier)(nil)

// NewVerifier returns a verifier for the endpoints' secrets (whsec_...).
// An endpoint without a secret refuses every delivery. tolerance 0 means
// DefaultTolerance.
func NewVerifier(secrets map[purchase.Endpoint]string, tolerance time.Duration) *Verifier {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	m := make(map[purchase.Endpoint]string, len(secrets))
	for k, v := range secrets {
		if v != "" {
			m[k] = v
		}
	}
	return &Verifier{secrets: m, tolerance: tolerance}
}

// Configured lists the endpoints that have a secret.
func (v *Verifier) Configured() []purchase.Endpoint {
	var out []purchase.Endpoint
	for _, e := range purchase.Endpoints() {
		if v.secrets[e] != "" {
			out = append(out, e)
		}
	}
	return out
}

// Verify checks the Stripe-Signature header against the endpoint's secret
// (HMAC-SHA256 over "<t>.<payload>", t within the tolerance) and decodes
// the event. The event's API version is not checked: endpoints may be
// pinned to a newer version than stripe-go's, and the fields read here are
// the same in both.
func (v *Verifier) Verify(endpoint purchase.Endpoint, payload []byte, signature string) (*purchase.Event, error) {
	if signature == "" {
		return nil, purchase.ErrMissingSignature
	}
	secret := v.secrets[endpoint]
	if secret == "" {
		return nil, purchase.ErrSecretNotConfigured.WithDetails(map[string]any{"endpoint": endpoint})
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, secret, webhook.ConstructEventOptions{
		Tolerance:                v.tolerance,
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return nil, purchase.ErrInvalidSignature.Wrap(err)
	}
	return ToEvent(ev)
}

// ToEvent converts a Stripe event into the service's event. Objects of the
// types the service acts on are decoded; others keep only id and type.
func ToEvent(ev stripego.Event) (*purchase.Event, error) {
	out := &purchase.Event{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0).UTC()}
	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return out, nil
	}
	raw := ev.Data.Raw
	var err error
	switch ev.Type {
	case stripego.EventTypeCheckoutSessionCompleted, stripego.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		out.Session, err = decodeSession(raw)
	case stripego.EventTypeChargeRefunded:
		out.Charge, err = decodeCharge(raw)
	case stripego.EventTypeChargeDisputeCreated, stripego.EventTypeChargeDisputeClosed:
		out.Dispute, err = decodeDispute(raw)
	}
	if err != nil {
		return nil, fault.New(fault.Invalid, purchase.CodeMalformedEvent, "Malformed event").Wrap(err)
	}
	return out, nil
}

func decodeSession(raw json.RawMessage) (*purchase.Session, error) {
	var cs stripego.CheckoutSession
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, err
	}
	// stripe-go reads a null amount_total as 0; a paid session without
	// an amount must not be recorded as free.
	var nullable struct {
		AmountTotal *int64 `json:"amount_total"`
	}
	if err := json.Unmarshal(raw, &nullable); err != nil {
		return nil, err
	}
	s := &purchase.Session{
		ID:                cs.ID,
		PaymentStatus:     string(cs.PaymentStatus),
		AmountTotal:       nullable.AmountTotal,
		Currency:          string(cs.Currency),
		Metadata:          cs.Metadata,
		ClientReferenceID: cs.ClientReferenceID,
	}
	if cs.PaymentIntent != nil {
		s.PaymentIntentID = cs.PaymentIntent.ID
	}
	return s, nil
}

func decodeCharge(raw json.RawMessage) (*purchase.Charge, error) {
	var ch stripego.Charge
	if err := json.Unmarshal(raw, &ch); err != nil {
		return nil, err
	}
	c := &purchase.Charge{
		ID:             ch.ID,
		Currency:       string(ch.Currency),
		Amount:         ch.Amount,
		AmountRefunded: ch.AmountRefunded,
		Refunded:       ch.Refunded,
		Metadata:       ch.Metadata,
	}
	if ch.PaymentIntent != nil {
		c.PaymentIntentID = ch.PaymentIntent.ID
	}
	// Recent API versions leave refunds out of the charge; when present,
	// the newest one is the refund this event is about.
	if ch.Refunds != nil {
		var latest *stripego.Refund
		for _, r := range ch.Refunds.Data {
			if r != nil && (latest == nil || r.Created >= latest.Created) {
				latest = r
			}
		}
		if latest != nil {
			c.RefundID, c.RefundReason = latest.ID, string(latest.Reason)
		}
	}
	return c, nil
}

func decodeDispute(raw json.RawMessage) (*purchase.Dispute, error) {
	var d stripego.Dispute
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	out := &purchase.Dispute{
		ID:       d.ID,
		Status:   string(d.Status),
		Reason:   string(d.Reason),
		Amount:   d.Amount,
		Currency: string(d.Currency),
	}
	if d.PaymentIntent != nil {
		out.PaymentIntentID = d.PaymentIntent.ID
	}
	if d.Charge != nil {
		out.ChargeID = d.Charge.ID
	}
	return out, nil
}
