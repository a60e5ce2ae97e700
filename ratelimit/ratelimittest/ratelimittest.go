// Package ratelimittest is the behavioural suite every ratelimit.Store must
// pass, so the in-process and Redis stores cannot drift apart.
package ratelimittest

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/ratelimit"
)

// Env is one store under test together with the clock it runs on.
type Env struct {
	// Store is empty, and private to the test that asked for it.
	Store ratelimit.Store
	// Now is the store's clock.
	Now func() time.Time
	// Wait lets d pass on that clock: a fake clock advances, a real one
	// sleeps.
	Wait func(d time.Duration)
	// Window is the window used by the expiry case: the real auth window
	// when time is fake, a second or two when it is real.
	Window time.Duration
}

// Run runs the suite, calling newEnv once per case.
func Run(t *testing.T, newEnv func(t *testing.T) Env) {
	t.Run("SixthAuthHitRejectedUntilNewWindow", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		l := ratelimit.New(env.Store, ratelimit.WithClock(env.Now))
		p := ratelimit.Auth
		p.Window = env.Window
		ctx := t.Context()

		var first ratelimit.Result
		for i := range p.Max {
			r, err := l.Allow(ctx, p, "ip:192.0.2.1")
			is.NoErr(err)
			is.True(r.Allowed) // within the limit
			if i == 0 {
				first = r
			}
			// One window for the whole burst. A remote store derives Reset
			// from a TTL and the local clock, so allow for round-trip jitter.
			is.True(absDur(r.Reset.Sub(first.Reset)) < env.Window/20)
		}
		r, err := l.Allow(ctx, p, "ip:192.0.2.1")
		is.NoErr(err)
		is.True(!r.Allowed) // the (max+1)-th hit is rejected
		is.Equal(r.Remaining, 0)
		is.True(r.RetryAfter >= time.Second)                 // a rejected client is told to wait
		is.Equal(r.RetryAfter%time.Second, time.Duration(0)) // in whole seconds
		is.True(r.RetryAfter <= p.Window+time.Second)

		env.Wait(r.Reset.Sub(env.Now()) + env.Window/20)
		r, err = l.Allow(ctx, p, "ip:192.0.2.1")
		is.NoErr(err)
		is.True(r.Allowed)                  // a new window allows again
		is.Equal(r.Remaining, p.Max-1)      // and starts counting afresh
		is.True(r.Reset.After(first.Reset)) // with a later reset
	})

	t.Run("RemainingCountsDown", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		l := ratelimit.New(env.Store, ratelimit.WithClock(env.Now))
		p := ratelimit.Strict
		for want := p.Max - 1; want >= 0; want-- {
			r, err := l.Allow(t.Context(), p, "user:u1")
			is.NoErr(err)
			is.True(r.Allowed)
			is.Equal(r.Limit, p.Max)
			is.Equal(r.Remaining, want)
		}
		r, err := l.Allow(t.Context(), p, "user:u1")
		is.NoErr(err)
		is.True(!r.Allowed)
		is.Equal(r.Remaining, 0) // never negative
	})

	t.Run("RejectedHitsStillCount", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		l := ratelimit.New(env.Store, ratelimit.WithClock(env.Now))
		p := ratelimit.Auth
		for range p.Max + 3 {
			_, err := l.Allow(t.Context(), p, "k")
			is.NoErr(err)
		}
		n, _, err := env.Store.Hit(t.Context(), p.Prefix+"k", p.Window)
		is.NoErr(err)
		is.Equal(n, int64(p.Max+4))
	})

	t.Run("KeysAndPrefixesAreIndependent", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		l := ratelimit.New(env.Store, ratelimit.WithClock(env.Now))
		p := ratelimit.Auth
		for range p.Max + 1 {
			_, err := l.Allow(t.Context(), p, "ip:198.51.100.7")
			is.NoErr(err)
		}
		r, err := l.Allow(t.Context(), p, "ip:198.51.100.8")
		is.NoErr(err)
		is.True(r.Allowed) // another client is unaffected
		is.Equal(r.Remaining, p.Max-1)

		s := ratelimit.Streaming
		s.Max = 1
		r, err = l.Allow(t.Context(), s, "ip:198.51.100.7")
		is.NoErr(err)
		is.True(r.Allowed) // the streaming prefix keeps its own counter
	})

	t.Run("ConcurrentHitsAllowExactlyMax", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		l := ratelimit.New(env.Store, ratelimit.WithClock(env.Now))
		p := ratelimit.Strict
		const workers = 100
		var allowed atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				<-start
				r, err := l.Allow(context.WithoutCancel(t.Context()), p, "hot")
				if err != nil {
					errs <- err
					return
				}
				if r.Allowed {
					allowed.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			is.NoErr(err)
		}
		is.Equal(allowed.Load(), int64(p.Max)) // no race lets extra requests through
		n, _, err := env.Store.Hit(t.Context(), p.Prefix+"hot", p.Window)
		is.NoErr(err)
		is.Equal(n, int64(workers+1)) // and no hit was lost
	})

	t.Run("ManyKeys", func(t *testing.T) {
		is := is.New(t)
		env := newEnv(t)
		for i := range 50 {
			n, reset, err := env.Store.Hit(t.Context(), "many:"+strconv.Itoa(i), time.Minute)
			is.NoErr(err)
			is.Equal(n, int64(1))
			is.True(reset.After(env.Now()))
			is.True(!reset.After(env.Now().Add(time.Minute)))
		}
	})
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
