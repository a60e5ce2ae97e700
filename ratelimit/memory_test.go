package ratelimit_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/ratelimit/ratelimittest"
)

// fakeClock is safe for concurrent use because the suite's concurrency case
// reads it from many goroutines.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryStore(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) ratelimittest.Env {
		clk := newFakeClock()
		return ratelimittest.Env{
			Store:  ratelimit.NewMemoryStore(ratelimit.WithMemoryClock(clk.Now)),
			Now:    clk.Now,
			Wait:   clk.Advance,
			Window: ratelimit.Auth.Window,
		}
	})
}

func TestMemoryStoreWindowBoundary(t *testing.T) {
	is := is.New(t)
	clk := newFakeClock()
	s := ratelimit.NewMemoryStore(ratelimit.WithMemoryClock(clk.Now))
	ctx := t.Context()

	n, reset, err := s.Hit(ctx, "k", time.Minute)
	is.NoErr(err)
	is.Equal(n, int64(1))
	is.Equal(reset, clk.Now().Add(time.Minute)) // the window starts at the first hit

	clk.Advance(time.Minute - time.Nanosecond)
	n, _, err = s.Hit(ctx, "k", time.Minute)
	is.NoErr(err)
	is.Equal(n, int64(2)) // still inside the window

	clk.Advance(time.Nanosecond)
	n, reset2, err := s.Hit(ctx, "k", time.Minute)
	is.NoErr(err)
	is.Equal(n, int64(1)) // the window ends exactly at reset
	is.Equal(reset2, reset.Add(time.Minute))
}

func TestMemoryStoreSweepsExpiredKeys(t *testing.T) {
	is := is.New(t)
	clk := newFakeClock()
	s := ratelimit.NewMemoryStore(ratelimit.WithMemoryClock(clk.Now))
	ctx := t.Context()

	// A scan from many addresses leaves one-off keys behind.
	const burst = 25_000
	for i := range burst {
		_, _, err := s.Hit(ctx, "ip:"+strconv.Itoa(i), time.Minute)
		is.NoErr(err)
	}
	is.Equal(s.Len(), burst) // all live: nothing may be dropped yet

	clk.Advance(2 * time.Minute)
	for i := range 100 {
		_, _, err := s.Hit(ctx, "later:"+strconv.Itoa(i), time.Minute)
		is.NoErr(err)
	}
	is.True(s.Len() <= 100) // expired keys are gone once the map grows

	// Live keys survive a sweep with their counts.
	for range 3 {
		_, _, err := s.Hit(ctx, "later:0", time.Minute)
		is.NoErr(err)
	}
	for i := range 20_000 {
		_, _, err := s.Hit(ctx, "again:"+strconv.Itoa(i), time.Minute)
		is.NoErr(err)
	}
	n, _, err := s.Hit(ctx, "later:0", time.Minute)
	is.NoErr(err)
	is.Equal(n, int64(5))
}

func TestMemoryStoreCancelledContext(t *testing.T) {
	is := is.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := ratelimit.NewMemoryStore().Hit(ctx, "k", time.Minute)
	is.True(err != nil)
}

func BenchmarkMemoryAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("OneKey", func(b *testing.B) {
		l := ratelimit.New(ratelimit.NewMemoryStore())
		for b.Loop() {
			if _, err := l.Allow(ctx, ratelimit.API, "ip:192.0.2.1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ManyKeysParallel", func(b *testing.B) {
		l := ratelimit.New(ratelimit.NewMemoryStore())
		keys := make([]string, 4096)
		for i := range keys {
			keys[i] = "ip:" + strconv.Itoa(i)
		}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := l.Allow(ctx, ratelimit.API, keys[i%len(keys)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}
