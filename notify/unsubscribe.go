package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Unsubscribe tokens are "<base64url(address)>.<base64url(HMAC-SHA256)>".
// They name the address, so one link works for every notice sent to it,
// and they do not expire: an unsubscribe link in an old email must still
// work.

func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (s *Service) mac(addr string) []byte {
	m := hmac.New(sha256.New, s.unsub)
	m.Write([]byte(addr))
	return m.Sum(nil)
}

// UnsubscribeToken returns the token that opts addr out of
// non-transactional email.
func (s *Service) UnsubscribeToken(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(addr)) + "." + enc.EncodeToString(s.mac(addr))
}

// UnsubscribeURL is the link put in non-transactional email and in its
// List-Unsubscribe header.
func (s *Service) UnsubscribeURL(addr string) string {
	return s.cfg.PublicURL + "/api/unsubscribe?token=" + url.QueryEscape(s.UnsubscribeToken(addr))
}

var errBadUnsubscribeToken = fault.InvalidField("query.token", "Invalid unsubscribe token")

// Unsubscribe records the opt-out the token stands for and returns the
// address. Using a token twice is not an error.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	enc := base64.RawURLEncoding
	a, m, ok := strings.Cut(token, ".")
	if !ok {
		return "", errBadUnsubscribeToken
	}
	addr, err1 := enc.DecodeString(a)
	sig, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac(string(addr))) {
		return "", errBadUnsubscribeToken
	}
	if _, err := s.db.EmailOptOuts().Add(ctx, string(addr)); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "email: address unsubscribed")
	return string(addr), nil
}

// Resubscribe removes the address's opt-out, if any.
func (s *Service) Resubscribe(ctx context.Context, addr string) error {
	err := s.db.EmailOptOuts().Remove(ctx, strings.ToLower(strings.TrimSpace(addr)))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// Unsubscribed reports whether the address opted out.
func (s *Service) Unsubscribed(ctx context.Context, addr string) (bool, error) {
	_, err := s.db.EmailOptOuts().Get(ctx, strings.ToLower(strings.TrimSpace(addr)))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// LoadOrCreateSecret returns the platform secret kept in dir/secret.key,
// creating it (32 random bytes, hex, mode 0600) on first use. It is what
// signs links that must stay valid across restarts when no secret is
// configured.
func LoadOrCreateSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		return decodeSecret(path, b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	// Written aside and linked into place, so a concurrent reader never
	// sees a half-written key and of two racing creators one wins.
	f, err := os.CreateTemp(dir, ".secret-*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(raw) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return decodeSecret(path, b)
	} else if err != nil {
		return nil, err
	}
	return raw, nil
}

func decodeSecret(path string, b []byte) ([]byte, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) < 16 {
		return nil, fmt.Errorf("%s: want at least 16 hex-encoded bytes", path)
	}
	return raw, nil
}
