package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// ---- purchases ----

type purchaseRepo repos

const purchaseCols = `id, customer_id, content_id, organization_id, amount_paid_cents, currency, platform_fee_cents,
	organization_fee_cents, creator_payout_cents, platform_agreement_id, creator_org_agreement_id,
	stripe_payment_intent_id, status, purchased_at, refunded_at, refund_reason, refund_amount_cents,
	stripe_refund_id, created_at, updated_at`

func scanPurchase(s scanner) (*store.Purchase, error) {
	var p store.Purchase
	err := s.Scan(&p.ID, &p.CustomerID, &p.ContentID, &p.OrganizationID, &p.AmountPaidCents, &p.Currency,
		&p.PlatformFeeCents, &p.OrganizationFeeCents, &p.CreatorPayoutCents, &p.PlatformAgreementID,
		&p.CreatorOrgAgreementID, &p.StripePaymentIntentID, &p.Status, &p.PurchasedAt, &p.RefundedAt,
		&p.RefundReason, &p.RefundAmountCents, &p.StripeRefundID, &p.CreatedAt, &p.UpdatedAt)
	return &p, err
}

func (r purchaseRepo) Create(ctx context.Context, p *store.Purchase) error {
	if p.ID == uuid.Nil {
		p.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create purchase", scanPurchase,
		`INSERT INTO purchases (id, customer_id, content_id, organization_id, amount_paid_cents, currency,
		     platform_fee_cents, organization_fee_cents, creator_payout_cents, platform_agreement_id,
		     creator_org_agreement_id, stripe_payment_intent_id, status, purchased_at, refunded_at, refund_reason,
		     refund_amount_cents, stripe_refund_id, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
		     clock_timestamp(), clock_timestamp())
		 RETURNING `+purchaseCols,
		p.ID, p.CustomerID, p.ContentID, p.OrganizationID, p.AmountPaidCents, p.Currency, p.PlatformFeeCents,
		p.OrganizationFeeCents, p.CreatorPayoutCents, p.PlatformAgreementID, p.CreatorOrgAgreementID,
		p.StripePaymentIntentID, p.Status, p.PurchasedAt, p.RefundedAt, p.RefundReason, p.RefundAmountCents,
		p.StripeRefundID)
	if err != nil {
		return err
	}
	*p = *got
	return nil
}

func (r purchaseRepo) Get(ctx context.Context, id uuid.UUID) (*store.Purchase, error) {
	return queryOne(ctx, r.q, "get purchase", scanPurchase, "SELECT "+purchaseCols+" FROM purchases WHERE id = $1", id)
}

func (r purchaseRepo) GetByPaymentIntent(ctx context.Context, paymentIntentID string) (*store.Purchase, error) {
	return queryOne(ctx, r.q, "get purchase by payment intent", scanPurchase,
		"SELECT "+purchaseCols+" FROM purchases WHERE stripe_payment_intent_id = $1", paymentIntentID)
}

func (r purchaseRepo) Update(ctx context.Context, id uuid.UUID, p store.PurchasePatch) (*store.Purchase, error) {
	var a args
	s := newSetter(&a)
	set(s, "status", p.Status)
	set(s, "refunded_at", p.RefundedAt)
	set(s, "refund_reason", p.RefundReason)
	set(s, "refund_amount_cents", p.RefundAmountCents)
	set(s, "stripe_refund_id", p.StripeRefundID)
	return queryOne(ctx, r.q, "update purchase", scanPurchase,
		"UPDATE purchases SET "+s.sql()+" WHERE id = "+a.add(id)+" RETURNING "+purchaseCols, a...)
}

func (r purchaseRepo) List(ctx context.Context, f store.PurchaseFilter, page store.Page) (store.List[store.Purchase], error) {
	var a args
	w := newWhere(&a)
	if f.CustomerID != "" {
		w.and("customer_id = ?", f.CustomerID)
	}
	if f.OrganizationID != nil {
		w.and("organization_id = ?", *f.OrganizationID)
	}
	if f.ContentID != nil {
		w.and("content_id = ?", *f.ContentID)
	}
	if f.Status != "" {
		w.and("status = ?", f.Status)
	}
	return list(ctx, r.q, "list purchases", purchaseCols, "purchases", w,
		"purchased_at DESC NULLS LAST, id ASC", page, scanPurchase)
}

