package redisevictions_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/matryer/is"
	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/auth/redisevictions"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("CODEX_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at %s: %v", addr, err)
		}
		t.Skipf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

type noMail struct{}

func (noMail) Send(context.Context, auth.Email) {}

// Two instances share one database, each with its own session cache: a
// sign-out on one must be refused by the other at once, well inside the
// cache TTL.
func TestSignOutOnOneInstanceIsRefusedByTheOther(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	rdb := redisClient(t)
	b := make([]byte, 6)
	rand.Read(b)
	channel := "codex-test:" + hex.EncodeToString(b)

	db := memory.New()
	instance := func() *auth.Service {
		bus := redisevictions.New(rdb, channel, nil)
		svc := auth.New(db, noMail{}, auth.Config{Evictions: bus, CacheTTL: time.Minute})
		is.NoErr(bus.Subscribe(ctx, svc.ApplyEviction))
		t.Cleanup(func() { bus.Close() })
		return svc
	}
	a, c := instance(), instance()

	u, err := a.SignUp(ctx, auth.SignUp{Email: "x@example.com", Password: "pass word 1", Name: "X"})
	is.NoErr(err)
	_, err = db.Users().Update(ctx, u.ID, store.UserPatch{EmailVerified: store.Some(true)})
	is.NoErr(err)
	s, err := a.SignIn(ctx, auth.SignIn{Email: "x@example.com", Password: "pass word 1"})
	is.NoErr(err)
	_, err = c.Authenticate(ctx, s.Token) // cached on the other instance
	is.NoErr(err)

	is.NoErr(a.SignOut(ctx, s.Token))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err = c.Authenticate(ctx, s.Token)
		if errors.Is(err, fault.Unauthenticated) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	is.True(errors.Is(err, fault.Unauthenticated)) // evicted long before the 1 min TTL
}
