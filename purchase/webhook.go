package purchase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Error codes of event processing.
const (
	CodeMalformedEvent      = "MALFORMED_EVENT"
	CodeInvalidMetadata     = "INVALID_EVENT_METADATA"
	CodePurchaseNotRecorded = "PURCHASE_NOT_RECORDED_YET"
)

// handledEvents says which event types each endpoint acts on. Anything else
// is acknowledged and ignored: the booking endpoint no longer treats every
// event as a paid checkout (the reference's Oddity 2).
var handledEvents = map[Endpoint]map[string]bool{
	EndpointBooking: {EventCheckoutCompleted: true, EventCheckoutAsyncSucceeded: true},
	EndpointPayment: {EventChargeRefunded: true},
	// Refunds arrive on whichever endpoint an operator subscribed them to;
	// handling them is idempotent, so accepting both costs nothing.
	EndpointDispute: {EventChargeRefunded: true, EventDisputeCreated: true, EventDisputeClosed: true},
}

// Handles reports whether the endpoint acts on events of the type.
func Handles(e Endpoint, eventType string) bool { return handledEvents[e][eventType] }

// HandleWebhook verifies a delivery to the endpoint and processes its
// event. A nil error means the event is safely processed (or deliberately
// ignored) and may be acknowledged; any error must be answered with a
// non-2xx status so the provider delivers it again.
func (s *Service) HandleWebhook(ctx context.Context, endpoint Endpoint, payload []byte, signature string) error {
	if !endpoint.Valid() {
		return fault.NotFoundf(fault.CodeNotFound, "Unknown webhook endpoint")
	}
	if signature == "" {
		return ErrMissingSignature
	}
	if s.hooks == nil {
		return ErrSecretNotConfigured
	}
	ev, err := s.hooks.Verify(endpoint, payload, signature)
	if err != nil {
		return err
	}
	return s.HandleEvent(ctx, endpoint, ev)
}

// HandleEvent processes a verified event that arrived on the endpoint.
// Local test payments feed their events here too, so they take exactly the
// path a Stripe webhook does.
func (s *Service) HandleEvent(ctx context.Context, endpoint Endpoint, ev *Event) error {
	if ev == nil {
		return fault.New(fault.Invalid, CodeMalformedEvent, "Malformed event")
	}
	log := s.cfg.Log.With("eventId", ev.ID, "eventType", ev.Type, "endpoint", string(endpoint))
	if !Handles(endpoint, ev.Type) {
		log.DebugContext(ctx, "webhook event ignored")
		return nil
	}
	switch ev.Type {
	case EventCheckoutCompleted, EventCheckoutAsyncSucceeded:
		_, err := s.completeCheckout(ctx, log, ev)
		return err
	case EventChargeRefunded:
		return s.applyRefund(ctx, log, ev)
	case EventDisputeCreated:
		return s.disputeCreated(ctx, log, ev)
	case EventDisputeClosed:
		return s.disputeClosed(ctx, log, ev)
	}
	return nil
}

// paidCheckout is a paid session's data, validated.
type paidCheckout struct {
	paymentIntentID string
	sessionID       string
	customerID      string
	contentID       uuid.UUID
	orgID           *uuid.UUID
	amount          int64
	currency        string
}

// completeCheckout records a paid session. It returns the purchase (nil
// when the session was deliberately not recorded).
func (s *Service) completeCheckout(ctx context.Context, log *slog.Logger, ev *Event) (*store.Purchase, error) {
	cs := ev.Session
	if cs == nil {
		return nil, fault.New(fault.Invalid, CodeMalformedEvent, "Event carries no checkout session")
	}
	log = log.With("sessionId", cs.ID)
	switch cs.PaymentStatus {
	case PaymentStatusPaid:
	case PaymentStatusNoPaymentRequired:
		// Checkout never opens a session for free content and offers no
		// promotion codes, so nothing was charged and there is no payment
		// intent to key a purchase on. Nothing is lost by not recording.
		log.WarnContext(ctx, "checkout completed without payment; not recorded")
		return nil, nil
	default:
		// Delayed payment methods complete unpaid and follow with
		// async_payment_succeeded once the money arrives.
		log.InfoContext(ctx, "checkout completed unpaid; waiting for the payment", "paymentStatus", cs.PaymentStatus)
		return nil, nil
	}
	in, err := validatePaid(cs)
	if err != nil {
		// Authentic but unusable: refuse it so the delivery shows as
		// failing and someone reconciles it, instead of a silent 200.
		log.ErrorContext(ctx, "paid checkout could not be recorded", "err", err)
		return nil, err
	}
	p, created, err := s.record(ctx, in)
	if err != nil {
		log.ErrorContext(ctx, "paid checkout could not be recorded; the provider will retry", "err", err,
			"paymentIntentId", in.paymentIntentID, "customerId", in.customerID, "contentId", in.contentID, "amountCents", in.amount)
		return nil, err
	}
	if created {
		log.InfoContext(ctx, "purchase recorded", "purchaseId", p.ID, "paymentIntentId", p.StripePaymentIntentID,
			"amountCents", p.AmountPaidCents)
	} else {
		log.DebugContext(ctx, "purchase already recorded", "purchaseId", p.ID)
	}
	return p, nil
}

