package admin

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Input bounds.
const (
	MaxSearch = 255
	MaxReason = 500
)

func checkSearch(search string) error {
	if utf8.RuneCountInString(search) > MaxSearch {
		return fault.InvalidField("query.search", "Must be 255 characters or less")
	}
	return nil
}

// Customers lists the scope's customers (users with a completed purchase
// in it) by total spent; search matches email or name as a literal,
// case-insensitive substring.
func (s *Service) Customers(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, search string, page store.Page) (store.List[store.CustomerSummary], error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return store.List[store.CustomerSummary]{}, err
	}
	if err := checkSearch(search); err != nil {
		return store.List[store.CustomerSummary]{}, err
	}
	return s.db.Admin().ListCustomers(ctx, store.CustomerFilter{OrganizationID: sc.OrganizationID, Search: search}, page)
}

// CustomerDetails is a customer's figures and one page of their completed
// purchases in the scope, newest first.
type CustomerDetails struct {
	store.CustomerSummary
	PurchaseHistory []HistoryItem `json:"purchaseHistory"`
	// PurchaseHistoryTotal counts every purchase in the history, all pages.
	PurchaseHistoryTotal int `json:"purchaseHistoryTotal"`
}

// HistoryItem is one purchase of a customer.
type HistoryItem struct {
	PurchaseID      uuid.UUID  `json:"purchaseId"`
	ContentID       uuid.UUID  `json:"contentId"`
	ContentTitle    string     `json:"contentTitle"`
	OrganizationID  uuid.UUID  `json:"organizationId"`
	AmountPaidCents int        `json:"amountPaidCents"`
	PurchasedAt     *time.Time `json:"purchasedAt"`
}

// Customer returns one customer of the scope. Users who exist but bought
// nothing in the scope are as unknown as users who do not exist.
func (s *Service) Customer(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, customerID string, page store.Page) (*CustomerDetails, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	sum, err := s.db.Admin().Customer(ctx, sc.OrganizationID, customerID)
	if errors.Is(err, store.ErrNotFound) {
		if _, uerr := s.db.Users().Get(ctx, customerID); errors.Is(uerr, store.ErrNotFound) {
			return nil, errCustomerNotFound
		}
		return nil, errNoPurchases
	}
	if err != nil {
		return nil, err
	}
	// The history shows exactly what the figures count (completed
	// purchases, undated ones included, reference oddity 27).
	hist, err := s.db.Purchases().ListWithContent(ctx, store.PurchaseFilter{
		CustomerID: customerID, OrganizationID: sc.OrganizationID, Status: store.PurchaseCompleted,
	}, page)
	if err != nil {
		return nil, err
	}
	out := &CustomerDetails{CustomerSummary: *sum, PurchaseHistory: make([]HistoryItem, 0, len(hist.Items)), PurchaseHistoryTotal: hist.Total}
	for _, p := range hist.Items {
		out.PurchaseHistory = append(out.PurchaseHistory, HistoryItem{
			PurchaseID: p.ID, ContentID: p.ContentID, ContentTitle: p.Content.Title, OrganizationID: p.OrganizationID,
			AmountPaidCents: p.AmountPaidCents, PurchasedAt: p.PurchasedAt,
		})
	}
	return out, nil
}

// Grant is a complimentary access grant request.
type Grant struct {
	// Reason says why, for the record (up to 500 characters).
	Reason string
	// ExpiresAt ends the grant; nil is permanent. It must be in the future.
	ExpiresAt *time.Time
}

