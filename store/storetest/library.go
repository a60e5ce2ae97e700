package storetest

import (
	"time"

	"github.com/codexforgo/codex/store"
)

func libraryIDs(l store.List[store.LibraryItem]) []string {
	return ids(l.Items, func(it store.LibraryItem) string { return it.Content.ID.String() })
}

func published(c *store.Content) { c.Status = store.ContentPublished }

var libraryCases = []testCase{
	{"SourcesDedupAndVisibility", func(f *fx) {
		w := f.world()
		other := f.user()
		bought := f.content(w.creator.ID, &w.org.ID, published, func(c *store.Content) { c.Title = "bought" })
		twice := f.content(w.creator.ID, &w.org.ID, published, func(c *store.Content) { c.Title = "twice" })
		gift := f.content(w.creator.ID, &w.org.ID, published, func(c *store.Content) { c.Title = "gift" })
		expired := f.content(w.creator.ID, &w.org.ID, published)
		preview := f.content(w.creator.ID, &w.org.ID, published)
		draft := f.content(w.creator.ID, &w.org.ID)
		deleted := f.content(w.creator.ID, &w.org.ID, published)
		pending := f.content(w.creator.ID, &w.org.ID, published)
		othersOnly := f.content(w.creator.ID, &w.org.ID, published)

		t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		f.purchase(w.customer.ID, bought.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(t0) })
		f.purchase(w.customer.ID, twice.ID, w.org.ID, func(p *store.Purchase) {
			p.PurchasedAt = ptr(t0.Add(time.Minute))
			p.AmountPaidCents, p.CreatorPayoutCents = 1000, 700
		})
		f.purchase(w.customer.ID, twice.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(t0.Add(2 * time.Minute)) })
		// the grant a purchase writes must not duplicate the item
		f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: twice.ID, OrganizationID: w.org.ID, AccessType: store.AccessPurchased}))
		f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: gift.ID, OrganizationID: w.org.ID, AccessType: store.AccessComplimentary}))
		past := time.Now().Add(-time.Minute)
		f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: expired.ID, OrganizationID: w.org.ID, AccessType: store.AccessComplimentary, ExpiresAt: &past}))
		f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: preview.ID, OrganizationID: w.org.ID, AccessType: store.AccessPreview}))
		f.purchase(w.customer.ID, draft.ID, w.org.ID)
		f.purchase(w.customer.ID, deleted.ID, w.org.ID)
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, deleted.ID))
		f.purchase(w.customer.ID, pending.ID, w.org.ID, func(p *store.Purchase) { p.Status = store.PurchasePending })
		f.purchase(other.ID, othersOnly.ID, w.org.ID)

		l, err := f.s.Access().Library(f.ctx, w.customer.ID, store.LibraryFilter{Now: time.Now()}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 3)
		f.is.Equal(libraryIDs(l), uuidStrings(gift.ID, twice.ID, bought.ID)) // latest acquisition first
		f.is.Equal(l.Items[0].AccessType, store.AccessComplimentary)
		f.is.Equal(l.Items[0].AmountPaidCents, nil)
		f.is.Equal(*l.Items[1].AmountPaidCents, 2999) // the latest purchase's amount
		f.is.Equal(l.Items[2].AccessType, store.AccessPurchased)
		f.is.True(l.Items[2].AcquiredAt.Equal(t0))
		f.is.Equal(l.Items[2].Content.Title, "bought")
		f.is.Equal(l.Items[2].Content.Tags, []string{})

		l, err = f.s.Access().Library(f.ctx, other.ID, store.LibraryFilter{Now: time.Now()}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(libraryIDs(l), uuidStrings(othersOnly.ID))
		l, err = f.s.Access().Library(f.ctx, "nobody", store.LibraryFilter{Now: time.Now()}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		f.is.Equal(len(l.Items), 0)
	}},
	{"FilterSortPaginateWholeLibrary", func(f *fx) {
		w := f.world()
		dur := func(d int) func(*store.MediaItem) {
			return func(m *store.MediaItem) {
				m.Status, m.DurationSeconds = store.MediaReady, ptr(d)
				m.HLSMasterPlaylistKey, m.ThumbnailKey = ptr("k/master.m3u8"), ptr("k/t.jpg")
			}
		}
		mk := func(title string, media *store.MediaItem) *store.Content {
			return f.content(w.creator.ID, &w.org.ID, published, func(c *store.Content) {
				c.Title = title
				if media != nil {
					c.ContentType, c.MediaItemID, c.ContentBody = store.ContentVideo, &media.ID, nil
				}
			})
		}
		short := mk("b-short", f.media(w.creator.ID, dur(60)))
		long := mk("c-long", f.media(w.creator.ID, dur(600)))
		written := mk("a-written", nil)
		mid := mk("d-mid", f.media(w.creator.ID, dur(300)))
		base := time.Now().Add(-time.Hour).UTC()
		for i, c := range []*store.Content{short, long, written, mid} {
			f.purchase(w.customer.ID, c.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(base.Add(time.Duration(i) * time.Minute)) })
		}
		_, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: short.ID, PositionSeconds: 60, DurationSeconds: 60, Completed: true})
		f.is.NoErr(err)
		_, err = f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: long.ID, PositionSeconds: 10, DurationSeconds: 600})
		f.is.NoErr(err)
		_, err = f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.creator.ID, ContentID: mid.ID, PositionSeconds: 10, DurationSeconds: 300})
		f.is.NoErr(err)

		lib := func(filter store.LibraryFilter, page store.Page) store.List[store.LibraryItem] {
			f.Helper()
			filter.Now = time.Now()
			l, err := f.s.Access().Library(f.ctx, w.customer.ID, filter, page)
			f.is.NoErr(err)
			return l
		}
		l := lib(store.LibraryFilter{}, store.Page{Page: 1, Limit: 3})
		f.is.Equal(l.Total, 4)
		f.is.Equal(libraryIDs(l), uuidStrings(mid.ID, written.ID, long.ID))
		l = lib(store.LibraryFilter{}, store.Page{Page: 2, Limit: 3})
		f.is.Equal(l.Total, 4)
		f.is.Equal(libraryIDs(l), uuidStrings(short.ID))
		l = lib(store.LibraryFilter{}, store.Page{Page: 3, Limit: 3})
		f.is.Equal(l.Total, 4)
		f.is.Equal(len(l.Items), 0)

		l = lib(store.LibraryFilter{SortBy: "title"}, store.Page{Limit: 2})
		f.is.Equal(libraryIDs(l), uuidStrings(written.ID, short.ID))
		l = lib(store.LibraryFilter{SortBy: "duration"}, store.Page{})
		f.is.Equal(libraryIDs(l), uuidStrings(long.ID, mid.ID, short.ID, written.ID)) // unknown duration last
		f.is.Equal(*l.Items[0].MediaDurationSeconds, 600)
		f.is.Equal(l.Items[3].MediaDurationSeconds, nil)

		l = lib(store.LibraryFilter{Progress: "in-progress"}, store.Page{})
		f.is.Equal(l.Total, 1)
		f.is.Equal(libraryIDs(l), uuidStrings(long.ID))
		f.is.Equal(l.Items[0].Progress.PositionSeconds, 10)
		f.is.Equal(l.Items[0].Progress.UserID, w.customer.ID)
		l = lib(store.LibraryFilter{Progress: "completed"}, store.Page{})
		f.is.Equal(libraryIDs(l), uuidStrings(short.ID))
		f.is.True(l.Items[0].Progress.Completed)
		l = lib(store.LibraryFilter{Progress: "all", SortBy: "title"}, store.Page{})
		f.is.Equal(l.Total, 4)
		f.is.Equal(l.Items[3].Progress, nil) // someone else's progress is not ours
		f.is.Equal(l.Items[3].Content.ID, mid.ID)
	}},
}
