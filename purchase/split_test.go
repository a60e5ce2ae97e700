package purchase_test

import (
	"errors"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/purchase"
)

func TestCalculateSplit(t *testing.T) {
	// The reference's worked examples (purchase.md §7) and edges.
	cases := []struct {
		amount                 int64
		platformBps, orgBps    int
		platform, org, creator int64
	}{
		{2999, 1000, 0, 300, 0, 2699},
		{10000, 1000, 0, 1000, 0, 9000},
		{999, 1000, 0, 100, 0, 899},
		{101, 1000, 0, 11, 0, 90},
		{1, 1000, 0, 1, 0, 0},
		{0, 1000, 0, 0, 0, 0},
		{99999999, 1000, 0, 10000000, 0, 89999999},
		{10000, 1000, 2000, 1000, 1800, 7200},
		{1000, 1000, 500, 100, 45, 855},
		{1999, 1000, 2000, 200, 360, 1439},
		{1000, 5000, 5000, 500, 250, 250},
		{1000, 10000, 0, 1000, 0, 0},
		{100, 10000, 10000, 100, 0, 0},
		{1000, 0, 0, 0, 0, 1000},
		{1000, 0, 10000, 0, 1000, 0},
		{1, 0, 1, 0, 1, 0},
		{1, 1, 1, 1, 0, 0},
		{3, 3333, 5000, 1, 1, 1},
		{1 << 40, 1, 1, 109951163, 109940168, 1099291736445},
	}
	for _, c := range cases {
		is := is.New(t)
		got, err := purchase.CalculateSplit(c.amount, c.platformBps, c.orgBps)
		is.NoErr(err)
		is.Equal(got, purchase.Split{PlatformFeeCents: c.platform, OrganizationFeeCents: c.org, CreatorPayoutCents: c.creator}) // split of c.amount
		is.Equal(got.PlatformFeeCents+got.OrganizationFeeCents+got.CreatorPayoutCents, c.amount)
	}
}

func TestCalculateSplitRejectsBadInput(t *testing.T) {
	is := is.New(t)
	for _, c := range []struct {
		amount int64
		p, o   int
		typ    string
	}{
		{-1, 1000, 0, "invalid_amount"},
		{1 << 62, 1000, 0, "invalid_amount"},
		{100, -1, 0, "invalid_platform_fee"},
		{100, 10001, 0, "invalid_platform_fee"},
		{100, 0, -1, "invalid_org_fee"},
		{100, 0, 10001, "invalid_org_fee"},
	} {
		_, err := purchase.CalculateSplit(c.amount, c.p, c.o)
		is.True(errors.Is(err, fault.Internal))
		is.Equal(fault.From(err).Code, "REVENUE_CALCULATION_ERROR")
		is.Equal(fault.From(err).Details.(map[string]any)["type"], c.typ)
	}
}

func FuzzCalculateSplit(f *testing.F) {
	f.Add(int64(2999), 1000, 0)
	f.Add(int64(1), 10000, 10000)
	f.Fuzz(func(t *testing.T, amount int64, p, o int) {
		s, err := purchase.CalculateSplit(amount, p, o)
		if err != nil {
			return
		}
		if s.PlatformFeeCents < 0 || s.OrganizationFeeCents < 0 || s.CreatorPayoutCents < 0 ||
			s.PlatformFeeCents+s.OrganizationFeeCents+s.CreatorPayoutCents != amount {
			t.Fatalf("split %d at %d/%d = %+v", amount, p, o, s)
		}
	})
}
