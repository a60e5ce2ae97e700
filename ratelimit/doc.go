// Package ratelimit enforces fixed-window request limits, independent of HTTP.
//
// A Limiter asks a Store to count a hit for "<preset prefix><key>" and turns
// the count into a Result: whether the request is allowed, how many remain,
// when the window resets and how long a rejected client should wait. The
// server wraps it in middleware and writes Result.Headers on every checked
// response.
//
// Two stores exist: the in-process MemoryStore (the default, right for a
// single instance) and ratelimit/redisstore for many instances sharing one
// limit. Both count atomically, so concurrent requests are never
// under-counted, which the reference's read-modify-write limiter did.
//
// # Store failures
//
// When the store fails, Allow still returns a decision together with the
// error, so the caller can log the error and carry on: presets fail open
// (Allowed is true) unless Preset.FailClosed is set, as it is for Auth,
// where Allowed is false. A store outage therefore never becomes a 500, and
// never silently disables brute-force protection on sign-in.
package ratelimit
