package purchase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Error codes of checkout. The reference puts its domain code only in
// details.code; here it is also the error's code, and details keep it.
const (
	CodeContentNotPurchasable = "CONTENT_NOT_PURCHASABLE"
	CodeAlreadyPurchased      = "ALREADY_PURCHASED"
	CodeCannotBuyOwnContent   = "CANNOT_BUY_OWN_CONTENT"
	CodePurchasesDisabled     = "PURCHASES_DISABLED"
	CodePaymentProcessing     = "PAYMENT_PROCESSING_ERROR"
)

// Reasons content is not purchasable (details.reason). Each check has its
// own, unlike the reference (its Oddities 10 and 11).
const (
	ReasonNotFound       = "not_found"
	ReasonNoOrganization = "no_organization"
	ReasonNotPublished   = "not_published"
	ReasonNoPrice        = "no_price"
	ReasonFree           = "free"
)

// maxRedirectURL bounds success and cancel URLs (Stripe takes up to 5000).
const maxRedirectURL = 2048

// CheckoutInput is a buyer's request to pay for one content item.
type CheckoutInput struct {
	ContentID  uuid.UUID
	SuccessURL string
	CancelURL  string
}

// Checkout opens a payment session for the actor to buy the content. The
// checks run in the reference's order, with its gaps closed: the content
// is live, belongs to a live organization, is published and priced; the
// buyer is not its creator; the organization sells (enablePurchases); the
// buyer has no completed purchase of it. Redirects go only to the
// platform's own origins.
func (s *Service) Checkout(ctx context.Context, a *actor.Actor, in CheckoutInput) (*CheckoutSession, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	var fields []fault.Field
	if f := s.checkRedirect("body.successUrl", in.SuccessURL); f != nil {
		fields = append(fields, *f)
	}
	if f := s.checkRedirect("body.cancelUrl", in.CancelURL); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return nil, fault.InvalidFields(fields...)
	}

	c, err := s.db.Content().Get(ctx, in.ContentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notPurchasable(in.ContentID, ReasonNotFound, "Content is no longer available", nil)
	} else if err != nil {
		return nil, err
	}
	if c.OrganizationID == nil {
		return nil, notPurchasable(c.ID, ReasonNoOrganization, "Content must belong to an organization to be purchased", nil)
	}
	orgID := *c.OrganizationID
	if _, err := s.db.Organizations().Get(ctx, orgID); errors.Is(err, store.ErrNotFound) {
		return nil, notPurchasable(c.ID, ReasonNoOrganization, "Content must belong to an organization to be purchased", nil)
	} else if err != nil {
		return nil, err
	}
	if c.Status != store.ContentPublished {
		return nil, notPurchasable(c.ID, ReasonNotPublished, "Content must be published before it can be purchased",
			map[string]any{"status": c.Status})
	}
	if c.PriceCents == nil {
		return nil, notPurchasable(c.ID, ReasonNoPrice, "Content does not have a price set", nil)
	}
	if *c.PriceCents <= 0 {
		return nil, notPurchasable(c.ID, ReasonFree, "Content is free and does not require purchase",
			map[string]any{"priceCents": *c.PriceCents})
	}
	if c.CreatorID == a.UserID {
		return nil, fault.New(fault.Unprocessable, CodeCannotBuyOwnContent, "You cannot buy your own content").
			WithDetails(map[string]any{"contentId": c.ID, "code": CodeCannotBuyOwnContent})
	}
	settings, err := s.db.OrgSettings().Get(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !settings.Features.EnablePurchases {
		return nil, fault.New(fault.Unprocessable, CodePurchasesDisabled, "This organization does not sell content").
			WithDetails(map[string]any{"contentId": c.ID, "organizationId": orgID, "code": CodePurchasesDisabled})
	}
	owned, err := s.db.Purchases().HasCompleted(ctx, a.UserID, c.ID)
	if err != nil {
		return nil, err
	}
	if owned {
		return nil, fault.New(fault.Conflict, CodeAlreadyPurchased, "Content already purchased").
			WithDetails(map[string]any{"contentId": c.ID, "customerId": a.UserID, "code": CodeAlreadyPurchased})
	}

	req := CheckoutRequest{
		ContentID:      c.ID,
		CustomerID:     a.UserID,
		OrganizationID: orgID,
		CreatorID:      c.CreatorID,
		Title:          c.Title,
		AmountCents:    int64(*c.PriceCents),
		Currency:       s.cfg.Currency,
		SuccessURL:     in.SuccessURL,
		CancelURL:      in.CancelURL,
	}
	if c.Description != nil {
		req.Description = *c.Description
	}
	if c.ThumbnailURL != nil && isHTTPURL(*c.ThumbnailURL) {
		req.ImageURL = *c.ThumbnailURL
	}
	// Earlier purchases (refunded ones) are part of the key: buying again
	// after a refund must open a new session, not return the paid one.
	prior, err := s.db.Purchases().List(ctx, store.PurchaseFilter{CustomerID: a.UserID, ContentID: &c.ID}, store.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	req.IdempotencyKey = s.checkoutKey(req, prior.Total)

	sess, err := s.pay.CreateCheckout(ctx, req)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fault.Unavailablef(err, "Failed to create checkout session").
			WithDetails(map[string]any{"code": CodePaymentProcessing, "contentId": c.ID})
	}
	if sess == nil || sess.SessionURL == "" || sess.SessionID == "" {
		return nil, fault.Unavailablef(fmt.Errorf("payments returned session %+v without url or id", sess),
			"Checkout session URL not generated")
	}
	s.cfg.Log.InfoContext(ctx, "checkout session created",
		"sessionId", sess.SessionID, "contentId", c.ID, "customerId", a.UserID, "amountCents", req.AmountCents)
	return sess, nil
}

