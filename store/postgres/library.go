package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// libraryFrom is the library as a derived table: the user's latest completed
// purchase per content (p) joined with their unexpired grant (g, unique per
// content), reduced to one row per content whose latest acquisition decides
// the access type; a purchase wins a tie.
const libraryFrom = `(
	WITH p AS (
		SELECT DISTINCT ON (content_id) content_id, COALESCE(purchased_at, created_at) AS at, amount_paid_cents
		FROM purchases
		WHERE customer_id = $1 AND status = 'completed'
		ORDER BY content_id, COALESCE(purchased_at, created_at) DESC, id DESC
	), g AS (
		SELECT content_id, created_at AS at, access_type
		FROM content_access
		WHERE user_id = $1 AND access_type <> 'preview' AND (expires_at IS NULL OR expires_at > $2)
	)
	SELECT COALESCE(p.content_id, g.content_id) AS content_id,
	       GREATEST(p.at, g.at) AS acquired_at,
	       CASE WHEN g.at IS NULL OR (p.at IS NOT NULL AND p.at >= g.at) THEN 'purchased' ELSE g.access_type END AS access_type,
	       p.amount_paid_cents
	FROM p FULL OUTER JOIN g ON g.content_id = p.content_id
) lib
JOIN content c ON c.id = lib.content_id AND c.deleted_at IS NULL AND c.status IN ('published', 'archived')
LEFT JOIN media_items m ON m.id = c.media_item_id AND m.deleted_at IS NULL
LEFT JOIN video_playback vp ON vp.user_id = $1 AND vp.content_id = c.id`

var librarySorts = map[string]string{
	"recent":   "lib.acquired_at DESC",
	"title":    `c.title COLLATE "C" ASC`,
	"duration": "m.duration_seconds DESC NULLS LAST",
}

// Library filters, sorts and pages in SQL, so totals and pages describe the
// whole library (the reference filtered one fetched page: oddity 22).
func (r accessRepo) Library(ctx context.Context, userID string, f store.LibraryFilter, page store.Page) (store.List[store.LibraryItem], error) {
	page = page.Normalized()
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	a := args{userID, now}
	w := newWhere(&a)
	switch f.Progress {
	case "in-progress":
		w.and("vp.id IS NOT NULL AND NOT vp.completed")
	case "completed":
		w.and("vp.completed")
	}
	order, ok := librarySorts[f.SortBy]
	if !ok {
		order = librarySorts["recent"]
	}
	var total int
	if err := r.q.QueryRow(ctx, "SELECT count(*) FROM "+libraryFrom+" WHERE "+w.sql(), a...).Scan(&total); err != nil {
		return store.List[store.LibraryItem]{}, mapErr(err, "count library")
	}
	out := store.List[store.LibraryItem]{Items: []store.LibraryItem{}, Total: total}
	if total <= page.Offset() {
		return out, nil
	}
	q := "SELECT " + prefixed("c.", contentCols) + `, m.duration_seconds, lib.acquired_at, lib.access_type,
		lib.amount_paid_cents, vp.id, vp.position_seconds, vp.duration_seconds, vp.completed, vp.created_at, vp.updated_at
		FROM ` + libraryFrom + " WHERE " + w.sql() + " ORDER BY " + order + ", c.id ASC LIMIT " + a.add(page.Limit) +
		" OFFSET " + a.add(page.Offset())
	items, err := queryAll(ctx, r.q, "list library", scanLibraryItem(userID), q, a...)
	if err != nil {
		return store.List[store.LibraryItem]{}, err
	}
	out.Items = items
	return out, nil
}

func scanLibraryItem(userID string) func(scanner) (*store.LibraryItem, error) {
	return func(s scanner) (*store.LibraryItem, error) {
		var (
			it        store.LibraryItem
			c         = &it.Content
			vpID      *uuid.UUID
			vpPos     *int
			vpDur     *int
			vpDone    *bool
			vpCreated *time.Time
			vpUpdated *time.Time
		)
		err := s.Scan(&c.ID, &c.CreatorID, &c.OrganizationID, &c.MediaItemID, &c.Title, &c.Slug, &c.Description,
			&c.ContentType, &c.ThumbnailURL, &c.ContentBody, &c.Category, &c.Tags, &c.Visibility, &c.PriceCents,
			&c.Status, &c.PublishedAt, &c.ViewCount, &c.PurchaseCount, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt,
			&it.MediaDurationSeconds, &it.AcquiredAt, &it.AccessType, &it.AmountPaidCents,
			&vpID, &vpPos, &vpDur, &vpDone, &vpCreated, &vpUpdated)
		if err != nil {
			return nil, err
		}
		if c.Tags == nil {
			c.Tags = []string{}
		}
		if vpID != nil {
			it.Progress = &store.Playback{ID: *vpID, UserID: userID, ContentID: c.ID, PositionSeconds: *vpPos,
				DurationSeconds: *vpDur, Completed: *vpDone, CreatedAt: *vpCreated, UpdatedAt: *vpUpdated}
		}
		return &it, nil
	}
}
