package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

func scanPurchaseWithContent(s scanner) (*store.PurchaseWithContent, error) {
	var p store.PurchaseWithContent
	err := s.Scan(&p.ID, &p.CustomerID, &p.ContentID, &p.OrganizationID, &p.AmountPaidCents, &p.Currency,
		&p.PlatformFeeCents, &p.OrganizationFeeCents, &p.CreatorPayoutCents, &p.PlatformAgreementID,
		&p.CreatorOrgAgreementID, &p.StripePaymentIntentID, &p.Status, &p.PurchasedAt, &p.RefundedAt,
		&p.RefundReason, &p.RefundAmountCents, &p.StripeRefundID, &p.CreatedAt, &p.UpdatedAt,
		&p.Content.ID, &p.Content.Title, &p.Content.Slug, &p.Content.ThumbnailURL, &p.Content.ContentType)
	return &p, err
}

func (r purchaseRepo) ListWithContent(ctx context.Context, f store.PurchaseFilter, page store.Page) (store.List[store.PurchaseWithContent], error) {
	var a args
	w := newWhere(&a)
	if f.CustomerID != "" {
		w.and("p.customer_id = ?", f.CustomerID)
	}
	if f.OrganizationID != nil {
		w.and("p.organization_id = ?", *f.OrganizationID)
	}
	if f.ContentID != nil {
		w.and("p.content_id = ?", *f.ContentID)
	}
	if f.Status != "" {
		w.and("p.status = ?", f.Status)
	}
	// Soft-deleted content still joins: a buyer's history keeps what they paid for.
	cols := qualify("p.", purchaseCols) + ", c.id, c.title, c.slug, c.thumbnail_url, c.content_type"
	return list(ctx, r.q, "list purchases with content", cols,
		"purchases p JOIN content c ON c.id = p.content_id", w,
		"p.purchased_at DESC NULLS LAST, p.id ASC", page, scanPurchaseWithContent)
}

func (r contentRepo) GetIncludingDeleted(ctx context.Context, id uuid.UUID) (*store.Content, error) {
	return queryOne(ctx, r.q, "get content including deleted", scanContent,
		"SELECT "+contentCols+" FROM content WHERE id = $1", id)
}

func (r accessRepo) DeleteIfType(ctx context.Context, userID string, contentID uuid.UUID, t store.AccessType) (bool, error) {
	tag, err := r.q.Exec(ctx,
		"DELETE FROM content_access WHERE user_id = $1 AND content_id = $2 AND access_type = $3", userID, contentID, t)
	if err != nil {
		return false, mapErr(err, "delete access of type")
	}
	return tag.RowsAffected() > 0, nil
}

// qualify prefixes each column of a comma-separated list, whatever
// whitespace the list is written with.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
