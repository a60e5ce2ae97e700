package storetest

import (
	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

var purchaseHistoryCases = []testCase{
	{"ListWithContentJoinsAndFilters", func(f *fx) {
		w := f.world()
		c1 := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.ThumbnailURL = ptr("https://img.example/t.jpg") })
		c2 := f.content(w.creator.ID, &w.org.ID)
		other := f.user()
		p1 := f.purchase(w.customer.ID, c1.ID, w.org.ID)
		tick()
		p2 := f.purchase(w.customer.ID, c2.ID, w.org.ID, func(p *store.Purchase) { p.Status = store.PurchaseRefunded })
		f.purchase(other.ID, c1.ID, w.org.ID)

		got, err := f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(got.Total, 2)
		f.is.Equal(len(got.Items), 2)
		f.is.Equal(got.Items[0].ID, p2.ID) // newest purchase first
		f.is.Equal(got.Items[1].Purchase, *p1)
		f.is.Equal(got.Items[1].Content, store.PurchaseContent{
			ID: c1.ID, Title: c1.Title, Slug: c1.Slug, ThumbnailURL: c1.ThumbnailURL, ContentType: c1.ContentType,
		})

		got, err = f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID, Status: store.PurchaseCompleted}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(ids(got.Items, func(p store.PurchaseWithContent) string { return p.ID.String() }), []string{p1.ID.String()})
		got, err = f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID, ContentID: &c2.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(ids(got.Items, func(p store.PurchaseWithContent) string { return p.ID.String() }), []string{p2.ID.String()})

		// pages apply; the total counts every match
		got, err = f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{Page: 2, Limit: 1})
		f.is.NoErr(err)
		f.is.Equal(got.Total, 2)
		f.is.Equal(len(got.Items), 1)
		f.is.Equal(got.Items[0].ID, p1.ID)
		got, err = f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{Page: 3, Limit: 1})
		f.is.NoErr(err)
		f.is.Equal(got.Total, 2)
		f.is.Equal(len(got.Items), 0)

		// soft-deleted content still joins
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, c1.ID))
		got, err = f.s.Purchases().ListWithContent(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID, ContentID: &c1.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(len(got.Items), 1)
		f.is.Equal(got.Items[0].Content.Title, c1.Title)
	}},
	{"ContentIncludingDeleted", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, c.ID))
		_, err := f.s.Content().Get(f.ctx, c.ID)
		f.notFound(err)
		got, err := f.s.Content().GetIncludingDeleted(f.ctx, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got.ID, c.ID)
		f.is.True(got.DeletedAt != nil)
		_, err = f.s.Content().GetIncludingDeleted(f.ctx, uuid.New())
		f.notFound(err)
	}},
	{"DeleteAccessIfType", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		a := &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessComplimentary}
		f.is.NoErr(f.s.Access().Upsert(f.ctx, a))

		ok, err := f.s.Access().DeleteIfType(f.ctx, w.customer.ID, c.ID, store.AccessPurchased)
		f.is.NoErr(err)
		f.is.True(!ok) // a grant of another type stays
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.is.NoErr(err)

		a.AccessType = store.AccessPurchased
		f.is.NoErr(f.s.Access().Upsert(f.ctx, a))
		ok, err = f.s.Access().DeleteIfType(f.ctx, w.customer.ID, c.ID, store.AccessPurchased)
		f.is.NoErr(err)
		f.is.True(ok)
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.notFound(err)

		ok, err = f.s.Access().DeleteIfType(f.ctx, w.customer.ID, c.ID, store.AccessPurchased)
		f.is.NoErr(err)
		f.is.True(!ok)

		// inside a transaction too (PostgreSQL runs it under a savepoint)
		f.is.NoErr(f.s.Access().Upsert(f.ctx, a))
		f.is.NoErr(f.s.RunInTx(f.ctx, func(tx store.Repos) error {
			ok, err := tx.Access().DeleteIfType(f.ctx, w.customer.ID, c.ID, store.AccessPurchased)
			f.is.True(ok)
			return err
		}))
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.notFound(err)
	}},
}
