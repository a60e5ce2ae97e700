package ratelimit_test

import (
	"context"
	"fmt"

	"github.com/codexforgo/codex/ratelimit"
)

func Example() {
	// A nil store means the in-process default; pass a redisstore.Store when
	// several instances must share one limit.
	limiter := ratelimit.New(nil)
	ctx := context.Background()

	// Sign-in attempts from one address: the sixth in 15 minutes is refused.
	for attempt := 1; attempt <= 6; attempt++ {
		res, err := limiter.Allow(ctx, ratelimit.Auth, "ip:203.0.113.9")
		if err != nil {
			// The store failed; res still holds the fail-open or
			// fail-closed decision. Log err and act on res.
			fmt.Println("limiter:", err)
		}
		if !res.Allowed {
			fmt.Printf("attempt %d: 429, Retry-After %s s\n", attempt, res.Headers()["Retry-After"])
			continue
		}
		fmt.Printf("attempt %d: allowed, %d remaining\n", attempt, res.Remaining)
	}
	// Output:
	// attempt 1: allowed, 4 remaining
	// attempt 2: allowed, 3 remaining
	// attempt 3: allowed, 2 remaining
	// attempt 4: allowed, 1 remaining
	// attempt 5: allowed, 0 remaining
	// attempt 6: 429, Retry-After 900 s
}
