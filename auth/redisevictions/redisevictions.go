// Package redisevictions shares auth's session-cache evictions between
// server instances over a Redis pub/sub channel, so that a sign-out or a
// role change on one instance is refused by every instance at once instead
// of after the cache TTL.
package redisevictions

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/auth"
)

// DefaultChannel is the pub/sub channel evictions travel on.
const DefaultChannel = "codex:auth:evictions"

// Bus publishes and receives evictions. It implements auth.Evictions.
type Bus struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	mu  sync.Mutex
	sub *redis.PubSub
	wg  sync.WaitGroup
}

// New returns a bus on rdb (the caller owns the client). An empty channel
// means DefaultChannel.
func New(rdb redis.UniversalClient, channel string, log *slog.Logger) *Bus {
	if channel == "" {
		channel = DefaultChannel
	}
	if log == nil {
		log = slog.Default()
	}
	return &Bus{rdb: rdb, channel: channel, log: log}
}

// Publish announces e to every subscribed instance. A failure is logged,
// not returned: the cache TTL still bounds how long others trust a session.
func (b *Bus) Publish(ctx context.Context, e auth.Eviction) {
	msg, err := json.Marshal(e)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := b.rdb.Publish(ctx, b.channel, msg).Err(); err != nil {
		b.log.WarnContext(ctx, "session eviction not published", "err", err)
	}
}

// Subscribe delivers every eviction published on the channel (this
// instance's own included; applying one twice is harmless) to apply, until
// Close. It returns once the subscription is live, so no eviction published
// after it returns is missed.
func (b *Bus) Subscribe(ctx context.Context, apply func(auth.Eviction)) error {
	sub := b.rdb.Subscribe(ctx, b.channel)
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return err
	}
	b.mu.Lock()
	b.sub = sub
	b.mu.Unlock()
	ch := sub.Channel()
	b.wg.Go(func() {
		for m := range ch {
			var e auth.Eviction
			if err := json.Unmarshal([]byte(m.Payload), &e); err != nil {
				b.log.Warn("malformed session eviction ignored", "err", err)
				continue
			}
			apply(e)
		}
	})
	return nil
}

// Close ends the subscription and waits for its goroutine.
func (b *Bus) Close() error {
	b.mu.Lock()
	sub := b.sub
	b.sub = nil
	b.mu.Unlock()
	if sub == nil {
		return nil
	}
	err := sub.Close()
	b.wg.Wait()
	if errors.Is(err, redis.ErrClosed) {
		return nil
	}
	return err
}