func validatePaid(cs *Session) (paidCheckout, error) {
	bad := func(msg string) error {
		return fault.New(fault.Unprocessable, CodeInvalidMetadata, msg).
			WithDetails(map[string]any{"sessionId": cs.ID, "code": CodeInvalidMetadata})
	}
	in := paidCheckout{paymentIntentID: cs.PaymentIntentID, sessionID: cs.ID}
	if in.paymentIntentID == "" {
		return in, bad("Paid checkout session has no payment intent")
	}
	cid, err := uuid.Parse(cs.Metadata[MetaContentID])
	if err != nil {
		return in, bad("Checkout session metadata has no valid contentId")
	}
	in.contentID = cid
	in.customerID = cs.Metadata[MetaCustomerID]
	if in.customerID == "" {
		in.customerID = cs.ClientReferenceID
	}
	if in.customerID == "" || len(in.customerID) > 255 {
		return in, bad("Checkout session metadata has no valid customerId")
	}
	if cs.ClientReferenceID != "" && cs.ClientReferenceID != in.customerID {
		return in, bad("Checkout session customer and client reference disagree")
	}
	if o := cs.Metadata[MetaOrganizationID]; o != "" {
		oid, err := uuid.Parse(o)
		if err != nil {
			return in, bad("Checkout session metadata has an invalid organizationId")
		}
		in.orgID = &oid
	}
	if cs.AmountTotal == nil || *cs.AmountTotal < 0 || *cs.AmountTotal > math.MaxInt32 {
		return in, bad("Checkout session has no valid amount_total")
	}
	in.amount = *cs.AmountTotal
	in.currency = strings.ToLower(cs.Currency)
	if len(in.currency) != 3 {
		return in, bad("Checkout session has no valid currency")
	}
	return in, nil
}

// record writes the purchase and its access grant in one transaction,
// idempotent on the payment intent id. created is false when the payment
// was already recorded (a replay, or a racing delivery that won).
func (s *Service) record(ctx context.Context, in paidCheckout) (p *store.Purchase, created bool, err error) {
	if p, err := s.db.Purchases().GetByPaymentIntent(ctx, in.paymentIntentID); err == nil {
		return p, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	var (
		content *store.Content
		buyer   *store.User
	)
	now := s.cfg.Now().UTC()
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		p, created = nil, false
		// Deleted content is still recorded: the buyer has paid for it.
		c, err := tx.Content().GetIncludingDeleted(ctx, in.contentID)
		if errors.Is(err, store.ErrNotFound) {
			return fault.New(fault.Unprocessable, CodeInvalidMetadata, "Purchased content does not exist")
		} else if err != nil {
			return err
		}
		if c.OrganizationID == nil {
			return fault.New(fault.Unprocessable, CodeInvalidMetadata, "Purchased content belongs to no organization")
		}
		orgID := *c.OrganizationID
		// The metadata's organization is checked, not trusted (the
		// reference's Oddity 19): the seller is the content's organization.
		if in.orgID != nil && *in.orgID != orgID {
			return fault.New(fault.Unprocessable, fault.CodeOrganizationMismatch,
				"Checkout organization does not match the content's organization")
		}
		u, err := tx.Users().Get(ctx, in.customerID)
		if errors.Is(err, store.ErrNotFound) {
			return fault.New(fault.Unprocessable, CodeInvalidMetadata, "Purchasing customer does not exist")
		} else if err != nil {
			return err
		}
		fees, err := CurrentFees(ctx, tx, c.CreatorID, orgID, now)
		if err != nil {
			return err
		}
		split, err := CalculateSplit(in.amount, fees.PlatformBps, fees.OrgBps)
		if err != nil {
			return err
		}
		rec := &store.Purchase{
			CustomerID:            in.customerID,
			ContentID:             c.ID,
			OrganizationID:        orgID,
			AmountPaidCents:       int(in.amount),
			Currency:              in.currency,
			PlatformFeeCents:      int(split.PlatformFeeCents),
			OrganizationFeeCents:  int(split.OrganizationFeeCents),
			CreatorPayoutCents:    int(split.CreatorPayoutCents),
			PlatformAgreementID:   fees.PlatformAgreementID,
			CreatorOrgAgreementID: fees.CreatorOrgAgreementID,
			StripePaymentIntentID: in.paymentIntentID,
			Status:                store.PurchaseCompleted,
			PurchasedAt:           &now,
		}
		err = tx.Purchases().Create(ctx, rec)
		if store.IsConstraint(err, store.Unique, store.ConstraintPurchasePaymentIntent) {
			// A racing delivery recorded it first; the failed insert was
			// rolled back on its own, so the winner's row can be read.
			p, err = tx.Purchases().GetByPaymentIntent(ctx, in.paymentIntentID)
			return err
		}
		if err != nil {
			return err
		}
		// An upsert, so an earlier grant of another kind (complimentary,
		// an expired one) never blocks recording a payment (the
		// reference's Oddities 5 and 6).
		if err := tx.Access().Upsert(ctx, &store.ContentAccess{
			UserID:         in.customerID,
			ContentID:      c.ID,
			OrganizationID: orgID,
			AccessType:     store.AccessPurchased,
		}); err != nil {
			return err
		}
		p, created, content, buyer = rec, true, c, u
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.sendReceipt(ctx, *p, *content, *buyer)
	}
	return p, created, nil
}

