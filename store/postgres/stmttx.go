package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// stmtTx gives the statements of a RunInTx transaction the atomicity they
// have outside one: a write that fails (say a unique violation the caller
// means to handle by reading the existing row) is rolled back on its own
// instead of aborting the whole transaction. Without it PostgreSQL refuses
// every later statement with 25P02, while the memory store carries on, and
// code tested on one would break on the other.
//
// Each write runs under a savepoint; reads need none, since a missing row
// is not a server error and does not abort anything.
type stmtTx struct{ tx pgx.Tx }

const savepoint = "codex_stmt"

func (t stmtTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	// Only reads and DELETE … RETURNING of rows nothing references go
	// through Query, and neither can violate a constraint.
	return t.tx.Query(ctx, sql, args...)
}

func (t stmtTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if _, err := t.tx.Exec(ctx, "SAVEPOINT "+savepoint); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := t.tx.Exec(ctx, sql, args...)
	return tag, t.end(ctx, err)
}

func (t stmtTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if strings.HasPrefix(sql, "SELECT ") {
		return t.tx.QueryRow(ctx, sql, args...)
	}
	if _, err := t.tx.Exec(ctx, "SAVEPOINT "+savepoint); err != nil {
		return errRow{err}
	}
	return &stmtRow{t: t, ctx: ctx, row: t.tx.QueryRow(ctx, sql, args...)}
}

// end releases the savepoint, or rolls back to it when the statement
// failed on the server.
func (t stmtTx) end(ctx context.Context, err error) error {
	var pgErr *pgconn.PgError
	if err != nil && errors.As(err, &pgErr) {
		if _, rerr := t.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if err != nil && !errors.As(err, &pgErr) && !errors.Is(err, pgx.ErrNoRows) {
		// A client-side failure (cancelled ctx, broken connection): the
		// transaction is lost anyway and RunInTx rolls it back.
		return err
	}
	if _, rerr := t.tx.Exec(ctx, "RELEASE SAVEPOINT "+savepoint); rerr != nil && err == nil {
		return rerr
	}
	return err
}

type stmtRow struct {
	t   stmtTx
	ctx context.Context
	row pgx.Row
}

func (r *stmtRow) Scan(dest ...any) error {
	return r.t.end(r.ctx, r.row.Scan(dest...))
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
