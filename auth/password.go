package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Argon2id parameters: OWASP's m=19 MiB, t=2, p=1.
type hashParams struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
	keyLen    uint32
	saltLen   int
}

var defaultParams = hashParams{memoryKiB: 19 * 1024, time: 2, threads: 1, keyLen: 32, saltLen: 16}

// hasher hashes and verifies passwords with a bound on how many run at
// once: each hash holds ~19 MiB, so unbounded concurrency is a memory DoS.
type hasher struct {
	params hashParams
	slots  chan struct{}
	dummy  string // verified against for unknown accounts, to even out timing
}

func newHasher(params hashParams, concurrency int) *hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	h := &hasher{params: params, slots: make(chan struct{}, concurrency)}
	h.dummy = h.encode(make([]byte, params.saltLen), h.key("codex-dummy-password", make([]byte, params.saltLen)))
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.slots }

func (h *hasher) key(password string, salt []byte) []byte {
	p := h.params
	return argon2.IDKey([]byte(password), salt, p.time, p.memoryKiB, p.threads, p.keyLen)
}

func (h *hasher) encode(salt, key []byte) string {
	p := h.params
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memoryKiB, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// Hash returns the PHC string of the normalised password.
func (h *hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, h.params.saltLen)
	rand.Read(salt)
	return h.encode(salt, h.key(normalizePassword(password), salt)), nil
}

// Verify reports whether password matches the PHC string. An empty encoded
// hash is checked against a dummy so that unknown accounts cost the same.
func (h *hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if encoded == "" {
		h.verifyEncoded(password, h.dummy)
		return false, nil
	}
	return h.verifyEncoded(normalizePassword(password), encoded), nil
}

func (h *hasher) verifyEncoded(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p == 0 || t == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func normalizePassword(p string) string { return norm.NFKC.String(p) }

// Password rules: 8..128 runes after NFKC normalisation, at least one
// letter and one digit.
const (
	MinPasswordRunes = 8
	MaxPasswordRunes = 128
)

// checkPassword returns the auth error code for a password that breaks the
// rules, or "" when it is acceptable.
func checkPassword(p string) (code, message string) {
	p = normalizePassword(p)
	n := utf8.RuneCountInString(p)
	if n < MinPasswordRunes {
		return CodePasswordTooShort, fmt.Sprintf("Password must be at least %d characters", MinPasswordRunes)
	}
	if n > MaxPasswordRunes {
		return CodePasswordTooLong, fmt.Sprintf("Password must be %d characters or less", MaxPasswordRunes)
	}
	var letter, digit bool
	for _, r := range p {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		return CodePasswordTooWeak, "Password must contain at least one letter and one digit"
	}
	return "", ""
}
