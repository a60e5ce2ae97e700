package ratelimit_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/ratelimit"
)

var errDown = errors.New("store down")

type failingStore struct{}

func (failingStore) Hit(context.Context, string, time.Duration) (int64, time.Time, error) {
	return 0, time.Time{}, errDown
}

func (failingStore) Ping(context.Context) error { return errDown }

func TestPresetsMatchReference(t *testing.T) {
	is := is.New(t)
	want := []ratelimit.Preset{
		{Name: "auth", Window: 15 * time.Minute, Max: 5, Prefix: "rl:", FailClosed: true},
		{Name: "strict", Window: time.Minute, Max: 20, Prefix: "rl:"},
		{Name: "streaming", Window: time.Minute, Max: 60, Prefix: "rl:stream:"},
		{Name: "api", Window: time.Minute, Max: 100, Prefix: "rl:"},
		{Name: "webhook", Window: time.Minute, Max: 1000, Prefix: "rl:"},
		{Name: "web", Window: time.Minute, Max: 300, Prefix: "rl:"},
	}
	is.Equal(ratelimit.Presets(), want)
	exported := []ratelimit.Preset{ratelimit.Auth, ratelimit.Strict, ratelimit.Streaming, ratelimit.API, ratelimit.Webhook, ratelimit.Web}
	is.Equal(exported, want)
	for _, p := range want {
		got, ok := ratelimit.PresetByName(p.Name)
		is.True(ok)
		is.Equal(got, p)
		is.NoErr(p.Validate())
	}
	_, ok := ratelimit.PresetByName("public")
	is.True(!ok) // the reference names it but never defined it
}

func TestFailOpenAndFailClosed(t *testing.T) {
	is := is.New(t)
	clk := newFakeClock()
	l := ratelimit.New(failingStore{}, ratelimit.WithClock(clk.Now))

	r, err := l.Allow(t.Context(), ratelimit.API, "ip:192.0.2.1")
	is.True(errors.Is(err, errDown)) // the caller gets the cause to log
	is.True(r.Allowed)               // api fails open: a store outage is not a platform outage
	is.Equal(r.Limit, ratelimit.API.Max)
	is.Equal(r.Remaining, ratelimit.API.Max)
	is.Equal(r.RetryAfter, time.Duration(0))

	r, err = l.Allow(t.Context(), ratelimit.Auth, "ip:192.0.2.1")
	is.True(errors.Is(err, errDown))
	is.True(!r.Allowed) // auth fails closed: no unthrottled password guessing
	is.Equal(r.Remaining, 0)
	is.True(r.RetryAfter >= time.Second)
	is.Equal(r.Headers()["Retry-After"], "5")

	is.True(errors.Is(l.Ping(t.Context()), errDown)) // health checks see the outage
}

func TestInvalidInputsFollowFailurePolicy(t *testing.T) {
	is := is.New(t)
	l := ratelimit.New(nil)

	r, err := l.Allow(t.Context(), ratelimit.API, "")
	is.True(errors.Is(err, ratelimit.ErrEmptyKey))
	is.True(r.Allowed)
	r, err = l.Allow(t.Context(), ratelimit.Auth, "")
	is.True(errors.Is(err, ratelimit.ErrEmptyKey))
	is.True(!r.Allowed)

	for _, p := range []ratelimit.Preset{
		{Name: "zero"},
		{Name: "nomax", Window: time.Minute},
		{Name: "tiny", Window: time.Microsecond, Max: 1},
	} {
		_, err := l.Allow(t.Context(), p, "k")
		is.True(errors.Is(err, ratelimit.ErrInvalidPreset))
	}
}

func TestNilStoreDefaultsToMemory(t *testing.T) {
	is := is.New(t)
	clk := newFakeClock()
	l := ratelimit.New(nil, ratelimit.WithClock(clk.Now))
	is.NoErr(l.Ping(t.Context()))
	for range ratelimit.Auth.Max {
		r, err := l.Allow(t.Context(), ratelimit.Auth, "k")
		is.NoErr(err)
		is.True(r.Allowed)
	}
	r, err := l.Allow(t.Context(), ratelimit.Auth, "k")
	is.NoErr(err)
	is.True(!r.Allowed)
	is.Equal(r.RetryAfter, 15*time.Minute) // the default store shares the limiter's clock

	clk.Advance(10*time.Minute + 300*time.Millisecond)
	r, err = l.Allow(t.Context(), ratelimit.Auth, "k")
	is.NoErr(err)
	is.Equal(r.RetryAfter, 5*time.Minute) // 4m59.7s rounds up, never down
}

func TestHeaders(t *testing.T) {
	is := is.New(t)
	clk := newFakeClock()
	l := ratelimit.New(nil, ratelimit.WithClock(clk.Now))
	p := ratelimit.Auth
	reset := clk.Now().Add(p.Window)

	r, err := l.Allow(t.Context(), p, "k")
	is.NoErr(err)
	is.Equal(r.Headers(), map[string]string{
		"X-RateLimit-Limit":     "5",
		"X-RateLimit-Remaining": "4",
		"X-RateLimit-Reset":     itoa(reset.Unix()),
	}) // no Retry-After while allowed

	for range p.Max {
		clk.Advance(100 * time.Millisecond)
		r, err = l.Allow(t.Context(), p, "k")
		is.NoErr(err)
	}
	is.True(!r.Allowed)
	is.Equal(r.Headers(), map[string]string{
		"X-RateLimit-Limit":     "5",
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset":     itoa(reset.Unix()),
		"Retry-After":           "900", // 899.5 s rounded up
	})
	is.Equal(r.RetryAfterSeconds(), int64(900))
}

func TestHeadersRoundUp(t *testing.T) {
	is := is.New(t)
	r := ratelimit.Result{
		Limit:      20,
		Remaining:  -3, // a hand-built Result never leaks a negative count
		Reset:      time.Unix(1_700_000_000, 1),
		RetryAfter: 1500 * time.Millisecond,
	}
	h := r.Headers()
	is.Equal(h["X-RateLimit-Reset"], "1700000001") // a client waiting until Reset never arrives early
	is.Equal(h["X-RateLimit-Remaining"], "0")
	is.Equal(h["Retry-After"], "2")

	r.RetryAfter = 0
	is.Equal(r.Headers()["Retry-After"], "1") // a rejection always asks for a wait
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
