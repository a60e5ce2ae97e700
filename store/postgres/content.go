package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// ---- media ----

type mediaRepo repos

const mediaCols = `id, creator_id, title, description, media_type, status, r2_key, file_size_bytes, mime_type,
	duration_seconds, width, height, hls_master_playlist_key, hls_preview_key, thumbnail_key, waveform_key,
	waveform_image_key, runpod_job_id, transcoding_error, transcoding_attempts, transcoding_priority,
	mezzanine_key, mezzanine_status, ready_variants, loudness_integrated, loudness_peak, loudness_range,
	uploaded_at, created_at, updated_at, deleted_at`

func scanMedia(s scanner) (*store.MediaItem, error) {
	var m store.MediaItem
	err := s.Scan(&m.ID, &m.CreatorID, &m.Title, &m.Description, &m.MediaType, &m.Status, &m.R2Key,
		&m.FileSizeBytes, &m.MimeType, &m.DurationSeconds, &m.Width, &m.Height, &m.HLSMasterPlaylistKey,
		&m.HLSPreviewKey, &m.ThumbnailKey, &m.WaveformKey, &m.WaveformImageKey, &m.RunpodJobID,
		&m.TranscodingError, &m.TranscodingAttempts, &m.TranscodingPriority, &m.MezzanineKey,
		&m.MezzanineStatus, &m.ReadyVariants, &m.LoudnessIntegrated, &m.LoudnessPeak, &m.LoudnessRange,
		&m.UploadedAt, &m.CreatedAt, &m.UpdatedAt, &m.DeletedAt)
	return &m, err
}

func (r mediaRepo) Create(ctx context.Context, m *store.MediaItem) error {
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create media", scanMedia,
		`INSERT INTO media_items (id, creator_id, title, description, media_type, status, r2_key, file_size_bytes,
		     mime_type, duration_seconds, width, height, hls_master_playlist_key, hls_preview_key, thumbnail_key,
		     waveform_key, waveform_image_key, runpod_job_id, transcoding_error, transcoding_attempts,
		     transcoding_priority, mezzanine_key, mezzanine_status, ready_variants, loudness_integrated,
		     loudness_peak, loudness_range, uploaded_at, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		     $21, $22, $23, $24::text::jsonb, $25, $26, $27, $28, clock_timestamp(), clock_timestamp())
		 RETURNING `+mediaCols,
		m.ID, m.CreatorID, m.Title, m.Description, m.MediaType, m.Status, m.R2Key, m.FileSizeBytes,
		m.MimeType, m.DurationSeconds, m.Width, m.Height, m.HLSMasterPlaylistKey, m.HLSPreviewKey, m.ThumbnailKey,
		m.WaveformKey, m.WaveformImageKey, m.RunpodJobID, m.TranscodingError, m.TranscodingAttempts,
		m.TranscodingPriority, m.MezzanineKey, m.MezzanineStatus, jsonList(m.ReadyVariants), m.LoudnessIntegrated,
		m.LoudnessPeak, m.LoudnessRange, m.UploadedAt)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

func (r mediaRepo) Get(ctx context.Context, id uuid.UUID) (*store.MediaItem, error) {
	return queryOne(ctx, r.q, "get media", scanMedia,
		"SELECT "+mediaCols+" FROM media_items WHERE id = $1 AND deleted_at IS NULL", id)
}

func (r mediaRepo) GetIncludingDeleted(ctx context.Context, id uuid.UUID) (*store.MediaItem, error) {
	return queryOne(ctx, r.q, "get media", scanMedia, "SELECT "+mediaCols+" FROM media_items WHERE id = $1", id)
}