// GrantAccess gives the customer complimentary access to live content of
// the scope, recorded with who granted it and why. The customer must have
// a purchase (of any status) in the content's organization or an active
// membership of it.
//
// Unlike the reference (oddity 28), an existing grant is not blindly taken
// as success: an unexpired purchased or subscription grant is returned
// unchanged (the customer already has access, and a refund must still be
// able to revoke what the purchase gave), while an expired grant or an
// earlier complimentary one is replaced by this one.
func (s *Service) GrantAccess(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, customerID string, contentID uuid.UUID, g Grant) (*store.ContentAccess, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	var fields []fault.Field
	reason := strings.TrimSpace(g.Reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		fields = append(fields, fault.Field{Path: "body.reason", Message: "Must be 500 characters or less"})
	}
	now := s.now()
	if g.ExpiresAt != nil && !g.ExpiresAt.After(now) {
		fields = append(fields, fault.Field{Path: "body.expiresAt", Message: "Must be in the future"})
	}
	if len(fields) > 0 {
		return nil, fault.InvalidFields(fields...)
	}
	var out *store.ContentAccess
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		if _, err := tx.Users().Get(ctx, customerID); errors.Is(err, store.ErrNotFound) {
			return errCustomerNotFound
		} else if err != nil {
			return err
		}
		c, err := tx.Content().Get(ctx, contentID)
		if errors.Is(err, store.ErrNotFound) {
			return errContentNotFound
		}
		if err != nil {
			return err
		}
		if c.OrganizationID == nil || (sc.OrganizationID != nil && *c.OrganizationID != *sc.OrganizationID) {
			return errContentNotFound
		}
		org := *c.OrganizationID
		related, err := related(ctx, tx, customerID, org)
		if err != nil {
			return err
		}
		if !related {
			return errNoRelationship
		}
		cur, err := tx.Access().Get(ctx, customerID, contentID)
		switch {
		case err == nil && (cur.AccessType == store.AccessPurchased || cur.AccessType == store.AccessSubscription) &&
			(cur.ExpiresAt == nil || cur.ExpiresAt.After(now)):
			out = cur
			return nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		grant := &store.ContentAccess{
			UserID: customerID, ContentID: contentID, OrganizationID: org,
			AccessType: store.AccessComplimentary, ExpiresAt: g.ExpiresAt, GrantedBy: &a.UserID,
		}
		if reason != "" {
			grant.Reason = &reason
		}
		if err := tx.Access().Upsert(ctx, grant); err != nil {
			return err
		}
		out = grant
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Log.InfoContext(ctx, "complimentary access granted", "grantedBy", a.UserID, "customerId", customerID,
		"contentId", contentID, "accessType", out.AccessType)
	return out, nil
}

// related reports whether the user has any purchase in the organization
// (a refunded customer is who most often gets a goodwill grant) or an
// active membership of it.
func related(ctx context.Context, tx store.Repos, userID string, org uuid.UUID) (bool, error) {
	ps, err := tx.Purchases().List(ctx, store.PurchaseFilter{CustomerID: userID, OrganizationID: &org}, store.Page{Limit: 1})
	if err != nil {
		return false, err
	}
	if ps.Total > 0 {
		return true, nil
	}
	m, err := tx.Memberships().Get(ctx, org, userID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.Status == store.MembershipActive, nil
}

// RevokeAccess deletes the customer's complimentary grant to content of the
// scope (soft-deleted content included); streaming stops with it. Grants of
// other types are not the admin's to revoke: a purchase is undone by a
// refund. No complimentary grant is a 404.
func (s *Service) RevokeAccess(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, customerID string, contentID uuid.UUID) error {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return err
	}
	c, err := s.db.Content().GetIncludingDeleted(ctx, contentID)
	if errors.Is(err, store.ErrNotFound) {
		return errContentNotFound
	}
	if err != nil {
		return err
	}
	if c.OrganizationID == nil || (sc.OrganizationID != nil && *c.OrganizationID != *sc.OrganizationID) {
		return errContentNotFound
	}
	ok, err := s.db.Access().DeleteIfType(ctx, customerID, contentID, store.AccessComplimentary)
	if err != nil {
		return err
	}
	if !ok {
		return errGrantNotFound
	}
	s.cfg.Log.InfoContext(ctx, "complimentary access revoked", "revokedBy", a.UserID, "customerId", customerID, "contentId", contentID)
	return nil
}
