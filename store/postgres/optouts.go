package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
)

func (r repos) EmailOptOuts() store.EmailOptOutRepo { return optOutRepo(r) }

func (r emailLogRepo) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]store.EmailLog, error) {
	if limit <= 0 {
		return []store.EmailLog{}, nil
	}
	// SKIP LOCKED lets concurrent workers take disjoint batches instead of
	// queueing behind each other's row locks.
	rows, err := queryAll(ctx, r.q, "claim due emails", scanEmailLog,
		`UPDATE email_audit_logs SET next_attempt_at = $2, updated_at = clock_timestamp()
		 WHERE id IN (
		     SELECT id FROM email_audit_logs
		     WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
		     ORDER BY created_at ASC, id ASC LIMIT $3
		     FOR UPDATE SKIP LOCKED
		 )
		 RETURNING `+emailLogCols,
		now, leaseUntil, limit)
	if err != nil {
		return nil, err
	}
	// RETURNING has no order of its own.
	slices.SortFunc(rows, func(a, b store.EmailLog) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	return rows, nil
}

type optOutRepo repos

func scanOptOut(s scanner) (*store.EmailOptOut, error) {
	var o store.EmailOptOut
	err := s.Scan(&o.Email, &o.CreatedAt)
	return &o, err
}

func (r optOutRepo) Add(ctx context.Context, email string) (*store.EmailOptOut, error) {
	// The no-op update makes RETURNING yield the existing row on a conflict.
	return queryOne(ctx, r.q, "add email opt-out", scanOptOut,
		`INSERT INTO email_opt_outs (email, created_at) VALUES ($1, clock_timestamp())
		 ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
		 RETURNING email, created_at`, email)
}

func (r optOutRepo) Get(ctx context.Context, email string) (*store.EmailOptOut, error) {
	return queryOne(ctx, r.q, "get email opt-out", scanOptOut,
		"SELECT email, created_at FROM email_opt_outs WHERE email = $1", email)
}

func (r optOutRepo) Remove(ctx context.Context, email string) error {
	return exec1(ctx, r.q, "remove email opt-out", "DELETE FROM email_opt_outs WHERE email = $1", email)
}
