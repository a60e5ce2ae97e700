package codex

import (
	"context"
	"os"
	"testing"

	"github.com/matryer/is"
)

// With CODEX_REDIS_URL the platform shares rate limits and session
// evictions through Redis.
func TestRedisAdapters(t *testing.T) {
	is := is.New(t)
	url := "redis://127.0.0.1:6379/0"
	c, err := New(context.Background(), Config{DataDir: t.TempDir(), RedisURL: url})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer c.Close()
	is.Equal(c.Adapters()["ratelimit"], "redis")
	is.Equal(c.Adapters()["sessions"], "redis-evictions")
}