func (r mediaRepo) Update(ctx context.Context, id uuid.UUID, p store.MediaPatch) (*store.MediaItem, error) {
	var a args
	s := newSetter(&a)
	set(s, "title", p.Title)
	set(s, "description", p.Description)
	set(s, "status", p.Status)
	set(s, "r2_key", p.R2Key)
	set(s, "file_size_bytes", p.FileSizeBytes)
	set(s, "mime_type", p.MimeType)
	set(s, "duration_seconds", p.DurationSeconds)
	set(s, "width", p.Width)
	set(s, "height", p.Height)
	set(s, "hls_master_playlist_key", p.HLSMasterPlaylistKey)
	set(s, "hls_preview_key", p.HLSPreviewKey)
	set(s, "thumbnail_key", p.ThumbnailKey)
	set(s, "waveform_key", p.WaveformKey)
	set(s, "waveform_image_key", p.WaveformImageKey)
	set(s, "runpod_job_id", p.RunpodJobID)
	set(s, "transcoding_error", p.TranscodingError)
	set(s, "transcoding_attempts", p.TranscodingAttempts)
	set(s, "transcoding_priority", p.TranscodingPriority)
	setJSON(s, "ready_variants", p.ReadyVariants)
	set(s, "loudness_integrated", p.LoudnessIntegrated)
	set(s, "loudness_peak", p.LoudnessPeak)
	set(s, "loudness_range", p.LoudnessRange)
	set(s, "uploaded_at", p.UploadedAt)
	w := newWhere(&a)
	w.and("id = ?", id)
	w.and("deleted_at IS NULL")
	if len(p.IfStatus) > 0 {
		w.and("status = ANY(?)", strs(p.IfStatus))
	}
	return guardedUpdate(ctx, r.q, "update media", scanMedia, len(p.IfStatus) > 0,
		"UPDATE media_items SET "+s.sql()+" WHERE "+w.sql()+" RETURNING "+mediaCols, a,
		"SELECT EXISTS (SELECT 1 FROM media_items WHERE id = $1 AND deleted_at IS NULL)", id)
}

func (r mediaRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return exec1(ctx, r.q, "delete media",
		`UPDATE media_items SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
		 WHERE id = $1 AND deleted_at IS NULL`, id)
}

var mediaSorts = map[string]string{"createdAt": "created_at", "uploadedAt": "uploaded_at", "title": `title COLLATE "C"`}

func (r mediaRepo) List(ctx context.Context, f store.MediaFilter, page store.Page) (store.List[store.MediaItem], error) {
	var a args
	w := newWhere(&a, "deleted_at IS NULL")
	if f.CreatorID != "" {
		w.and("creator_id = ?", f.CreatorID)
	}
	if f.Status != "" {
		w.and("status = ?", f.Status)
	}
	if f.MediaType != "" {
		w.and("media_type = ?", f.MediaType)
	}
	return list(ctx, r.q, "list media", mediaCols, "media_items", w,
		orderBy("", mediaSorts, f.SortBy, "createdAt", f.Order), page, scanMedia)
}

func (r mediaRepo) GetByJobID(ctx context.Context, jobID string) (*store.MediaItem, error) {
	return queryOne(ctx, r.q, "get media by job", scanMedia,
		"SELECT "+mediaCols+` FROM media_items WHERE runpod_job_id = $1 AND deleted_at IS NULL
		 ORDER BY created_at ASC, id ASC LIMIT 1`, jobID)
}

func (r mediaRepo) ListByStatus(ctx context.Context, status store.MediaStatus) ([]store.MediaItem, error) {
	return queryAll(ctx, r.q, "list media by status", scanMedia,
		"SELECT "+mediaCols+" FROM media_items WHERE status = $1 AND deleted_at IS NULL ORDER BY created_at ASC, id ASC",
		status)
}

// ---- content ----

type contentRepo repos

const contentCols = `id, creator_id, organization_id, media_item_id, title, slug, description, content_type,
	thumbnail_url, content_body, category, tags, visibility, price_cents, status, published_at, view_count,
	purchase_count, created_at, updated_at, deleted_at`

func scanContent(s scanner) (*store.Content, error) {
	var c store.Content
	err := s.Scan(&c.ID, &c.CreatorID, &c.OrganizationID, &c.MediaItemID, &c.Title, &c.Slug, &c.Description,
		&c.ContentType, &c.ThumbnailURL, &c.ContentBody, &c.Category, &c.Tags, &c.Visibility, &c.PriceCents,
		&c.Status, &c.PublishedAt, &c.ViewCount, &c.PurchaseCount, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt)
	if c.Tags == nil {
		// The column is nullable for history's sake; callers get a list.
		c.Tags = []string{}
	}
	return &c, err
}

