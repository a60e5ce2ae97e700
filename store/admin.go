package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// ---- admin dashboard ----

// AdminRepo answers the admin dashboard's read questions. Every figure is
// an aggregate the database computes (no implementation loads purchase rows
// to sum them), so the answers stay fast at millions of purchases.
//
// Only completed purchases count: pending, failed and refunded ones are
// left out entirely, as in the reference. Sums are int64 so that no total
// wraps at 32 bits.
type AdminRepo interface {
	// RevenueByDay returns, for the counted purchases in f, one row per
	// UTC day that has any, ascending by day. Totals over a range are the
	// sums of its days, so one pass over the purchases yields both.
	RevenueByDay(ctx context.Context, f RevenueFilter) ([]RevenueDay, error)
	// TopContent returns the limit content items with the most revenue from
	// counted purchases in f: revenue desc, then purchase count desc, then
	// content id asc. Soft-deleted content is included and flagged: its
	// sales happened and are part of the totals.
	TopContent(ctx context.Context, f RevenueFilter, limit int) ([]TopContent, error)
	// CustomerStats counts the distinct customers with a counted purchase
	// in scope (all time) and those whose first counted purchase in scope
	// is at or after since. Purchases without purchased_at never make a
	// customer new.
	CustomerStats(ctx context.Context, orgID *uuid.UUID, since time.Time) (CustomerStats, error)
	// ListCustomers returns one page of the customers with a counted
	// purchase in scope, by total spent desc then user id asc.
	ListCustomers(ctx context.Context, f CustomerFilter, page Page) (List[CustomerSummary], error)
	// Customer returns one customer's figures in scope; ErrNotFound when
	// the user has no counted purchase there (or does not exist).
	Customer(ctx context.Context, orgID *uuid.UUID, customerID string) (*CustomerSummary, error)
	// ListContent returns one page of live content with its creator, newest
	// first (created_at desc, then id asc).
	ListContent(ctx context.Context, f AdminContentFilter, page Page) (List[AdminContent], error)
}

// RevenueFilter scopes the revenue queries. A nil OrganizationID means
// every organization. Start is inclusive and End exclusive; a zero bound
// is open, and with either bound set, purchases without purchased_at drop
// out.
type RevenueFilter struct {
	OrganizationID *uuid.UUID
	Start, End     time.Time
}

// RevenueDay is the counted purchases of one UTC day.
type RevenueDay struct {
	Day                  time.Time `json:"day"` // 00:00 UTC
	Purchases            int64     `json:"purchases"`
	RevenueCents         int64     `json:"revenueCents"`
	PlatformFeeCents     int64     `json:"platformFeeCents"`
	OrganizationFeeCents int64     `json:"organizationFeeCents"`
	CreatorPayoutCents   int64     `json:"creatorPayoutCents"`
}

// TopContent is one content item's sales.
type TopContent struct {
	ContentID     uuid.UUID `json:"contentId"`
	ContentTitle  string    `json:"contentTitle"`
	RevenueCents  int64     `json:"revenueCents"`
	PurchaseCount int64     `json:"purchaseCount"`
	// ContentDeleted marks soft-deleted content.
	ContentDeleted bool `json:"contentDeleted"`
}

// CustomerStats counts customers.
type CustomerStats struct {
	TotalCustomers int64 `json:"totalCustomers"`
	NewCustomers   int64 `json:"newCustomers"`
}

// CustomerFilter narrows a customer list. Search is a case-insensitive
// literal substring of the email or the name.
type CustomerFilter struct {
	OrganizationID *uuid.UUID
	Search         string
}

// CustomerSummary is a customer with their counted purchases in scope.
type CustomerSummary struct {
	UserID          string    `json:"userId"`
	Email           string    `json:"email"`
	Name            string    `json:"name"`
	CreatedAt       time.Time `json:"createdAt"` // the account's
	TotalPurchases  int64     `json:"totalPurchases"`
	TotalSpentCents int64     `json:"totalSpentCents"`
}

// AdminContentFilter narrows the cross-creator content list. Zero fields do
// not filter; a nil OrganizationID lists every organization's content and
// personal content too. Search is a case-insensitive literal substring of
// the title or the description.
type AdminContentFilter struct {
	OrganizationID *uuid.UUID
	Status         ContentStatus
	ContentType    ContentType
	Search         string
}

// ContentCreator is the creator of a content item as admins see it.
type ContentCreator struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// AdminContent is a content item with its creator.
type AdminContent struct {
	Content
	Creator ContentCreator `json:"creator"`
}
