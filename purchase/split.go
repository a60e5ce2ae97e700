package purchase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// MaxBps is 100% in basis points.
const MaxBps = 10000

// Split is how one payment divides between the platform, the organization
// and the creator. The three parts always add up to the amount.
type Split struct {
	PlatformFeeCents     int64
	OrganizationFeeCents int64
	CreatorPayoutCents   int64
}

// CalculateSplit divides amount (cents) by the reference algorithm: the
// platform fee is platformBps of the amount, rounded up; the organization
// fee is orgBps of what remains, rounded up; the creator gets the rest.
// Rounding up favours the fee takers by at most a cent each, and integer
// math keeps the parts summing to the amount exactly.
func CalculateSplit(amount int64, platformBps, orgBps int) (Split, error) {
	switch {
	case amount < 0:
		return Split{}, splitError("invalid_amount", fmt.Sprintf("amount must be a non-negative integer, got %d", amount))
	case amount > maxAmount:
		// Beyond this the products below could overflow int64.
		return Split{}, splitError("invalid_amount", fmt.Sprintf("amount %d is too large", amount))
	case platformBps < 0 || platformBps > MaxBps:
		return Split{}, splitError("invalid_platform_fee", fmt.Sprintf("platform fee must be 0..%d basis points, got %d", MaxBps, platformBps))
	case orgBps < 0 || orgBps > MaxBps:
		return Split{}, splitError("invalid_org_fee", fmt.Sprintf("organization fee must be 0..%d basis points, got %d", MaxBps, orgBps))
	}
	platform := ceilBps(amount, platformBps)
	remaining := amount - platform
	org := ceilBps(remaining, orgBps)
	s := Split{PlatformFeeCents: platform, OrganizationFeeCents: org, CreatorPayoutCents: amount - platform - org}
	if s.PlatformFeeCents < 0 || s.OrganizationFeeCents < 0 || s.CreatorPayoutCents < 0 {
		return Split{}, splitError("negative_fee", fmt.Sprintf("split %+v has a negative part", s))
	}
	return s, nil
}

// maxAmount keeps amount*MaxBps inside int64.
const maxAmount = (1<<63 - 1) / MaxBps

// ceilBps is ceil(x * bps / 10000) for x >= 0.
func ceilBps(x int64, bps int) int64 {
	return (x*int64(bps) + MaxBps - 1) / MaxBps
}

func splitError(typ, msg string) *fault.Error {
	e := fault.New(fault.Internal, "REVENUE_CALCULATION_ERROR", "Revenue calculation error: "+msg)
	e.Details = map[string]any{"code": "REVENUE_CALCULATION_ERROR", "type": typ}
	return e
}

// Fees are the rates in effect for one sale and the agreements they came
// from (nil: the platform default, or no organization share).
type Fees struct {
	PlatformBps           int
	OrgBps                int
	PlatformAgreementID   *uuid.UUID
	CreatorOrgAgreementID *uuid.UUID
}

// CurrentFees reads the rates for a sale of the creator's content in the
// organization at the instant: the organization's platform agreement, else
// the platform default fee (the seeded 10% when none is in effect); the
// creator's agreement with the organization, else no organization share.
func CurrentFees(ctx context.Context, r store.Repos, creatorID string, orgID uuid.UUID, at time.Time) (Fees, error) {
	f := Fees{PlatformBps: store.DefaultPlatformFeeBps}
	a, err := r.Fees().CurrentOrgPlatformAgreement(ctx, orgID, at)
	switch {
	case err == nil:
		f.PlatformBps, f.PlatformAgreementID = a.FeeBps, &a.ID
	case errors.Is(err, store.ErrNotFound):
		pf, err := r.Fees().CurrentPlatformFee(ctx, at)
		if err == nil {
			f.PlatformBps = pf.FeeBps
		} else if !errors.Is(err, store.ErrNotFound) {
			return Fees{}, err
		}
	default:
		return Fees{}, err
	}
	ca, err := r.Fees().CurrentCreatorOrgAgreement(ctx, creatorID, orgID, at)
	switch {
	case err == nil:
		f.OrgBps, f.CreatorOrgAgreementID = ca.FeeBps, &ca.ID
	case !errors.Is(err, store.ErrNotFound):
		return Fees{}, err
	}
	return f, nil
}
