package redisstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/matryer/is"
	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/ratelimit/ratelimittest"
	"github.com/codexforgo/codex/ratelimit/redisstore"
)

// testClient connects to the test Redis, failing under CI (where a missing
// Redis means the adapter went untested) and skipping elsewhere.
func testClient(tb testing.TB) *redis.Client {
	tb.Helper()
	addr := os.Getenv("CODEX_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		DialTimeout:  500 * time.Millisecond,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
		PoolSize:     128, // the concurrency case opens 100 requests at once
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis at %s unreachable: %v", addr, err)
		}
		tb.Skipf("redis at %s unreachable: %v", addr, err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// isolated returns a Store whose keys live under a random prefix and are
// deleted when the test ends.
func isolated(tb testing.TB, c *redis.Client) (*redisstore.Store, string) {
	prefix := "codextest:" + rand.Text() + ":"
	tb.Cleanup(func() {
		// tb.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("delete test keys: %v", err)
			}
		}
	})
	return redisstore.New(c, redisstore.WithKeyPrefix(prefix)), prefix
}

func TestRedisStore(t *testing.T) {
	c := testClient(t)
	ratelimittest.Run(t, func(t *testing.T) ratelimittest.Env {
		s, _ := isolated(t, c)
		return ratelimittest.Env{
			Store:  s,
			Now:    time.Now,
			Wait:   time.Sleep,
			Window: 2 * time.Second,
		}
	})
}

func TestRedisKeysAndExpiry(t *testing.T) {
	is := is.New(t)
	c := testClient(t)
	s, prefix := isolated(t, c)
	l := ratelimit.New(s)

	_, err := l.Allow(t.Context(), ratelimit.Streaming, "user:u1")
	is.NoErr(err)
	key := prefix + "rl:stream:user:u1" // <namespace><preset prefix><key>
	n, err := c.Get(t.Context(), key).Int64()
	is.NoErr(err)
	is.Equal(n, int64(1))
	ttl, err := c.PTTL(t.Context(), key).Result()
	is.NoErr(err)
	is.True(ttl > 59*time.Second && ttl <= time.Minute) // the key expires with its window

	// Later hits keep the window's end instead of extending it.
	time.Sleep(20 * time.Millisecond)
	_, err = l.Allow(t.Context(), ratelimit.Streaming, "user:u1")
	is.NoErr(err)
	ttl2, err := c.PTTL(t.Context(), key).Result()
	is.NoErr(err)
	is.True(ttl2 < ttl)
}

func TestRedisRepairsKeyWithoutExpiry(t *testing.T) {
	is := is.New(t)
	c := testClient(t)
	s, prefix := isolated(t, c)

	// A counter left behind without a TTL would lock its client out forever.
	is.NoErr(c.Set(t.Context(), prefix+"rl:k", 7, 0).Err())
	n, reset, err := s.Hit(t.Context(), "rl:k", time.Minute)
	is.NoErr(err)
	is.Equal(n, int64(8))
	is.True(time.Until(reset) > 59*time.Second)
	ttl, err := c.PTTL(t.Context(), prefix+"rl:k").Result()
	is.NoErr(err)
	is.True(ttl > 0)
}

func TestRedisUnreachable(t *testing.T) {
	is := is.New(t)
	// Nothing listens on port 1, so every call fails fast, as in an outage.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	l := ratelimit.New(redisstore.New(c))

	r, err := l.Allow(t.Context(), ratelimit.API, "ip:192.0.2.1")
	is.True(err != nil)
	is.True(r.Allowed) // fail open: an outage of Redis is not an outage of the API

	r, err = l.Allow(t.Context(), ratelimit.Auth, "ip:192.0.2.1")
	is.True(err != nil)
	is.True(!r.Allowed) // fail closed on auth

	is.True(l.Ping(t.Context()) != nil) // and the health check says why
}

func TestRedisPing(t *testing.T) {
	is := is.New(t)
	s := redisstore.New(testClient(t))
	is.NoErr(s.Ping(t.Context()))
}

func TestRedisCancelledContext(t *testing.T) {
	is := is.New(t)
	s, _ := isolated(t, testClient(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := s.Hit(ctx, "k", time.Minute)
	is.True(errors.Is(err, context.Canceled))
}

func BenchmarkRedisAllow(b *testing.B) {
	c := testClient(b)
	s, _ := isolated(b, c)
	l := ratelimit.New(s)
	ctx := context.Background()
	b.Run("OneKey", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.Allow(ctx, ratelimit.API, "ip:192.0.2.1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ManyKeysParallel", func(b *testing.B) {
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
