// Package postgres is the PostgreSQL implementation of store.Store, built on
// pgx v5 and pgxpool. Its schema lives in embedded SQL migrations applied by
// (*Store).Migrate.
//
//	s, err := postgres.Open(ctx, "postgres://user@host/db")
//	if err != nil { ... }
//	defer s.Close()
//	if _, err := s.Migrate(ctx); err != nil { ... }
package postgres

import (
	"context"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Store is a PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	repos
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN) and pings it once with ctx, so a wrong URL or an unreachable server
// fails here rather than on the first request. It does not migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may carry a password; pgx already redacts it in the error.
		return nil, fault.Internalf(err, "parse database url")
	}
	// Without pool_max_conns in the URL pgxpool allows max(4, NumCPU); a web
	// server with slow queries wants a little more headroom than that.
	if !hasParam(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(10, 2*runtime.NumCPU()))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// A black-holed host would otherwise hang until the caller's ctx ends.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		// Records promise UTC timestamps; pgx would otherwise return them in
		// time.Local.
		c.TypeMap().RegisterType(&pgtype.Type{
			Name:  "timestamptz",
			OID:   pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, mapErr(err, "open database")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, mapErr(err, "ping database")
	}
	return &Store{pool: pool, repos: repos{q: pool}}, nil
}

// Pool exposes the underlying pool for callers that need raw SQL (tests,
// maintenance tools). Writes through it bypass the store's invariants.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr(s.pool.Ping(ctx), "ping database")
}

// Close releases every connection. It waits for acquired connections to be
// released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// RunInTx runs fn in one transaction; see store.Store.
func (s *Store) RunInTx(ctx context.Context, fn func(tx store.Repos) error) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapErr(err, "begin transaction")
	}
	defer func() {
		if p := recover(); p != nil {
			// The caller's ctx may be what made fn panic; rollback must
			// still reach the server so the connection returns clean.
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(repos{q: stmtTx{tx}}); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return mapErr(err, "commit transaction")
	}
	return nil
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// repos binds every repository to one querier: the pool, or a transaction.
type repos struct{ q querier }

func (r repos) Users() store.UserRepo                 { return userRepo(r) }
func (r repos) Accounts() store.AccountRepo           { return accountRepo(r) }
func (r repos) Sessions() store.SessionRepo           { return sessionRepo(r) }
func (r repos) Verifications() store.VerificationRepo { return verificationRepo(r) }
func (r repos) Organizations() store.OrganizationRepo { return orgRepo(r) }
func (r repos) Memberships() store.MembershipRepo     { return membershipRepo(r) }
func (r repos) OrgSettings() store.OrgSettingsRepo    { return settingsRepo(r) }
func (r repos) Media() store.MediaRepo                { return mediaRepo(r) }
func (r repos) Content() store.ContentRepo            { return contentRepo(r) }
func (r repos) Access() store.AccessRepo              { return accessRepo(r) }
func (r repos) Playback() store.PlaybackRepo          { return playbackRepo(r) }
func (r repos) Purchases() store.PurchaseRepo         { return purchaseRepo(r) }
func (r repos) Fees() store.FeeRepo                   { return feeRepo(r) }
func (r repos) Templates() store.TemplateRepo         { return templateRepo(r) }
func (r repos) EmailLog() store.EmailLogRepo          { return emailLogRepo(r) }

// hasParam reports whether a URL or DSN sets the named parameter.
func hasParam(url, name string) bool {
	return strings.Contains(url, name+"=") || strings.Contains(url, name+" =")
}

// exec1 runs a statement that must touch at least one row; none is
// store.ErrNotFound.
func exec1(ctx context.Context, q querier, what, sql string, args ...any) error {
	tag, err := q.Exec(ctx, sql, args...)
	if err != nil {
		return mapErr(err, what)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}
