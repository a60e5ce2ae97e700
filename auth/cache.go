package auth

import (
	"sync"
	"time"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/store"
)

type resolved struct {
	actor   *actor.Actor
	session store.Session
	user    store.User
}

type cacheEntry struct {
	r     *resolved
	until time.Time // cache expiry, never past the session's own expiry
}

// sessionCache keeps resolved sessions for a short TTL so that most
// requests need no database round trip. Entries are keyed by token hash.
type sessionCache struct {
	ttl time.Duration
	max int

	mu      sync.RWMutex
	entries map[string]cacheEntry
}

func newSessionCache(ttl time.Duration, max int) *sessionCache {
	return &sessionCache{ttl: ttl, max: max, entries: make(map[string]cacheEntry)}
}

func (c *sessionCache) get(hash string, now time.Time) (*resolved, bool) {
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.r, true
}

func (c *sessionCache) put(hash string, r *resolved, now time.Time) {
	until := now.Add(c.ttl)
	if r.session.ExpiresAt.Before(until) {
		until = r.session.ExpiresAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.prune(now)
	}
	c.entries[hash] = cacheEntry{r: r, until: until}
}

// prune drops expired entries, and if that is not enough, everything: the
// cache is an optimisation and refills from the database.
func (c *sessionCache) prune(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
}

func (c *sessionCache) evict(hash string) {
	c.mu.Lock()
	delete(c.entries, hash)
	c.mu.Unlock()
}

func (c *sessionCache) evictUser(userID, exceptSession string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.r.user.ID == userID && e.r.session.ID != exceptSession {
			delete(c.entries, k)
		}
	}
}
