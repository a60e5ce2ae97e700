package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// ---- media ----

type mediaRepo repos

func checkMedia(m *store.MediaItem) error {
	switch {
	case !m.MediaType.Valid():
		return checkErr("check_media_type")
	case !m.Status.Valid():
		return checkErr("check_media_status")
	case m.TranscodingAttempts < 0 || m.TranscodingAttempts > store.MaxTranscodingAttempts:
		return checkErr("check_max_transcoding_attempts")
	case m.TranscodingPriority < 0 || m.TranscodingPriority > 4:
		return checkErr("check_transcoding_priority")
	}
	if m.MezzanineStatus != nil {
		switch *m.MezzanineStatus {
		case "pending", "processing", "ready", "failed":
		default:
			return checkErr("check_mezzanine_status")
		}
	}
	if m.Status == store.MediaReady {
		ok := m.HLSMasterPlaylistKey != nil && m.DurationSeconds != nil &&
			((m.MediaType == store.MediaVideo && m.ThumbnailKey != nil) ||
				(m.MediaType == store.MediaAudio && m.WaveformKey != nil))
		if !ok {
			return checkErr(store.ConstraintMediaReady)
		}
	}
	return nil
}

func (r mediaRepo) Create(ctx context.Context, m *store.MediaItem) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(m)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if err := checkMedia(rec); err != nil {
			return err
		}
		if _, ok := st.media[rec.ID]; ok {
			return uniqueErr("media_items_pkey")
		}
		if !st.userExists(rec.CreatorID) {
			return fkErr("media_items", "creator_id")
		}
		st.media[rec.ID] = rec
		*m = *clone(rec)
		return nil
	})
}

func (st *state) liveMedia(id uuid.UUID) (*store.MediaItem, bool) {
	m, ok := st.media[id]
	if !ok || m.DeletedAt != nil {
		return nil, false
	}
	return m, true
}

func (r mediaRepo) Get(ctx context.Context, id uuid.UUID) (m *store.MediaItem, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.liveMedia(id)
		m, err = orNil(ok, rec)
		return err
	})
	return m, err
}

func (r mediaRepo) GetIncludingDeleted(ctx context.Context, id uuid.UUID) (m *store.MediaItem, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.media[id]
		m, err = orNil(ok, rec)
		return err
	})
	return m, err
}

func (r mediaRepo) Update(ctx context.Context, id uuid.UUID, p store.MediaPatch) (m *store.MediaItem, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.liveMedia(id)
		if !ok {
			return store.ErrNotFound
		}
		if len(p.IfStatus) > 0 && !slices.Contains(p.IfStatus, old.Status) {
			return store.ErrPrecondition
		}
		n := *old
		set(&n.Title, p.Title)
		set(&n.Description, p.Description)
		set(&n.Status, p.Status)
		set(&n.R2Key, p.R2Key)
		set(&n.FileSizeBytes, p.FileSizeBytes)
		set(&n.MimeType, p.MimeType)
		set(&n.DurationSeconds, p.DurationSeconds)
		set(&n.Width, p.Width)
		set(&n.Height, p.Height)
		set(&n.HLSMasterPlaylistKey, p.HLSMasterPlaylistKey)
		set(&n.HLSPreviewKey, p.HLSPreviewKey)
		set(&n.ThumbnailKey, p.ThumbnailKey)
		set(&n.WaveformKey, p.WaveformKey)
		set(&n.WaveformImageKey, p.WaveformImageKey)
		set(&n.RunpodJobID, p.RunpodJobID)
		set(&n.TranscodingError, p.TranscodingError)
		set(&n.TranscodingAttempts, p.TranscodingAttempts)
		set(&n.TranscodingPriority, p.TranscodingPriority)
		set(&n.ReadyVariants, p.ReadyVariants)
		set(&n.LoudnessIntegrated, p.LoudnessIntegrated)
		set(&n.LoudnessPeak, p.LoudnessPeak)
		set(&n.LoudnessRange, p.LoudnessRange)
		set(&n.UploadedAt, p.UploadedAt)
		n.UpdatedAt = r.d.now()
		if err := checkMedia(&n); err != nil {
			return err
		}
		rec := fresh(&n)
		st.media[id] = rec
		m = clone(rec)
		return nil
	})
	return m, err
}

