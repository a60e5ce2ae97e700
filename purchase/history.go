package purchase

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// CodePurchaseNotFound is the code of a purchase the actor cannot see.
const CodePurchaseNotFound = "PURCHASE_NOT_FOUND"

// ListFilter narrows a buyer's purchase history.
type ListFilter struct {
	Status    store.PurchaseStatus // empty = any
	ContentID *uuid.UUID
}

// List returns one page of the actor's own purchases, newest first, each
// with a summary of its content.
func (s *Service) List(ctx context.Context, a *actor.Actor, f ListFilter, page store.Page) (store.List[store.PurchaseWithContent], error) {
	if err := actor.RequireAuth(a); err != nil {
		return store.List[store.PurchaseWithContent]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return store.List[store.PurchaseWithContent]{}, fault.InvalidField("query.status", "Must be one of pending, completed, refunded, failed")
	}
	return s.db.Purchases().ListWithContent(ctx, store.PurchaseFilter{
		CustomerID: a.UserID, Status: f.Status, ContentID: f.ContentID,
	}, page.Normalized())
}

// Get returns one of the actor's own purchases. Another user's purchase is
// reported exactly like a missing one, so ids cannot be probed (the
// reference answered 403, its Oddity 17).
func (s *Service) Get(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Purchase, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	p, err := s.db.Purchases().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.CustomerID != a.UserID) {
		return nil, errPurchaseNotFound(id)
	}
	return p, err
}

func errPurchaseNotFound(id uuid.UUID) *fault.Error {
	return fault.New(fault.NotFound, CodePurchaseNotFound, "Purchase not found").
		WithDetails(map[string]any{"purchaseId": id, "code": CodePurchaseNotFound})
}

// HasPurchased reports whether the user holds a completed (not refunded)
// purchase of the content: the question access decisions ask.
func (s *Service) HasPurchased(ctx context.Context, userID string, contentID uuid.UUID) (bool, error) {
	if userID == "" {
		return false, nil
	}
	return s.db.Purchases().HasCompleted(ctx, userID, contentID)
}
