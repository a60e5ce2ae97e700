package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Store counts hits per key in fixed windows. Implementations must make Hit
// atomic: concurrent hits on one key each observe a distinct count.
type Store interface {
	// Hit increments the counter for key and returns the new count and the
	// end of the key's current window. When no window is live for key, it
	// starts one: count 1, resetAt now+window.
	Hit(ctx context.Context, key string, window time.Duration) (count int64, resetAt time.Time, err error)
}

// Pinger is implemented by stores that depend on a remote service, so a
// health check can report the limiter's store separately.
type Pinger interface {
	Ping(ctx context.Context) error
}

// failClosedRetry is what a fail-closed rejection tells the client to wait:
// long enough to damp a retry loop while the store recovers, short enough
// that a blip barely bothers a real user. It is not the preset's window,
// because nothing was counted.
const failClosedRetry = 5 * time.Second

// ErrEmptyKey reports a call to Allow without a key. An empty key would put
// every client into one shared bucket, which is always a caller bug.
var ErrEmptyKey = errors.New("ratelimit: empty key")

// Limiter applies presets to keys using a Store. It is safe for concurrent
// use.
type Limiter struct {
	store Store
	now   func() time.Time
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithClock replaces time.Now, for tests. The clock is used to compute
// RetryAfter and fail-closed resets; it should be the store's clock too.
func WithClock(now func() time.Time) Option {
	return func(l *Limiter) { l.now = now }
}

// New returns a Limiter counting in store. A nil store means a new
// in-process MemoryStore sharing the Limiter's clock.
func New(store Store, opts ...Option) *Limiter {
	l := &Limiter{store: store, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	if l.store == nil {
		l.store = NewMemoryStore(WithMemoryClock(l.now))
	}
	return l
}

// Result is the outcome of one Allow call.
type Result struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Limit is the preset's Max.
	Limit int
	// Remaining is how many more requests the window allows; never negative.
	Remaining int
	// Reset is when the current window ends.
	Reset time.Time
	// RetryAfter is how long a rejected client should wait, in whole seconds
	// and at least one second; zero when Allowed.
	RetryAfter time.Duration
}

// Allow counts one request for key under preset and decides whether it may
// proceed.
//
// A non-nil error means the decision was made without a working store (or
// with an invalid preset or empty key): the Result is then Allowed unless
// preset.FailClosed is set. Callers log the error and act on the Result;
// a fail-closed rejection caused by an error is better answered with 503
// than with 429, since the client did nothing wrong.
func (l *Limiter) Allow(ctx context.Context, preset Preset, key string) (Result, error) {
	if err := preset.Validate(); err != nil {
		return l.degraded(preset), err
	}
	if key == "" {
		return l.degraded(preset), fmt.Errorf("%w for preset %q", ErrEmptyKey, preset.Name)
	}
	count, resetAt, err := l.store.Hit(ctx, preset.Prefix+key, preset.Window)
	if err != nil {
		// The key is left out of the message: it may hold an email or an IP.
		return l.degraded(preset), fmt.Errorf("ratelimit: preset %q: %w", preset.Name, err)
	}
	r := Result{
		Allowed:   count <= int64(preset.Max),
		Limit:     preset.Max,
		Remaining: int(max(0, int64(preset.Max)-count)),
		Reset:     resetAt,
	}
	if !r.Allowed {
		r.RetryAfter = wholeSeconds(resetAt.Sub(l.now()))
	}
	return r, nil
}

// Ping reports whether the store is reachable; stores that are not Pingers
// are in-process and always are.
func (l *Limiter) Ping(ctx context.Context) error {
	if p, ok := l.store.(Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// degraded is the decision when the store could not be asked. Failing open
// reports a full allowance rather than zero so that well-behaved clients
// that pace themselves by the headers do not back off over our outage.
func (l *Limiter) degraded(p Preset) Result {
	now := l.now()
	if p.FailClosed {
		return Result{Limit: p.Max, Reset: now.Add(failClosedRetry), RetryAfter: failClosedRetry}
	}
	return Result{Allowed: true, Limit: p.Max, Remaining: p.Max, Reset: now.Add(p.Window)}
}

// wholeSeconds rounds d up to whole seconds, at least one: clients read
// Retry-After as an integer, and rounding down would invite a retry that is
// certain to be rejected.
func wholeSeconds(d time.Duration) time.Duration {
	if d <= time.Second {
		return time.Second
	}
	return (d + time.Second - 1) / time.Second * time.Second
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up, the N of the
// reference's "Try again in N seconds." body and its "retryAfter" field.
func (r Result) RetryAfterSeconds() int64 {
	return int64((r.RetryAfter + time.Second - 1) / time.Second)
}

// Header names written by Headers.
const (
	HeaderLimit      = "X-RateLimit-Limit"
	HeaderRemaining  = "X-RateLimit-Remaining"
	HeaderReset      = "X-RateLimit-Reset"
	HeaderRetryAfter = "Retry-After"
)

// Headers returns the response headers for r: the X-RateLimit-* trio on
// every checked request and Retry-After on rejections. Reset is in Unix
// seconds, rounded up so a client waiting until then never arrives early.
func (r Result) Headers() map[string]string {
	h := map[string]string{
		HeaderLimit:     strconv.Itoa(r.Limit),
		HeaderRemaining: strconv.Itoa(max(0, r.Remaining)),
		HeaderReset:     strconv.FormatInt(ceilUnix(r.Reset), 10),
	}
	if !r.Allowed {
		h[HeaderRetryAfter] = strconv.FormatInt(max(1, r.RetryAfterSeconds()), 10)
	}
	return h
}

func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
