package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// Library lists the content the user holds, one item per content, with the
// filter and sort applied to the whole library before the page is cut.
func (r accessRepo) Library(ctx context.Context, userID string, f store.LibraryFilter, page store.Page) (out store.List[store.LibraryItem], err error) {
	err = r.d.read(ctx, func(st *state) error {
		byContent := map[uuid.UUID]*store.LibraryItem{}
		// latestPurchase remembers which purchase set AmountPaidCents so a
		// later one (ties by id, as ORDER BY … id DESC) replaces it.
		latestPurchase := map[uuid.UUID]*store.Purchase{}
		for _, p := range st.purchases {
			if p.CustomerID != userID || p.Status != store.PurchaseCompleted {
				continue
			}
			at := p.CreatedAt
			if p.PurchasedAt != nil {
				at = *p.PurchasedAt
			}
			if prev, ok := latestPurchase[p.ContentID]; ok {
				prevAt := prev.CreatedAt
				if prev.PurchasedAt != nil {
					prevAt = *prev.PurchasedAt
				}
				if c := at.Compare(prevAt); c < 0 || c == 0 && compareIDs(p.ID, prev.ID) < 0 {
					continue
				}
			}
			latestPurchase[p.ContentID] = p
			amount := p.AmountPaidCents
			byContent[p.ContentID] = &store.LibraryItem{AcquiredAt: at, AccessType: store.AccessPurchased, AmountPaidCents: &amount}
		}
		for _, a := range st.access {
			if a.UserID != userID || a.AccessType == store.AccessPreview || (a.ExpiresAt != nil && !a.ExpiresAt.After(f.Now)) {
				continue
			}
			it, ok := byContent[a.ContentID]
			switch {
			case !ok:
				byContent[a.ContentID] = &store.LibraryItem{AcquiredAt: a.CreatedAt, AccessType: a.AccessType}
			case a.CreatedAt.After(it.AcquiredAt):
				// A purchase acquired at the same instant keeps its type.
				it.AcquiredAt, it.AccessType = a.CreatedAt, a.AccessType
			}
		}
		rows := make([]*store.LibraryItem, 0, len(byContent))
		for id, it := range byContent {
			c, ok := st.liveContent(id)
			if !ok || c.Status == store.ContentDraft {
				continue
			}
			it.Content = *c
			if c.MediaItemID != nil {
				if m, ok := st.liveMedia(*c.MediaItemID); ok && m.DurationSeconds != nil {
					d := *m.DurationSeconds
					it.MediaDurationSeconds = &d
				}
			}
			if p, ok := st.findPlayback(userID, id); ok {
				it.Progress = p
			}
			switch f.Progress {
			case "in-progress":
				if it.Progress == nil || it.Progress.Completed {
					continue
				}
			case "completed":
				if it.Progress == nil || !it.Progress.Completed {
					continue
				}
			}
			rows = append(rows, it)
		}
		slices.SortFunc(rows, func(a, b *store.LibraryItem) int {
			var c int
			switch f.SortBy {
			case "title":
				c = strings.Compare(a.Content.Title, b.Content.Title)
			case "duration":
				an, bn := a.MediaDurationSeconds == nil, b.MediaDurationSeconds == nil
				switch {
				case an && !bn:
					c = 1
				case !an && bn:
					c = -1
				case !an && !bn:
					c = -cmp.Compare(*a.MediaDurationSeconds, *b.MediaDurationSeconds)
				}
			default:
				c = -a.AcquiredAt.Compare(b.AcquiredAt)
			}
			return cmp.Or(c, compareIDs(a.Content.ID, b.Content.ID))
		})
		page = page.Normalized()
		out = store.List[store.LibraryItem]{Items: []store.LibraryItem{}, Total: len(rows)}
		start := page.Offset()
		if start >= len(rows) {
			return nil
		}
		for _, it := range rows[start:min(start+page.Limit, len(rows))] {
			c := *it
			c.Content = *clone(&it.Content)
			c.Progress = clone(it.Progress)
			out.Items = append(out.Items, c)
		}
		return nil
	})
	return out, err
}
