package redisstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/ratelimit/redisstore"
)

func Example() {
	// The caller owns the client: its address, timeouts and lifetime.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DialTimeout: time.Second})
	defer client.Close()

	limiter := ratelimit.New(redisstore.New(client, redisstore.WithKeyPrefix("codex:")))
	res, err := limiter.Allow(context.Background(), ratelimit.API, "user:42:GET /api/content")
	if err != nil {
		// Redis is down: API fails open, so log and serve the request.
		fmt.Println("rate limiter degraded:", err)
	}
	fmt.Println(res.Allowed)
}
