package purchase

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Refund error codes.
const (
	CodeNotRefundable = "PURCHASE_NOT_REFUNDABLE"
	CodeRefundAmount  = "INVALID_REFUND_AMOUNT"
)

// RefundReasonRequested is the reason sent with refunds made here.
const RefundReasonRequested = "requested_by_customer"

// Refund gives back amountCents of a purchase (0: everything not refunded
// yet). Platform owners and the managers of the selling organization may
// refund. The purchase changes when the refund event is processed: at once
// for the local test payments, which produce the event in process; on the
// charge.refunded webhook for Stripe. The returned purchase is read after
// the refund, so it shows whichever state the platform has reached.
func (s *Service) Refund(ctx context.Context, a *actor.Actor, purchaseID uuid.UUID, amountCents int) (*store.Purchase, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	p, err := s.db.Purchases().Get(ctx, purchaseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errPurchaseNotFound(purchaseID)
	} else if err != nil {
		return nil, err
	}
	if !a.Manages(p.OrganizationID) {
		if p.CustomerID == a.UserID || a.MemberOf(p.OrganizationID) {
			return nil, actor.ErrNotManager
		}
		return nil, errPurchaseNotFound(purchaseID)
	}
	if p.Status != store.PurchaseCompleted {
		return nil, fault.New(fault.Conflict, CodeNotRefundable, "Only completed purchases can be refunded").
			WithDetails(map[string]any{"purchaseId": p.ID, "status": p.Status, "code": CodeNotRefundable})
	}
	refunded := 0
	if p.RefundAmountCents != nil {
		refunded = *p.RefundAmountCents
	}
	left := p.AmountPaidCents - refunded
	if amountCents == 0 {
		amountCents = left
	}
	if amountCents < 0 || amountCents > left || left <= 0 {
		return nil, fault.New(fault.Unprocessable, CodeRefundAmount,
			fmt.Sprintf("Refund amount must be between 1 and %d cents", max(left, 0))).
			WithDetails(map[string]any{"purchaseId": p.ID, "refundableCents": max(left, 0), "code": CodeRefundAmount})
	}
	res, err := s.pay.Refund(ctx, RefundRequest{
		PaymentIntentID: p.StripePaymentIntentID,
		AmountCents:     int64(amountCents),
		Reason:          RefundReasonRequested,
		// Keyed on what has been refunded so far: a retry of this very
		// request repeats the key, the next deliberate refund does not.
		IdempotencyKey:    fmt.Sprintf("codex-refund-%s-%d-%d", p.ID, refunded, amountCents),
		ChargeAmountCents: int64(p.AmountPaidCents),
		RefundedCents:     int64(refunded),
	})
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fault.Unavailablef(err, "Failed to refund the payment").
			WithDetails(map[string]any{"code": CodePaymentProcessing, "purchaseId": p.ID})
	}
	s.cfg.Log.InfoContext(ctx, "refund requested", "purchaseId", p.ID, "amountCents", amountCents,
		"refundId", res.RefundID, "by", a.UserID)
	if res.Event != nil {
		if err := s.HandleEvent(ctx, EndpointPayment, res.Event); err != nil {
			return nil, err
		}
	} else if res.RefundID != "" {
		// The webhook will carry the totals; remember which refund this
		// was in case its event does not list refunds.
		id := res.RefundID
		if _, err := s.db.Purchases().Update(ctx, p.ID, store.PurchasePatch{StripeRefundID: store.Some(&id)}); err != nil {
			s.cfg.Log.WarnContext(ctx, "could not note the refund id", "purchaseId", p.ID, "err", err)
		}
	}
	return s.db.Purchases().Get(ctx, p.ID)
}