// sendReceipt hands the receipt to the notification service. The purchase
// is committed by now; nothing the mailer does may undo or fail it.
func (s *Service) sendReceipt(ctx context.Context, p store.Purchase, c store.Content, buyer store.User) {
	if s.receipts == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Log.ErrorContext(ctx, "purchase receipt panicked", "purchaseId", p.ID, "panic", fmt.Sprint(r))
		}
	}()
	s.receipts.PurchaseReceipt(context.WithoutCancel(ctx), p, c, buyer)
}

// applyRefund records a charge.refunded event. Refund amounts in the event
// are cumulative, so replays and out-of-order deliveries converge: the
// recorded amount only grows. A full refund marks the purchase refunded
// and revokes the access it granted; a partial one keeps both.
func (s *Service) applyRefund(ctx context.Context, log *slog.Logger, ev *Event) error {
	ch := ev.Charge
	if ch == nil {
		return fault.New(fault.Invalid, CodeMalformedEvent, "Event carries no charge")
	}
	if ch.PaymentIntentID == "" {
		// Every payment the platform takes has a payment intent.
		log.InfoContext(ctx, "refund of a charge without payment intent ignored", "chargeId", ch.ID)
		return nil
	}
	log = log.With("paymentIntentId", ch.PaymentIntentID, "chargeId", ch.ID)
	return s.db.RunInTx(ctx, func(tx store.Repos) error {
		p, err := tx.Purchases().GetByPaymentIntent(ctx, ch.PaymentIntentID)
		if errors.Is(err, store.ErrNotFound) {
			return s.unknownPayment(ctx, log, ch.Metadata)
		} else if err != nil {
			return err
		}
		full := ch.Refunded || (ch.Amount > 0 && ch.AmountRefunded >= ch.Amount)
		reason := ch.RefundReason
		return s.refundPurchase(ctx, log, tx, p, ch.AmountRefunded, full, ch.RefundID, reason)
	})
}

// unknownPayment decides what to answer for an event about a payment with
// no purchase. A payment of the platform's own checkout whose completion
// has not arrived yet must be retried, or the purchase would later be
// recorded as if never refunded; any other charge on the account is none
// of the platform's business.
func (s *Service) unknownPayment(ctx context.Context, log *slog.Logger, meta map[string]string) error {
	if meta[MetaContentID] != "" && meta[MetaCustomerID] != "" {
		log.WarnContext(ctx, "event for a purchase not recorded yet; asking for a retry")
		return fault.New(fault.Unavailable, CodePurchaseNotRecorded, "Purchase not recorded yet; retry later")
	}
	log.InfoContext(ctx, "event for a payment that is not a purchase ignored")
	return nil
}

