package memory

import (
	"context"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

func (r purchaseRepo) ListWithContent(ctx context.Context, f store.PurchaseFilter, page store.Page) (out store.List[store.PurchaseWithContent], err error) {
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
		pg := paginate(rows, page)
		out = store.List[store.PurchaseWithContent]{Items: make([]store.PurchaseWithContent, 0, len(pg.Items)), Total: pg.Total}
		for _, p := range pg.Items {
			item := store.PurchaseWithContent{Purchase: *clone(&p)}
			// The foreign key is ON DELETE RESTRICT and soft deletes keep
			// the row, so the content is always there.
			if c, ok := st.content[p.ContentID]; ok {
				item.Content = store.PurchaseContent{
					ID: c.ID, Title: c.Title, Slug: c.Slug, ThumbnailURL: clone(c.ThumbnailURL), ContentType: c.ContentType,
				}
			}
			out.Items = append(out.Items, item)
		}
		return nil
	})
	return out, err
}

func (r contentRepo) GetIncludingDeleted(ctx context.Context, id uuid.UUID) (c *store.Content, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.content[id]
		c, err = orNil(ok, rec)
		return err
	})
	return c, err
}

func (r accessRepo) DeleteIfType(ctx context.Context, userID string, contentID uuid.UUID, t store.AccessType) (deleted bool, err error) {
	err = r.d.write(ctx, func(st *state) error {
		rec, ok := st.findAccess(userID, contentID)
		if !ok || rec.AccessType != t {
			return nil
		}
		delete(st.access, rec.ID)
		deleted = true
		return nil
	})
	return deleted, err
}
