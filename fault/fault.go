// Package fault is the error model shared by every Codex package.
//
// An *Error carries a Kind (which decides the HTTP status), a stable Code
// string clients can branch on, a Message that is safe to show to a user, and
// optional Details. The underlying cause is kept for logs and errors.Is/As but
// never rendered to clients.
//
//	if errors.Is(err, fault.NotFound) { ... }
//
// works through any amount of wrapping, because Kind is itself an error value.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error. Kinds are errors themselves so that
// errors.Is(err, fault.NotFound) reads naturally.
type Kind uint8

const (
	Internal        Kind = iota // 500: a bug or an unexpected dependency failure
	Invalid                     // 400: malformed input
	Unauthenticated             // 401: no valid credentials
	Forbidden                   // 403: credentials valid, permission missing
	NotFound                    // 404
	Conflict                    // 409: uniqueness or state conflict
	Unprocessable               // 422: a business rule refuses the request
	RateLimited                 // 429
	Unavailable                 // 503: a dependency is down; retry later
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not found",
	Conflict:        "conflict",
	Unprocessable:   "unprocessable",
	RateLimited:     "rate limited",
	Unavailable:     "unavailable",
}

func (k Kind) Error() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Status is the HTTP status for the kind. It is the only mapping from kinds
// to statuses; the server uses it for every error response.
func (k Kind) Status() int {
	switch k {
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Unprocessable:
		return http.StatusUnprocessableEntity
	case RateLimited:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// defaultCode is the code used when an error is built without one.
func (k Kind) defaultCode() string {
	switch k {
	case Invalid:
		return CodeValidation
	case Unauthenticated:
		return CodeUnauthorized
	case Forbidden:
		return CodeForbidden
	case NotFound:
		return CodeNotFound
	case Conflict:
		return CodeConflict
	case Unprocessable:
		return CodeBusinessLogic
	case RateLimited:
		return CodeRateLimited
	case Unavailable:
		return CodeUnavailable
	default:
		return CodeInternal
	}
}

// Error is a classified error. Build it with New or one of the kind helpers.
type Error struct {
	Kind    Kind
	Code    string // stable, UPPER_SNAKE, e.g. CONTENT_NOT_FOUND
	Message string // safe for clients
	Details any    // optional, safe for clients; rendered as "details"
	Err     error  // cause, for logs only
}

// New returns an error of the given kind. An empty code takes the kind's
// generic code (VALIDATION_ERROR, NOT_FOUND, ...).
func New(kind Kind, code, message string) *Error {
	if code == "" {
		code = kind.defaultCode()
	}
	return &Error{Kind: kind, Code: code, Message: message}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Kind, so errors.Is(err, fault.NotFound) works.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// WithDetails returns a copy of e carrying details.
func (e *Error) WithDetails(details any) *Error {
	c := *e
	c.Details = details
	return &c
}

// Wrap returns a copy of e with cause attached (for logs; never rendered).
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// From returns the *Error in err's chain, or an Internal error wrapping err
// when there is none. A nil err gives nil.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return &Error{Kind: Internal, Code: CodeInternal, Message: "An unexpected error occurred", Err: err}
}

// KindOf returns the kind of err (Internal when it is not classified).
func KindOf(err error) Kind { return From(err).Kind }

// Kind helpers. Each takes the stable code (empty for the generic one) and a
// safe message.

func E(kind Kind, code, format string, args ...any) *Error {
	return New(kind, code, fmt.Sprintf(format, args...))
}

func NotFoundf(code, format string, args ...any) *Error {
	return E(NotFound, code, format, args...)
}

func Conflictf(code, format string, args ...any) *Error {
	return E(Conflict, code, format, args...)
}

func Forbiddenf(code, format string, args ...any) *Error {
	return E(Forbidden, code, format, args...)
}

func Unprocessablef(code, format string, args ...any) *Error {
	return E(Unprocessable, code, format, args...)
}

func Unauthenticatedf(code, format string, args ...any) *Error {
	return E(Unauthenticated, code, format, args...)
}

// Unavailablef marks a dependency failure; cause is kept for the logs.
func Unavailablef(cause error, format string, args ...any) *Error {
	e := E(Unavailable, CodeUnavailable, format, args...)
	e.Err = cause
	return e
}

// Internalf wraps an unexpected failure. The message shown to clients is
// always the generic one; format describes the failure for the logs.
func Internalf(cause error, format string, args ...any) *Error {
	return &Error{
		Kind:    Internal,
		Code:    CodeInternal,
		Message: "An unexpected error occurred",
		Err:     fmt.Errorf(format+": %w", append(args, cause)...),
	}
}
