package postgres

import (
	"context"
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codexforgo/codex/fault"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockID is the pg_advisory_lock key that serialises concurrent
// Migrate calls (e.g. several servers starting at once). Arbitrary but fixed.
const migrationLockID int64 = 0x636f646578 // "codex"

// Migration is one embedded SQL file.
type migration struct {
	version string // file name without .sql, e.g. "0001_baseline"
	sql     string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for _, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: strings.TrimSuffix(path.Base(n), ".sql"), sql: string(b)})
	}
	return out, nil
}

// Migrate applies the embedded migrations that the database has not
// recorded yet, in name order, each in its own transaction together with
// its row in schema_migrations. It holds an advisory lock for the whole
// run, so concurrent callers wait and then find nothing left to do. It
// returns the versions it applied (empty when the schema is current).
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	all, err := migrations()
	if err != nil {
		return nil, fault.Internalf(err, "read embedded migrations")
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, mapErr(err, "acquire connection for migrations")
	}
	defer conn.Release()

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return nil, mapErr(err, "take migration lock")
	}
	defer func() {
		// Session-level locks outlive a cancelled ctx; unlock on a fresh
		// one, and drop the connection if even that fails so the lock dies
		// with the session instead of returning to the pool.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", migrationLockID); uerr != nil {
			_ = conn.Hijack().Close(uctx)
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    text        PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return nil, mapErr(err, "create schema_migrations")
	}

	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, mapErr(err, "read schema_migrations")
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr(err, "read schema_migrations")
	}
	seen := make(map[string]bool, len(done))
	for _, v := range done {
		seen[v] = true
	}

	applied = []string{}
	for _, m := range all {
		if seen[m.version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: pgx sends the file with the simple protocol,
			// which accepts many statements in one call.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.version)
			return err
		})
		if err != nil {
			return applied, mapErr(err, "apply migration "+m.version)
		}
		applied = append(applied, m.version)
	}
	return applied, nil
}
