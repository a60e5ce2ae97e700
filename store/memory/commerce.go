package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// ---- purchases ----

type purchaseRepo repos

func checkPurchase(p *store.Purchase) error {
	switch {
	case !p.Status.Valid():
		return checkErr("check_purchase_status")
	case p.AmountPaidCents < 0:
		return checkErr("check_amount_positive")
	case p.PlatformFeeCents < 0:
		return checkErr("check_platform_fee_positive")
	case p.OrganizationFeeCents < 0:
		return checkErr("check_org_fee_positive")
	case p.CreatorPayoutCents < 0:
		return checkErr("check_creator_payout_positive")
	case p.AmountPaidCents != p.PlatformFeeCents+p.OrganizationFeeCents+p.CreatorPayoutCents:
		return checkErr(store.ConstraintRevenueSplit)
	}
	return nil
}

func (r purchaseRepo) Create(ctx context.Context, p *store.Purchase) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(p)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if err := checkPurchase(rec); err != nil {
			return err
		}
		if _, ok := st.purchases[rec.ID]; ok {
			return uniqueErr("purchases_pkey")
		}
		if _, ok := st.purchasesByIntent[rec.StripePaymentIntentID]; ok {
			return uniqueErr(store.ConstraintPurchasePaymentIntent)
		}
		switch {
		case !st.userExists(rec.CustomerID):
			return fkErr("purchases", "customer_id")
		case !st.contentExists(rec.ContentID):
			return fkErr("purchases", "content_id")
		case !st.orgExists(rec.OrganizationID):
			return fkErr("purchases", "organization_id")
		case rec.PlatformAgreementID != nil && st.orgAgreements[*rec.PlatformAgreementID] == nil:
			return fkErr("purchases", "platform_agreement_id")
		case rec.CreatorOrgAgreementID != nil && st.creatorAgreements[*rec.CreatorOrgAgreementID] == nil:
			return fkErr("purchases", "creator_org_agreement_id")
		}
		st.purchases[rec.ID] = rec
		st.purchasesByIntent[rec.StripePaymentIntentID] = rec.ID
		*p = *clone(rec)
		return nil
	})
}

func (r purchaseRepo) Get(ctx context.Context, id uuid.UUID) (p *store.Purchase, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.purchases[id]
		p, err = orNil(ok, rec)
		return err
	})
	return p, err
}

func (r purchaseRepo) GetByPaymentIntent(ctx context.Context, paymentIntentID string) (p *store.Purchase, err error) {
	err = r.d.read(ctx, func(st *state) error {
		id, ok := st.purchasesByIntent[paymentIntentID]
		p, err = orNil(ok, st.purchases[id])
		return err
	})
	return p, err
}

func (r purchaseRepo) Update(ctx context.Context, id uuid.UUID, p store.PurchasePatch) (out *store.Purchase, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.purchases[id]
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Status, p.Status)
		set(&n.RefundedAt, p.RefundedAt)
		set(&n.RefundReason, p.RefundReason)
		set(&n.RefundAmountCents, p.RefundAmountCents)
		set(&n.StripeRefundID, p.StripeRefundID)
		n.UpdatedAt = r.d.now()
		if err := checkPurchase(&n); err != nil {
			return err
		}
		rec := fresh(&n)
		st.purchases[id] = rec
		out = clone(rec)
		return nil
	})
	return out, err
}

func (r purchaseRepo) List(ctx context.Context, f store.PurchaseFilter, page store.Page) (out store.List[store.Purchase], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Purchase
		for _, p := range st.purchases {
			if (f.CustomerID != "" && p.CustomerID != f.CustomerID) ||
				(f.OrganizationID != nil && p.OrganizationID != *f.OrganizationID) ||
				(f.ContentID != nil && p.ContentID != *f.ContentID) ||
				(f.Status != "" && p.Status != f.Status) {
				continue
			}
			rows = append(rows, p)
		}
		sortRows(rows, byNullTime(func(p *store.Purchase) *time.Time { return p.PurchasedAt }), true,
			func(p *store.Purchase) uuid.UUID { return p.ID })
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

func (r purchaseRepo) HasCompleted(ctx context.Context, customerID string, contentID uuid.UUID) (found bool, err error) {
	err = r.d.read(ctx, func(st *state) error {
		for _, p := range st.purchases {
			if p.CustomerID == customerID && p.ContentID == contentID && p.Status == store.PurchaseCompleted {
				found = true
				return nil
			}
		}
		return nil
	})
	return found, err
}

// ---- fees ----

type feeRepo repos

func validBps(bps int) bool { return bps >= 0 && bps <= 10000 }

// inEffect reports effective_from <= at < effective_until (NULL: open).
func inEffect(from time.Time, until *time.Time, at time.Time) bool {
	return !from.After(at) && (until == nil || at.Before(*until))
}

// latest picks the row that took effect last; created_at and id only make
// the choice deterministic when two rows start at the same instant.
func latest[T any](rows []*T, from, created func(*T) time.Time, id func(*T) uuid.UUID) (*T, error) {
	if len(rows) == 0 {
		return nil, store.ErrNotFound
	}
	best := slices.MaxFunc(rows, func(a, b *T) int {
		return cmp.Or(from(a).Compare(from(b)), created(a).Compare(created(b)), -compareIDs(id(a), id(b)))
	})
	return clone(best), nil
}

func (r feeRepo) CreatePlatformFee(ctx context.Context, f *store.PlatformFee) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(f)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if !validBps(rec.FeeBps) {
			return checkErr("check_platform_fee_percentage")
		}
		if _, ok := st.platformFees[rec.ID]; ok {
			return uniqueErr("platform_fee_config_pkey")
		}
		st.platformFees[rec.ID] = rec
		*f = *clone(rec)
		return nil
	})
}

