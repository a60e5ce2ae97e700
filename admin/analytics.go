package admin

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Analytics bounds.
const (
	// DefaultRangeDays is the span of the default revenue range: the last
	// 30 days, today included.
	DefaultRangeDays = 30
	// MaxRangeDays is the most days a range may cover: 365 days between
	// the first and the last date, so any calendar year fits, leap years
	// included (reference oddity 24).
	MaxRangeDays = 366
	// NewCustomerDays is the window of "new customers".
	NewCustomerDays  = 30
	DefaultTopLimit  = 10
	MaxTopLimit      = 100
	dateLayout       = "2006-01-02"
	msgRangeTooLong  = "Date range cannot exceed 365 days"
	msgStartAfterEnd = "Start date must be before or equal to end date"
	msgBadDate       = "Must be a date (YYYY-MM-DD) or an RFC 3339 timestamp"
)

// Range is the half-open interval [Start, End) of instants. The zero Range
// means the default for the call.
type Range struct {
	Start, End time.Time
}

// IsZero reports whether r is the zero Range.
func (r Range) IsZero() bool { return r.Start.IsZero() && r.End.IsZero() }

func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DefaultRange is the last DefaultRangeDays days up to the end of today (UTC).
func DefaultRange(now time.Time) Range {
	end := midnight(now).AddDate(0, 0, 1)
	return Range{Start: end.AddDate(0, 0, -DefaultRangeDays), End: end}
}

