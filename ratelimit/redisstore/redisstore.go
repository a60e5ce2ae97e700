// Package redisstore is a ratelimit.Store on Redis, for many instances that
// must share one limit.
//
// Each hit is one round trip running a small Lua script, so the increment
// and the start of a window are a single atomic step on the server; two
// instances can never both believe they started a window or lose a count.
// The caller owns the client and its connection settings (timeouts, TLS,
// cluster or sentinel): pass any redis.UniversalClient.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/ratelimit"
)

// hitScript increments the counter and starts the window on the first hit.
// It also repairs a key that has no expiry (PTTL -1), e.g. one written by
// hand or by another tool: without that, the key would never expire and the
// client would be locked out for good.
var hitScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Store is a ratelimit.Store backed by Redis. It is safe for concurrent
// use.
type Store struct {
	client    redis.UniversalClient
	keyPrefix string
}

var _ ratelimit.Store = (*Store)(nil)
var _ ratelimit.Pinger = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithKeyPrefix puts every key under prefix, in front of the preset's own
// prefix, so several deployments (or tests) can share one Redis database.
func WithKeyPrefix(prefix string) Option {
	return func(s *Store) { s.keyPrefix = prefix }
}

// New returns a Store using client. Closing the client remains the caller's
// job.
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{client: client}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Hit implements ratelimit.Store. The window's end is computed from the
// key's remaining TTL on the server and the local clock, so it is correct
// even when the instance's clock and the Redis server's disagree.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration) (int64, time.Time, error) {
	ms := window.Milliseconds()
	if ms < 1 {
		return 0, time.Time{}, fmt.Errorf("redisstore: window %s is below Redis's 1ms resolution", window)
	}
	// The key is not put in error messages: it may hold an email or an IP.
	vals, err := hitScript.Run(ctx, s.client, []string{s.keyPrefix + key}, ms).Int64Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: hit: %w", err)
	}
	if len(vals) != 2 {
		return 0, time.Time{}, errors.New("redisstore: hit: unexpected script reply")
	}
	return vals[0], time.Now().Add(time.Duration(vals[1]) * time.Millisecond), nil
}

// Ping reports whether Redis answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}