// checkoutKey derives the idempotency key of a checkout from everything
// that shapes the session and a time bucket. A double click or a client
// retry inside the bucket gets the session the first request opened
// (Stripe answers a repeated key with its first response), so two open
// sessions for one purchase — the reference's way to charge a buyer twice
// (its Oddity 5) — need two deliberate attempts minutes apart. Hashing all
// parameters matters: Stripe refuses a reused key with different
// parameters, so a changed price or redirect must make a new key.
func (s *Service) checkoutKey(r CheckoutRequest, priorPurchases int) string {
	bucket := s.cfg.Now().UnixNano() / int64(s.cfg.CheckoutDedupWindow)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%s\x00%s\x00%d\x00%d", r.CustomerID, r.ContentID, r.AmountCents, r.Currency,
		r.SuccessURL, r.CancelURL, bucket, priorPurchases)
	return "codex-checkout-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// checkRedirect accepts an absolute http(s) URL on one of the platform's
// own origins. The reference accepted any subdomain of its apex and any
// port on localhost in production (its Oddity 30): an open redirect from
// the payment page.
func (s *Service) checkRedirect(path, raw string) *fault.Field {
	if raw == "" {
		return &fault.Field{Path: path, Message: "Required"}
	}
	if len(raw) > maxRedirectURL {
		return &fault.Field{Path: path, Message: fmt.Sprintf("Must be at most %d characters", maxRedirectURL)}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return &fault.Field{Path: path, Message: "Must be an absolute http(s) URL"}
	}
	if !s.origins[originOf(u)] {
		return &fault.Field{Path: path, Message: "Must be on one of the platform's origins: " + strings.Join(s.allowedOrigins(), ", ")}
	}
	return nil
}

func (s *Service) allowedOrigins() []string {
	out := make([]string, 0, len(s.origins))
	for _, o := range append([]string{s.cfg.PublicURL}, s.cfg.AllowedOrigins...) {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			o = originOf(u)
			if !contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func notPurchasable(contentID uuid.UUID, reason, message string, extra map[string]any) *fault.Error {
	d := map[string]any{}
	for k, v := range extra {
		d[k] = v
	}
	// Set last so nothing extra can overwrite them (the reference's Oddity 10).
	d["contentId"], d["reason"], d["code"] = contentID, reason, CodeContentNotPurchasable
	return fault.New(fault.Unprocessable, CodeContentNotPurchasable, message).WithDetails(d)
}