func (r feeRepo) CurrentPlatformFee(ctx context.Context, at time.Time) (f *store.PlatformFee, err error) {
	err = r.d.read(ctx, func(st *state) error {
		at = dbTime(at)
		var rows []*store.PlatformFee
		for _, p := range st.platformFees {
			if inEffect(p.EffectiveFrom, p.EffectiveUntil, at) {
				rows = append(rows, p)
			}
		}
		f, err = latest(rows,
			func(p *store.PlatformFee) time.Time { return p.EffectiveFrom },
			func(p *store.PlatformFee) time.Time { return p.CreatedAt },
			func(p *store.PlatformFee) uuid.UUID { return p.ID })
		return err
	})
	return f, err
}

func (r feeRepo) CreateOrgPlatformAgreement(ctx context.Context, a *store.OrgPlatformAgreement) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(a)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if !validBps(rec.FeeBps) {
			return checkErr("check_org_platform_fee_percentage")
		}
		if _, ok := st.orgAgreements[rec.ID]; ok {
			return uniqueErr("organization_platform_agreements_pkey")
		}
		if !st.orgExists(rec.OrganizationID) {
			return fkErr("organization_platform_agreements", "organization_id")
		}
		st.orgAgreements[rec.ID] = rec
		*a = *clone(rec)
		return nil
	})
}

func (r feeRepo) CurrentOrgPlatformAgreement(ctx context.Context, orgID uuid.UUID, at time.Time) (a *store.OrgPlatformAgreement, err error) {
	err = r.d.read(ctx, func(st *state) error {
		at = dbTime(at)
		var rows []*store.OrgPlatformAgreement
		for _, p := range st.orgAgreements {
			if p.OrganizationID == orgID && inEffect(p.EffectiveFrom, p.EffectiveUntil, at) {
				rows = append(rows, p)
			}
		}
		a, err = latest(rows,
			func(p *store.OrgPlatformAgreement) time.Time { return p.EffectiveFrom },
			func(p *store.OrgPlatformAgreement) time.Time { return p.CreatedAt },
			func(p *store.OrgPlatformAgreement) uuid.UUID { return p.ID })
		return err
	})
	return a, err
}

func (r feeRepo) CreateCreatorOrgAgreement(ctx context.Context, a *store.CreatorOrgAgreement) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(a)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if !validBps(rec.FeeBps) {
			return checkErr("check_org_fee_percentage")
		}
		if _, ok := st.creatorAgreements[rec.ID]; ok {
			return uniqueErr("creator_organization_agreements_pkey")
		}
		for _, o := range st.creatorAgreements {
			if o.CreatorID == rec.CreatorID && o.OrganizationID == rec.OrganizationID && o.EffectiveFrom.Equal(rec.EffectiveFrom) {
				return uniqueErr(store.ConstraintCreatorOrgAgreement)
			}
		}
		switch {
		case !st.userExists(rec.CreatorID):
			return fkErr("creator_organization_agreements", "creator_id")
		case !st.orgExists(rec.OrganizationID):
			return fkErr("creator_organization_agreements", "organization_id")
		}
		st.creatorAgreements[rec.ID] = rec
		*a = *clone(rec)
		return nil
	})
}

func (r feeRepo) CurrentCreatorOrgAgreement(ctx context.Context, creatorID string, orgID uuid.UUID, at time.Time) (a *store.CreatorOrgAgreement, err error) {
	err = r.d.read(ctx, func(st *state) error {
		at = dbTime(at)
		var rows []*store.CreatorOrgAgreement
		for _, p := range st.creatorAgreements {
			if p.CreatorID == creatorID && p.OrganizationID == orgID && inEffect(p.EffectiveFrom, p.EffectiveUntil, at) {
				rows = append(rows, p)
			}
		}
		a, err = latest(rows,
			func(p *store.CreatorOrgAgreement) time.Time { return p.EffectiveFrom },
			func(p *store.CreatorOrgAgreement) time.Time { return p.CreatedAt },
			func(p *store.CreatorOrgAgreement) uuid.UUID { return p.ID })
		return err
	})
	return a, err
}