func (r mediaRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return r.d.write(ctx, func(st *state) error {
		return softDelete(st.media, id, r.d.now(), func(x *store.MediaItem) (**time.Time, *time.Time) { return &x.DeletedAt, &x.UpdatedAt })
	})
}

func mediaID(m *store.MediaItem) uuid.UUID { return m.ID }

func (r mediaRepo) List(ctx context.Context, f store.MediaFilter, page store.Page) (out store.List[store.MediaItem], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.MediaItem
		for _, m := range st.media {
			if m.DeletedAt != nil ||
				(f.CreatorID != "" && m.CreatorID != f.CreatorID) ||
				(f.Status != "" && m.Status != f.Status) ||
				(f.MediaType != "" && m.MediaType != f.MediaType) {
				continue
			}
			rows = append(rows, m)
		}
		var col column[store.MediaItem]
		switch f.SortBy {
		case "uploadedAt":
			col = byNullTime(func(m *store.MediaItem) *time.Time { return m.UploadedAt })
		case "title":
			col = byString(func(m *store.MediaItem) string { return m.Title })
		default:
			col = byTime(func(m *store.MediaItem) time.Time { return m.CreatedAt })
		}
		sortRows(rows, col, isDesc(f.Order), mediaID)
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

func oldestMediaFirst(a, b *store.MediaItem) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
}

func (r mediaRepo) GetByJobID(ctx context.Context, jobID string) (m *store.MediaItem, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.MediaItem
		for _, m := range st.media {
			if m.DeletedAt == nil && m.RunpodJobID != nil && *m.RunpodJobID == jobID {
				rows = append(rows, m)
			}
		}
		if len(rows) == 0 {
			return store.ErrNotFound
		}
		slices.SortFunc(rows, oldestMediaFirst)
		m = clone(rows[0])
		return nil
	})
	return m, err
}

func (r mediaRepo) ListByStatus(ctx context.Context, status store.MediaStatus) (out []store.MediaItem, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.MediaItem
		for _, m := range st.media {
			if m.DeletedAt == nil && m.Status == status {
				rows = append(rows, m)
			}
		}
		slices.SortFunc(rows, oldestMediaFirst)
		out = copyAll(rows)
		return nil
	})
	return out, err
}

// ---- content ----

type contentRepo repos

func checkContent(c *store.Content) error {
	switch {
	case !c.ContentType.Valid():
		return checkErr("check_content_type")
	case !c.Visibility.Valid():
		return checkErr("check_content_visibility")
	case !c.Status.Valid():
		return checkErr("check_content_status")
	case c.PriceCents != nil && *c.PriceCents < 0:
		return checkErr("check_price_non_negative")
	}
	return nil
}

// slugConflict applies the two partial unique indexes, which (unlike the
// template ones) count soft-deleted rows.
func (st *state) slugConflict(c *store.Content) error {
	for _, o := range st.content {
		if o.ID == c.ID || o.Slug != c.Slug {
			continue
		}
		if c.OrganizationID != nil {
			if o.OrganizationID != nil && *o.OrganizationID == *c.OrganizationID {
				return uniqueErr(store.ConstraintContentSlugOrg)
			}
		} else if o.OrganizationID == nil && o.CreatorID == c.CreatorID {
			return uniqueErr(store.ConstraintContentSlugPersonal)
		}
	}
	return nil
}

func (st *state) contentRefs(c *store.Content) error {
	switch {
	case !st.userExists(c.CreatorID):
		return fkErr("content", "creator_id")
	case c.OrganizationID != nil && !st.orgExists(*c.OrganizationID):
		return fkErr("content", "organization_id")
	case c.MediaItemID != nil && !st.mediaExists(*c.MediaItemID):
		return fkErr("content", "media_item_id")
	}
	return nil
}

