package ratelimit

import (
	"context"
	"sync"
	"time"
)

const (
	// sweepFloor is the map size below which expired entries are only
	// replaced lazily; it matches the reference's 10k-key pruning threshold.
	sweepFloor = 10_000
	// sweepEvery bounds how long expired keys can linger in a map above the
	// floor that has stopped growing, e.g. after a scan from many addresses.
	sweepEvery = time.Minute
)

// MemoryStore is an in-process Store: right for one instance, and the
// default. Memory stays proportional to the keys seen within one window:
// expired entries are replaced on their next hit, and once the map holds
// more than 10k keys it is swept when a new key arrives and either the map
// has doubled since the last sweep or a minute has passed. That keeps
// sweeping O(1) amortised per hit. It starts no goroutines, so it needs no
// Close.
type MemoryStore struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memoryEntry
	// sweepAt is the map size that triggers the next sweep, and nextSweep
	// the time after which any size above sweepFloor does.
	sweepAt   int
	nextSweep time.Time
}

type memoryEntry struct {
	count   int64
	resetAt time.Time
}

// MemoryOption configures a MemoryStore.
type MemoryOption func(*MemoryStore)

// WithMemoryClock replaces time.Now, so tests can move through windows
// without sleeping.
func WithMemoryClock(now func() time.Time) MemoryOption {
	return func(s *MemoryStore) { s.now = now }
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	s := &MemoryStore{now: time.Now, entries: make(map[string]memoryEntry), sweepAt: sweepFloor}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Hit implements Store. It never fails except on a cancelled context, which
// keeps it consistent with remote stores.
func (s *MemoryStore) Hit(ctx context.Context, key string, window time.Duration) (int64, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return 0, time.Time{}, err
	}
	now := s.now()

	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || !now.Before(e.resetAt) {
		e = memoryEntry{resetAt: now.Add(window)}
		if !ok && (len(s.entries) >= s.sweepAt || len(s.entries) >= sweepFloor && !now.Before(s.nextSweep)) {
			s.sweep(now)
		}
	}
	e.count++
	s.entries[key] = e
	return e.count, e.resetAt, nil
}

// sweep drops expired entries. It copies the live ones into a new map
// rather than deleting in place because Go maps never give back the memory
// of deleted entries, and a burst of one-off keys (a scan from many IPs)
// would otherwise pin its peak size forever. Called with mu held.
func (s *MemoryStore) sweep(now time.Time) {
	live := make(map[string]memoryEntry)
	for k, e := range s.entries {
		if now.Before(e.resetAt) {
			live[k] = e
		}
	}
	s.entries = live
	s.sweepAt = max(sweepFloor, 2*len(live))
	s.nextSweep = now.Add(sweepEvery)
}

// Len is the number of keys held, including expired ones not yet swept; it
// is meant for metrics.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}
