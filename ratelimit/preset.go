package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// Preset is a named fixed-window limit: at most Max requests per Window for
// one key. The (Max+1)-th request in a window is rejected, and rejected
// requests still count, so a client that keeps hammering stays blocked until
// the window ends instead of being let through by its own failures.
type Preset struct {
	// Name identifies the preset in logs and errors.
	Name string
	// Window is the length of a fixed window, starting at the first hit.
	Window time.Duration
	// Max is the number of requests allowed per window.
	Max int
	// Prefix is prepended to every key, so presets that must not share
	// counters can be kept apart. Presets with the same prefix share a
	// counter for the same key: callers make keys distinct (e.g. by route).
	Prefix string
	// FailClosed rejects requests when the store cannot be reached. Most
	// routes fail open so an outage of the limiter's store does not become
	// an outage of the platform; sign-in and friends fail closed because a
	// silently disabled limiter there turns into unthrottled password
	// guessing.
	FailClosed bool
}

// The reference presets. They are values, so a caller that needs a variant
// copies one and changes a field; PresetByName always returns the originals.
var (
	// Auth guards sign-in, sign-up, password reset and verification resend.
	Auth = presetAuth()
	// Strict guards sensitive operations.
	Strict = presetStrict()
	// Streaming guards the issuing of playback grants and signed URLs.
	Streaming = presetStreaming()
	// API is the default for API routes.
	API = presetAPI()
	// Webhook guards inbound webhooks, which arrive in bursts.
	Webhook = presetWebhook()
	// Web is for general web traffic.
	Web = presetWeb()
)

// The constructors keep PresetByName independent of the exported variables,
// which any importer could overwrite.
func presetAuth() Preset {
	return Preset{Name: "auth", Window: 15 * time.Minute, Max: 5, Prefix: "rl:", FailClosed: true}
}
func presetStrict() Preset {
	return Preset{Name: "strict", Window: time.Minute, Max: 20, Prefix: "rl:"}
}
func presetStreaming() Preset {
	return Preset{Name: "streaming", Window: time.Minute, Max: 60, Prefix: "rl:stream:"}
}
func presetAPI() Preset { return Preset{Name: "api", Window: time.Minute, Max: 100, Prefix: "rl:"} }
func presetWebhook() Preset {
	return Preset{Name: "webhook", Window: time.Minute, Max: 1000, Prefix: "rl:"}
}
func presetWeb() Preset { return Preset{Name: "web", Window: time.Minute, Max: 300, Prefix: "rl:"} }

// Presets returns the reference presets in a stable order.
func Presets() []Preset {
	return []Preset{presetAuth(), presetStrict(), presetStreaming(), presetAPI(), presetWebhook(), presetWeb()}
}

// PresetByName returns the reference preset with the given name. The
// reference's policies name a "public" preset that never existed; it is not
// invented here, so such a lookup reports false and the caller picks a
// deliberate fallback.
func PresetByName(name string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// ErrInvalidPreset reports a preset that cannot limit anything.
var ErrInvalidPreset = errors.New("ratelimit: invalid preset")

// Validate reports whether p can be enforced. Windows are limited to whole
// milliseconds because that is the resolution of Redis expiries.
func (p Preset) Validate() error {
	switch {
	case p.Max <= 0:
		return fmt.Errorf("%w %q: max must be positive, got %d", ErrInvalidPreset, p.Name, p.Max)
	case p.Window < time.Millisecond:
		return fmt.Errorf("%w %q: window must be at least 1ms, got %s", ErrInvalidPreset, p.Name, p.Window)
	}
	return nil
}
