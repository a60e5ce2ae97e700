package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// ---- access grants ----

type accessRepo repos

const accessCols = "id, user_id, content_id, organization_id, access_type, expires_at, granted_by, reason, created_at, updated_at"

func scanAccess(s scanner) (*store.ContentAccess, error) {
	var a store.ContentAccess
	err := s.Scan(&a.ID, &a.UserID, &a.ContentID, &a.OrganizationID, &a.AccessType, &a.ExpiresAt,
		&a.GrantedBy, &a.Reason, &a.CreatedAt, &a.UpdatedAt)
	return &a, err
}

// Upsert keeps the id and created_at of an existing grant, so a purchase
// that follows a complimentary grant updates it instead of failing (the
// reference's oddity 32).
func (r accessRepo) Upsert(ctx context.Context, a *store.ContentAccess) error {
	id := a.ID
	if id == uuid.Nil {
		id = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "upsert access", scanAccess,
		`INSERT INTO content_access (id, user_id, content_id, organization_id, access_type, expires_at, granted_by, reason,
		     created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp(), clock_timestamp())
		 ON CONFLICT (user_id, content_id) DO UPDATE SET
		     access_type = EXCLUDED.access_type,
		     organization_id = EXCLUDED.organization_id,
		     expires_at = EXCLUDED.expires_at,
		     granted_by = EXCLUDED.granted_by,
		     reason = EXCLUDED.reason,
		     updated_at = clock_timestamp()
		 RETURNING `+accessCols,
		id, a.UserID, a.ContentID, a.OrganizationID, a.AccessType, a.ExpiresAt, a.GrantedBy, a.Reason)
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func (r accessRepo) Get(ctx context.Context, userID string, contentID uuid.UUID) (*store.ContentAccess, error) {
	return queryOne(ctx, r.q, "get access", scanAccess,
		"SELECT "+accessCols+" FROM content_access WHERE user_id = $1 AND content_id = $2", userID, contentID)
}

func (r accessRepo) Delete(ctx context.Context, userID string, contentID uuid.UUID) error {
	return exec1(ctx, r.q, "delete access",
		"DELETE FROM content_access WHERE user_id = $1 AND content_id = $2", userID, contentID)
}

func (r accessRepo) ListByUser(ctx context.Context, userID string) ([]store.ContentAccess, error) {
	return queryAll(ctx, r.q, "list access", scanAccess,
		"SELECT "+accessCols+" FROM content_access WHERE user_id = $1 ORDER BY created_at ASC, id ASC", userID)
}

// ---- playback ----

type playbackRepo repos

const playbackCols = "id, user_id, content_id, position_seconds, duration_seconds, completed, created_at, updated_at"

func scanPlayback(s scanner) (*store.Playback, error) {
	var p store.Playback
	err := s.Scan(&p.ID, &p.UserID, &p.ContentID, &p.PositionSeconds, &p.DurationSeconds, &p.Completed,
		&p.CreatedAt, &p.UpdatedAt)
	return &p, err
}

// Save is one statement so concurrent saves from two devices cannot lose
// progress: the row lock of ON CONFLICT serialises them.
func (r playbackRepo) Save(ctx context.Context, p *store.Playback) (*store.Playback, error) {
	id := p.ID
	if id == uuid.Nil {
		id = uuid.New()
	}
	return queryOne(ctx, r.q, "save playback", scanPlayback,
		`INSERT INTO video_playback (id, user_id, content_id, position_seconds, duration_seconds, completed,
		     created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 ON CONFLICT (user_id, content_id) DO UPDATE SET
		     position_seconds = GREATEST(video_playback.position_seconds, EXCLUDED.position_seconds),
		     duration_seconds = EXCLUDED.duration_seconds,
		     completed = video_playback.completed OR EXCLUDED.completed,
		     updated_at = clock_timestamp()
		 RETURNING `+playbackCols,
		id, p.UserID, p.ContentID, p.PositionSeconds, p.DurationSeconds, p.Completed)
}

func (r playbackRepo) Get(ctx context.Context, userID string, contentID uuid.UUID) (*store.Playback, error) {
	return queryOne(ctx, r.q, "get playback", scanPlayback,
		"SELECT "+playbackCols+" FROM video_playback WHERE user_id = $1 AND content_id = $2", userID, contentID)
}