func (r purchaseRepo) HasCompleted(ctx context.Context, customerID string, contentID uuid.UUID) (bool, error) {
	var ok bool
	err := r.q.QueryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM purchases WHERE customer_id = $1 AND content_id = $2 AND status = 'completed')`,
		customerID, contentID).Scan(&ok)
	return ok, mapErr(err, "check completed purchase")
}

// ---- fees ----

type feeRepo repos

func scanPlatformFee(s scanner) (*store.PlatformFee, error) {
	var f store.PlatformFee
	err := s.Scan(&f.ID, &f.FeeBps, &f.EffectiveFrom, &f.EffectiveUntil, &f.CreatedAt, &f.UpdatedAt)
	return &f, err
}

const platformFeeCols = "id, platform_fee_percentage, effective_from, effective_until, created_at, updated_at"

func (r feeRepo) CreatePlatformFee(ctx context.Context, f *store.PlatformFee) error {
	if f.ID == uuid.Nil {
		f.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create platform fee", scanPlatformFee,
		`INSERT INTO platform_fee_config (id, platform_fee_percentage, effective_from, effective_until, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())
		 RETURNING `+platformFeeCols,
		f.ID, f.FeeBps, f.EffectiveFrom, f.EffectiveUntil)
	if err != nil {
		return err
	}
	*f = *got
	return nil
}

// latestEffective picks the row that took effect last; created_at and id
// only break ties between rows starting at the same instant.
const latestEffective = "effective_from DESC, created_at DESC, id ASC"

const effectiveAt = "effective_from <= $1 AND (effective_until IS NULL OR $1 < effective_until)"

func (r feeRepo) CurrentPlatformFee(ctx context.Context, at time.Time) (*store.PlatformFee, error) {
	return queryOne(ctx, r.q, "current platform fee", scanPlatformFee,
		"SELECT "+platformFeeCols+" FROM platform_fee_config WHERE "+effectiveAt+
			" ORDER BY "+latestEffective+" LIMIT 1", at)
}

const orgAgreementCols = "id, organization_id, platform_fee_percentage, effective_from, effective_until, created_at, updated_at"

func scanOrgAgreement(s scanner) (*store.OrgPlatformAgreement, error) {
	var a store.OrgPlatformAgreement
	err := s.Scan(&a.ID, &a.OrganizationID, &a.FeeBps, &a.EffectiveFrom, &a.EffectiveUntil, &a.CreatedAt, &a.UpdatedAt)
	return &a, err
}

func (r feeRepo) CreateOrgPlatformAgreement(ctx context.Context, a *store.OrgPlatformAgreement) error {
	if a.ID == uuid.Nil {
		a.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create org platform agreement", scanOrgAgreement,
		`INSERT INTO organization_platform_agreements (id, organization_id, platform_fee_percentage, effective_from,
		     effective_until, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp())
		 RETURNING `+orgAgreementCols,
		a.ID, a.OrganizationID, a.FeeBps, a.EffectiveFrom, a.EffectiveUntil)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func (r feeRepo) CurrentOrgPlatformAgreement(ctx context.Context, orgID uuid.UUID, at time.Time) (*store.OrgPlatformAgreement, error) {
	return queryOne(ctx, r.q, "current org platform agreement", scanOrgAgreement,
		"SELECT "+orgAgreementCols+" FROM organization_platform_agreements WHERE "+effectiveAt+
			" AND organization_id = $2 ORDER BY "+latestEffective+" LIMIT 1", at, orgID)
}

const creatorAgreementCols = "id, creator_id, organization_id, organization_fee_percentage, effective_from, effective_until, created_at, updated_at"

func scanCreatorAgreement(s scanner) (*store.CreatorOrgAgreement, error) {
	var a store.CreatorOrgAgreement
	err := s.Scan(&a.ID, &a.CreatorID, &a.OrganizationID, &a.FeeBps, &a.EffectiveFrom, &a.EffectiveUntil,
		&a.CreatedAt, &a.UpdatedAt)
	return &a, err
}

func (r feeRepo) CreateCreatorOrgAgreement(ctx context.Context, a *store.CreatorOrgAgreement) error {
	if a.ID == uuid.Nil {
		a.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create creator org agreement", scanCreatorAgreement,
		`INSERT INTO creator_organization_agreements (id, creator_id, organization_id, organization_fee_percentage,
		     effective_from, effective_until, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 RETURNING `+creatorAgreementCols,
		a.ID, a.CreatorID, a.OrganizationID, a.FeeBps, a.EffectiveFrom, a.EffectiveUntil)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func (r feeRepo) CurrentCreatorOrgAgreement(ctx context.Context, creatorID string, orgID uuid.UUID, at time.Time) (*store.CreatorOrgAgreement, error) {
	return queryOne(ctx, r.q, "current creator org agreement", scanCreatorAgreement,
		"SELECT "+creatorAgreementCols+" FROM creator_organization_agreements WHERE "+effectiveAt+
			" AND creator_id = $2 AND organization_id = $3 ORDER BY "+latestEffective+" LIMIT 1",
		at, creatorID, orgID)
}