// days lists the UTC dates r touches: from Start's date to the date of its
// last instant.
func (r Range) days() []time.Time {
	var out []time.Time
	last := midnight(r.End.Add(-time.Microsecond))
	for d := midnight(r.Start); !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// check validates a range built by a caller; the field paths are those of
// the HTTP query.
func (r Range) check() error {
	if !r.Start.Before(r.End) {
		return fault.InvalidField("query.startDate", msgStartAfterEnd)
	}
	if midnight(r.End.Add(-time.Microsecond)).Sub(midnight(r.Start)) > (MaxRangeDays-1)*24*time.Hour {
		return fault.InvalidField("query.endDate", msgRangeTooLong)
	}
	return nil
}

// ParseRange reads the startDate and endDate query values. Each is a date
// (YYYY-MM-DD, UTC) or an RFC 3339 timestamp. A date-only endDate includes
// that whole day (reference oddity 24); a timestamp includes that instant.
// A missing start is DefaultRangeDays before the end; a missing end is the
// end of today. Neither given is DefaultRange. Errors name the field.
func ParseRange(startDate, endDate string, now time.Time) (Range, error) {
	var fields []fault.Field
	var r Range
	if startDate != "" {
		t, _, ok := parseDate(startDate)
		if !ok {
			fields = append(fields, fault.Field{Path: "query.startDate", Message: msgBadDate})
		}
		// A date-only start is that day's 00:00, as parseDate returns it.
		r.Start = t
	}
	if endDate != "" {
		t, dateOnly, ok := parseDate(endDate)
		switch {
		case !ok:
			fields = append(fields, fault.Field{Path: "query.endDate", Message: msgBadDate})
		case dateOnly:
			r.End = t.AddDate(0, 0, 1)
		default:
			// Exclusive bound just after the instant, at the database's
			// microsecond precision.
			r.End = t.Truncate(time.Microsecond).Add(time.Microsecond)
		}
	}
	if len(fields) > 0 {
		return Range{}, fault.InvalidFields(fields...)
	}
	switch {
	case startDate == "" && endDate == "":
		return DefaultRange(now), nil
	case endDate == "":
		r.End = DefaultRange(now).End
	case startDate == "":
		r.Start = midnight(r.End.Add(-time.Microsecond)).AddDate(0, 0, 1-DefaultRangeDays)
	}
	if err := r.check(); err != nil {
		return Range{}, err
	}
	return r, nil
}

func parseDate(s string) (t time.Time, dateOnly, ok bool) {
	if t, err := time.Parse(dateLayout, s); err == nil {
		return t.UTC(), true, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Truncate(time.Microsecond), false, true
	}
	return time.Time{}, false, false
}

// RevenueStats is the revenue of a scope over a range.
type RevenueStats struct {
	OrganizationID *uuid.UUID `json:"organizationId"`
	// StartDate and EndDate are the first and last UTC dates covered.
	StartDate              string `json:"startDate"`
	EndDate                string `json:"endDate"`
	TotalRevenueCents      int64  `json:"totalRevenueCents"`
	TotalPurchases         int64  `json:"totalPurchases"`
	AverageOrderValueCents int64  `json:"averageOrderValueCents"`
	PlatformFeeCents       int64  `json:"platformFeeCents"`
	OrganizationFeeCents   int64  `json:"organizationFeeCents"`
	CreatorPayoutCents     int64  `json:"creatorPayoutCents"`
	// RevenueByDay has one entry per date of the range, ascending, days
	// without sales included as zero (reference oddity 23).
	RevenueByDay []DayRevenue `json:"revenueByDay"`
}

// DayRevenue is one day of RevenueStats.
type DayRevenue struct {
	Date          string `json:"date"` // YYYY-MM-DD, UTC
	RevenueCents  int64  `json:"revenueCents"`
	PurchaseCount int64  `json:"purchaseCount"`
}

// Revenue returns the revenue of the scope over r (the zero Range is
// DefaultRange). Totals and days come from one aggregate query: the totals
// are the sums of the days.
func (s *Service) Revenue(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, r Range) (*RevenueStats, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	return s.revenue(ctx, sc, r)
}

func (s *Service) revenue(ctx context.Context, sc Scope, r Range) (*RevenueStats, error) {
	if r.IsZero() {
		r = DefaultRange(s.now())
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.Admin().RevenueByDay(ctx, store.RevenueFilter{OrganizationID: sc.OrganizationID, Start: r.Start, End: r.End})
	if err != nil {
		return nil, err
	}
	days := r.days()
	out := &RevenueStats{
		OrganizationID: sc.OrganizationID,
		StartDate:      days[0].Format(dateLayout),
		EndDate:        days[len(days)-1].Format(dateLayout),
		RevenueByDay:   make([]DayRevenue, 0, len(days)),
	}
	i := 0
	for _, d := range days {
		dr := DayRevenue{Date: d.Format(dateLayout)}
		if i < len(rows) && rows[i].Day.Equal(d) {
			row := rows[i]
			i++
			dr.RevenueCents, dr.PurchaseCount = row.RevenueCents, row.Purchases
			out.TotalRevenueCents += row.RevenueCents
			out.TotalPurchases += row.Purchases
			out.PlatformFeeCents += row.PlatformFeeCents
			out.OrganizationFeeCents += row.OrganizationFeeCents
			out.CreatorPayoutCents += row.CreatorPayoutCents
		}
		out.RevenueByDay = append(out.RevenueByDay, dr)
	}
	if out.TotalPurchases > 0 {
		// Round half up; amounts are never negative.
		out.AverageOrderValueCents = (out.TotalRevenueCents + out.TotalPurchases/2) / out.TotalPurchases
	}
	return out, nil
}

// TopQuery narrows top content. Limit 0 is DefaultTopLimit; the zero Range
// is all time.
type TopQuery struct {
	Limit int
	Range Range
}

// TopContent returns the content with the most revenue in the scope.
func (s *Service) TopContent(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, q TopQuery) ([]store.TopContent, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	return s.topContent(ctx, sc, q)
}

func (s *Service) topContent(ctx context.Context, sc Scope, q TopQuery) ([]store.TopContent, error) {
	if q.Limit == 0 {
		q.Limit = DefaultTopLimit
	}
	if q.Limit < 1 || q.Limit > MaxTopLimit {
		return nil, fault.InvalidField("query.limit", "Must be between 1 and 100")
	}
	if !q.Range.IsZero() {
		if err := q.Range.check(); err != nil {
			return nil, err
		}
	}
	return s.db.Admin().TopContent(ctx, store.RevenueFilter{OrganizationID: sc.OrganizationID, Start: q.Range.Start, End: q.Range.End}, q.Limit)
}

// CustomerStats counts the scope's customers.
type CustomerStats struct {
	OrganizationID         *uuid.UUID `json:"organizationId"`
	TotalCustomers         int64      `json:"totalCustomers"`
	NewCustomersLast30Days int64      `json:"newCustomersLast30Days"`
}

// CustomerStats counts the customers with a completed purchase in the
// scope, and those whose first one was in the last 30 days.
func (s *Service) CustomerStats(ctx context.Context, a *actor.Actor, orgID *uuid.UUID) (*CustomerStats, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	return s.customerStats(ctx, sc)
}

func (s *Service) customerStats(ctx context.Context, sc Scope) (*CustomerStats, error) {
	st, err := s.db.Admin().CustomerStats(ctx, sc.OrganizationID, s.now().AddDate(0, 0, -NewCustomerDays))
	if err != nil {
		return nil, err
	}
	return &CustomerStats{OrganizationID: sc.OrganizationID, TotalCustomers: st.TotalCustomers, NewCustomersLast30Days: st.NewCustomers}, nil
}

// Dashboard is every figure of the dashboard at once.
type Dashboard struct {
	Revenue    *RevenueStats      `json:"revenue"`
	TopContent []store.TopContent `json:"topContent"`
	Customers  *CustomerStats     `json:"customers"`
}

// Dashboard returns revenue over r (the zero Range is DefaultRange), the
// top content over r and the customer counts. The three queries run
// concurrently, on separate connections for PostgreSQL, so the dashboard
// takes about as long as its slowest figure.
func (s *Service) Dashboard(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, r Range, topLimit int) (*Dashboard, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if r.IsZero() {
		r = DefaultRange(s.now())
	}
	var (
		d    Dashboard
		errs [3]error
		wg   sync.WaitGroup
	)
	wg.Go(func() { d.Revenue, errs[0] = s.revenue(ctx, sc, r) })
	wg.Go(func() { d.TopContent, errs[1] = s.topContent(ctx, sc, TopQuery{Limit: topLimit, Range: r}) })
	wg.Go(func() { d.Customers, errs[2] = s.customerStats(ctx, sc) })
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &d, nil
}