func (r contentRepo) Create(ctx context.Context, c *store.Content) error {
	if c.ID == uuid.Nil {
		c.ID = uuid.New()
	}
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	got, err := queryOne(ctx, r.q, "create content", scanContent,
		`INSERT INTO content (id, creator_id, organization_id, media_item_id, title, slug, description, content_type,
		     thumbnail_url, content_body, category, tags, visibility, price_cents, status, published_at, view_count,
		     purchase_count, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13, $14, $15, $16, $17, $18,
		     clock_timestamp(), clock_timestamp())
		 RETURNING `+contentCols,
		c.ID, c.CreatorID, c.OrganizationID, c.MediaItemID, c.Title, c.Slug, c.Description, c.ContentType,
		c.ThumbnailURL, c.ContentBody, c.Category, jsonList(tags), c.Visibility, c.PriceCents, c.Status,
		c.PublishedAt, c.ViewCount, c.PurchaseCount)
	if err != nil {
		return err
	}
	*c = *got
	return nil
}

func (r contentRepo) Get(ctx context.Context, id uuid.UUID) (*store.Content, error) {
	return queryOne(ctx, r.q, "get content", scanContent,
		"SELECT "+contentCols+" FROM content WHERE id = $1 AND deleted_at IS NULL", id)
}

func (r contentRepo) Update(ctx context.Context, id uuid.UUID, p store.ContentPatch) (*store.Content, error) {
	var a args
	s := newSetter(&a)
	set(s, "organization_id", p.OrganizationID)
	set(s, "media_item_id", p.MediaItemID)
	set(s, "title", p.Title)
	set(s, "slug", p.Slug)
	set(s, "description", p.Description)
	set(s, "content_type", p.ContentType)
	set(s, "thumbnail_url", p.ThumbnailURL)
	set(s, "content_body", p.ContentBody)
	set(s, "category", p.Category)
	if p.Tags.Set {
		tags := p.Tags.Value
		if tags == nil {
			tags = []string{}
		}
		s.expr("tags", "?::text::jsonb", jsonList(tags))
	}
	set(s, "visibility", p.Visibility)
	set(s, "price_cents", p.PriceCents)
	set(s, "status", p.Status)
	set(s, "published_at", p.PublishedAt)
	w := newWhere(&a)
	w.and("id = ?", id)
	w.and("deleted_at IS NULL")
	if len(p.IfStatus) > 0 {
		w.and("status = ANY(?)", strs(p.IfStatus))
	}
	return guardedUpdate(ctx, r.q, "update content", scanContent, len(p.IfStatus) > 0,
		"UPDATE content SET "+s.sql()+" WHERE "+w.sql()+" RETURNING "+contentCols, a,
		"SELECT EXISTS (SELECT 1 FROM content WHERE id = $1 AND deleted_at IS NULL)", id)
}

func (r contentRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return exec1(ctx, r.q, "delete content",
		`UPDATE content SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
		 WHERE id = $1 AND deleted_at IS NULL`, id)
}

var contentSorts = map[string]string{
	"createdAt":     "created_at",
	"updatedAt":     "updated_at",
	"publishedAt":   "published_at",
	"title":         `title COLLATE "C"`,
	"viewCount":     "view_count",
	"purchaseCount": "purchase_count",
}

func (r contentRepo) List(ctx context.Context, f store.ContentFilter, page store.Page) (store.List[store.Content], error) {
	var a args
	w := newWhere(&a, "deleted_at IS NULL")
	if f.CreatorID != "" {
		w.and("creator_id = ?", f.CreatorID)
	}
	if f.OrganizationID.Set {
		if f.OrganizationID.Value == nil {
			w.and("organization_id IS NULL")
		} else {
			w.and("organization_id = ?", *f.OrganizationID.Value)
		}
	}
	if f.Status != "" {
		w.and("status = ?", f.Status)
	}
	if f.ContentType != "" {
		w.and("content_type = ?", f.ContentType)
	}
	if f.Visibility != "" {
		w.and("visibility = ?", f.Visibility)
	}
	if f.Category != "" {
		w.and("category = ?", f.Category)
	}
	if f.Search != "" {
		w.and("(title ILIKE ? OR description ILIKE ?)", likePattern(f.Search), likePattern(f.Search))
	}
	return list(ctx, r.q, "list content", contentCols, "content", w,
		orderBy("", contentSorts, f.SortBy, "createdAt", f.Order), page, scanContent)
}

// strs turns a list of string-kinded values into []string for ANY($n).
func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}