// refundPurchase moves p to the refunded total (cumulative cents) inside
// tx, and revokes the purchased grant when full.
func (s *Service) refundPurchase(ctx context.Context, log *slog.Logger, tx store.Repos, p *store.Purchase, total int64, full bool, refundID, reason string) error {
	prev := int64(0)
	if p.RefundAmountCents != nil {
		prev = int64(*p.RefundAmountCents)
	}
	total = min(max(total, prev), int64(p.AmountPaidCents))
	if total >= int64(p.AmountPaidCents) && total > 0 {
		full = true
	}
	var patch store.PurchasePatch
	changed := false
	now := s.cfg.Now().UTC()
	if total > prev {
		n := int(total)
		patch.RefundAmountCents = store.Some(&n)
		patch.RefundedAt = store.Some(&now)
		changed = true
	}
	// The id and reason describe the latest refund; an older event
	// replayed late must not overwrite them.
	if refundID != "" && (total > prev || p.StripeRefundID == nil) {
		patch.StripeRefundID = store.Some(&refundID)
		changed = true
	}
	if reason != "" && (total > prev || p.RefundReason == nil) {
		patch.RefundReason = store.Some(&reason)
		changed = true
	}
	if full && p.Status == store.PurchaseCompleted {
		patch.Status = store.Some(store.PurchaseRefunded)
		if p.RefundedAt == nil || total > prev {
			patch.RefundedAt = store.Some(&now)
		}
		changed = true
	}
	if changed {
		if _, err := tx.Purchases().Update(ctx, p.ID, patch); err != nil {
			return err
		}
		log.InfoContext(ctx, "refund recorded", "purchaseId", p.ID, "refundedCents", total, "full", full)
	}
	if !full {
		return nil
	}
	return s.revoke(ctx, log, tx, p)
}

// revoke removes the access p granted, unless another completed purchase
// of the same content still pays for it. Only the purchased grant goes:
// a complimentary grant made since is the platform's gift, not the
// refunded payment's.
func (s *Service) revoke(ctx context.Context, log *slog.Logger, tx store.Repos, p *store.Purchase) error {
	still, err := tx.Purchases().HasCompleted(ctx, p.CustomerID, p.ContentID)
	if err != nil || still {
		return err
	}
	deleted, err := tx.Access().DeleteIfType(ctx, p.CustomerID, p.ContentID, store.AccessPurchased)
	if err != nil {
		return err
	}
	if deleted {
		log.InfoContext(ctx, "purchased access revoked", "purchaseId", p.ID, "customerId", p.CustomerID, "contentId", p.ContentID)
	}
	return nil
}

// disputeCreated only logs: while a dispute is open the buyer keeps
// access, since many are withdrawn or won; the money moves back only when
// it is lost (charge.dispute.closed).
func (s *Service) disputeCreated(ctx context.Context, log *slog.Logger, ev *Event) error {
	d := ev.Dispute
	if d == nil {
		return fault.New(fault.Invalid, CodeMalformedEvent, "Event carries no dispute")
	}
	attrs := []any{"disputeId", d.ID, "paymentIntentId", d.PaymentIntentID, "reason", d.Reason, "amountCents", d.Amount}
	if d.PaymentIntentID != "" {
		if p, err := s.db.Purchases().GetByPaymentIntent(ctx, d.PaymentIntentID); err == nil {
			attrs = append(attrs, "purchaseId", p.ID, "customerId", p.CustomerID, "contentId", p.ContentID)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	log.WarnContext(ctx, "payment disputed", attrs...)
	return nil
}

// disputeClosed treats a lost dispute like a full refund of the disputed
// amount: the purchase becomes refunded (reason "dispute_lost: <reason>")
// and its access is revoked. A won dispute changes nothing.
func (s *Service) disputeClosed(ctx context.Context, log *slog.Logger, ev *Event) error {
	d := ev.Dispute
	if d == nil {
		return fault.New(fault.Invalid, CodeMalformedEvent, "Event carries no dispute")
	}
	log = log.With("disputeId", d.ID, "paymentIntentId", d.PaymentIntentID, "status", d.Status)
	if d.Status != "lost" {
		log.InfoContext(ctx, "dispute closed in the platform's favour")
		return nil
	}
	if d.PaymentIntentID == "" {
		log.WarnContext(ctx, "lost dispute without payment intent ignored")
		return nil
	}
	return s.db.RunInTx(ctx, func(tx store.Repos) error {
		p, err := tx.Purchases().GetByPaymentIntent(ctx, d.PaymentIntentID)
		if errors.Is(err, store.ErrNotFound) {
			log.WarnContext(ctx, "lost dispute for a payment that is not a purchase ignored")
			return nil
		} else if err != nil {
			return err
		}
		reason := "dispute_lost"
		if d.Reason != "" {
			reason += ": " + d.Reason
		}
		return s.refundPurchase(ctx, log, tx, p, d.Amount, true, "", reason)
	})
}
