package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// mapErr translates a driver error into the store's vocabulary: missing
// rows, named constraint violations, an unavailable database (503) or an
// internal failure. what describes the operation for the logs.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	// Already classified: a nested call mapped it, nothing more to learn.
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var ce *store.ConstraintError
	if errors.As(err, &ce) {
		return err
	}
	// The caller gave up; that is neither the database's fault nor ours.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &store.ConstraintError{Kind: store.Unique, Constraint: pgErr.ConstraintName, Err: err}
		case "23503":
			return &store.ConstraintError{Kind: store.ForeignKey, Constraint: pgErr.ConstraintName, Err: err}
		case "23514":
			return &store.ConstraintError{Kind: store.Check, Constraint: pgErr.ConstraintName, Err: err}
		}
		if unavailableCode(pgErr.Code) {
			return fault.Unavailablef(err, "Database unavailable")
		}
		return fault.Internalf(err, "%s", what)
	}
	if isConnectionError(err) {
		return fault.Unavailablef(err, "Database unavailable")
	}
	return fault.Internalf(err, "%s", what)
}

// unavailableCode reports SQLSTATEs that mean "the server cannot serve you
// right now" rather than "your statement is wrong".
func unavailableCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case code == "53300", // too_many_connections
		code == "57P01", // admin_shutdown
		code == "57P02", // crash_shutdown
		code == "57P03", // cannot_connect_now
		code == "3D000": // invalid_catalog_name: the database does not exist
		return true
	}
	return false
}

func isConnectionError(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	switch {
	case errors.Is(err, puddle.ErrClosedPool),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	// The statement never reached the server: the connection was unusable.
	return pgconn.SafeToRetry(err)
}