func (r contentRepo) Create(ctx context.Context, c *store.Content) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(c)
		rec.ID = newUUID(rec.ID)
		if rec.Tags == nil {
			rec.Tags = []string{}
		}
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if err := checkContent(rec); err != nil {
			return err
		}
		if _, ok := st.content[rec.ID]; ok {
			return uniqueErr("content_pkey")
		}
		if err := st.slugConflict(rec); err != nil {
			return err
		}
		if err := st.contentRefs(rec); err != nil {
			return err
		}
		st.content[rec.ID] = rec
		*c = *clone(rec)
		return nil
	})
}

func (st *state) liveContent(id uuid.UUID) (*store.Content, bool) {
	c, ok := st.content[id]
	if !ok || c.DeletedAt != nil {
		return nil, false
	}
	return c, true
}

func (r contentRepo) Get(ctx context.Context, id uuid.UUID) (c *store.Content, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.liveContent(id)
		c, err = orNil(ok, rec)
		return err
	})
	return c, err
}

func (r contentRepo) Update(ctx context.Context, id uuid.UUID, p store.ContentPatch) (c *store.Content, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.liveContent(id)
		if !ok {
			return store.ErrNotFound
		}
		if len(p.IfStatus) > 0 && !slices.Contains(p.IfStatus, old.Status) {
			return store.ErrPrecondition
		}
		n := *old
		set(&n.OrganizationID, p.OrganizationID)
		set(&n.MediaItemID, p.MediaItemID)
		set(&n.Title, p.Title)
		set(&n.Slug, p.Slug)
		set(&n.Description, p.Description)
		set(&n.ContentType, p.ContentType)
		set(&n.ThumbnailURL, p.ThumbnailURL)
		set(&n.ContentBody, p.ContentBody)
		set(&n.Category, p.Category)
		set(&n.Tags, p.Tags)
		set(&n.Visibility, p.Visibility)
		set(&n.PriceCents, p.PriceCents)
		set(&n.Status, p.Status)
		set(&n.PublishedAt, p.PublishedAt)
		if n.Tags == nil {
			n.Tags = []string{}
		}
		n.UpdatedAt = r.d.now()
		if err := checkContent(&n); err != nil {
			return err
		}
		if err := st.slugConflict(&n); err != nil {
			return err
		}
		if err := st.contentRefs(&n); err != nil {
			return err
		}
		rec := fresh(&n)
		st.content[id] = rec
		c = clone(rec)
		return nil
	})
	return c, err
}

func (r contentRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return r.d.write(ctx, func(st *state) error {
		return softDelete(st.content, id, r.d.now(), func(x *store.Content) (**time.Time, *time.Time) { return &x.DeletedAt, &x.UpdatedAt })
	})
}

func (r contentRepo) List(ctx context.Context, f store.ContentFilter, page store.Page) (out store.List[store.Content], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Content
		for _, c := range st.content {
			if c.DeletedAt != nil ||
				(f.CreatorID != "" && c.CreatorID != f.CreatorID) ||
				(f.Status != "" && c.Status != f.Status) ||
				(f.ContentType != "" && c.ContentType != f.ContentType) ||
				(f.Visibility != "" && c.Visibility != f.Visibility) ||
				(f.Category != "" && (c.Category == nil || *c.Category != f.Category)) ||
				(f.Search != "" && !contains(c.Title, f.Search) && !containsPtr(c.Description, f.Search)) {
				continue
			}
			if o := f.OrganizationID; o.Set {
				if o.Value == nil && c.OrganizationID != nil ||
					o.Value != nil && (c.OrganizationID == nil || *c.OrganizationID != *o.Value) {
					continue
				}
			}
			rows = append(rows, c)
		}
		var col column[store.Content]
		switch f.SortBy {
		case "updatedAt":
			col = byTime(func(c *store.Content) time.Time { return c.UpdatedAt })
		case "publishedAt":
			col = byNullTime(func(c *store.Content) *time.Time { return c.PublishedAt })
		case "title":
			col = byString(func(c *store.Content) string { return c.Title })
		case "viewCount":
			col = byInt(func(c *store.Content) int { return c.ViewCount })
		case "purchaseCount":
			col = byInt(func(c *store.Content) int { return c.PurchaseCount })
		default:
			col = byTime(func(c *store.Content) time.Time { return c.CreatedAt })
		}
		sortRows(rows, col, isDesc(f.Order), func(c *store.Content) uuid.UUID { return c.ID })
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

// ---- access ----

type accessRepo repos

func (st *state) findAccess(userID string, contentID uuid.UUID) (*store.ContentAccess, bool) {
	for _, a := range st.access {
		if a.UserID == userID && a.ContentID == contentID {
			return a, true
		}
	}
	return nil, false
}

func (r accessRepo) Upsert(ctx context.Context, a *store.ContentAccess) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(a)
		now := r.d.now()
		rec.UpdatedAt = now
		if !rec.AccessType.Valid() {
			return checkErr("check_access_type")
		}
		old, exists := st.findAccess(rec.UserID, rec.ContentID)
		if exists {
			rec.ID, rec.CreatedAt = old.ID, old.CreatedAt
		} else {
			rec.ID = newUUID(rec.ID)
			rec.CreatedAt = now
			if _, ok := st.access[rec.ID]; ok {
				return uniqueErr("content_access_pkey")
			}
		}
		switch {
		case !st.userExists(rec.UserID):
			return fkErr("content_access", "user_id")
		case !st.contentExists(rec.ContentID):
			return fkErr("content_access", "content_id")
		case !st.orgExists(rec.OrganizationID):
			return fkErr("content_access", "organization_id")
		}
		st.access[rec.ID] = rec
		*a = *clone(rec)
		return nil
	})
}

func (r accessRepo) Get(ctx context.Context, userID string, contentID uuid.UUID) (a *store.ContentAccess, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.findAccess(userID, contentID)
		a, err = orNil(ok, rec)
		return err
	})
	return a, err
}

func (r accessRepo) Delete(ctx context.Context, userID string, contentID uuid.UUID) error {
	return r.d.write(ctx, func(st *state) error {
		rec, ok := st.findAccess(userID, contentID)
		if !ok {
			return store.ErrNotFound
		}
		delete(st.access, rec.ID)
		return nil
	})
}

func (r accessRepo) ListByUser(ctx context.Context, userID string) (out []store.ContentAccess, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.ContentAccess
		for _, a := range st.access {
			if a.UserID == userID {
				rows = append(rows, a)
			}
		}
		slices.SortFunc(rows, func(a, b *store.ContentAccess) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
		})
		out = copyAll(rows)
		return nil
	})
	return out, err
}

// ---- playback ----

type playbackRepo repos

func (st *state) findPlayback(userID string, contentID uuid.UUID) (*store.Playback, bool) {
	for _, p := range st.playback {
		if p.UserID == userID && p.ContentID == contentID {
			return p, true
		}
	}
	return nil, false
}

func (r playbackRepo) Save(ctx context.Context, p *store.Playback) (out *store.Playback, err error) {
	err = r.d.write(ctx, func(st *state) error {
		rec := fresh(p)
		now := r.d.now()
		rec.UpdatedAt = now
		if old, ok := st.findPlayback(rec.UserID, rec.ContentID); ok {
			rec.ID, rec.CreatedAt = old.ID, old.CreatedAt
			rec.PositionSeconds = max(old.PositionSeconds, rec.PositionSeconds)
			rec.Completed = old.Completed || rec.Completed
		} else {
			rec.ID = newUUID(rec.ID)
			rec.CreatedAt = now
			if _, ok := st.playback[rec.ID]; ok {
				return uniqueErr("video_playback_pkey")
			}
		}
		switch {
		case !st.userExists(rec.UserID):
			return fkErr("video_playback", "user_id")
		case !st.contentExists(rec.ContentID):
			return fkErr("video_playback", "content_id")
		}
		st.playback[rec.ID] = rec
		out = clone(rec)
		return nil
	})
	return out, err
}

func (r playbackRepo) Get(ctx context.Context, userID string, contentID uuid.UUID) (p *store.Playback, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.findPlayback(userID, contentID)
		p, err = orNil(ok, rec)
		return err
	})
	return p, err
}
