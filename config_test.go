package codex

import (
	"io"
	"strings"
	"testing"

	"github.com/matryer/is"
)

func TestConfigFromEnv(t *testing.T) {
	is := is.New(t)
	env := map[string]string{
		"CODEX_DATABASE_URL":    "postgres://u:p@db/codex",
		"CODEX_OWNER_EMAILS":    "Boss@Example.com, other@example.com",
		"CODEX_CREATOR_SIGNUP":  "true",
		"CODEX_ALLOWED_ORIGINS": "https://app.example.com",
		"CODEX_TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.1",
	}
	cfg, err := configFromLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	is.NoErr(err)
	is.Equal(cfg.DatabaseURL, "postgres://u:p@db/codex")
	is.True(cfg.CreatorSignup)
	is.NoErr(cfg.normalize())
	is.Equal(cfg.OwnerEmails, []string{"boss@example.com", "other@example.com"})
	is.Equal(len(cfg.TrustedPrefixes()), 2)
	is.Equal(cfg.AllowedOrigins, []string{"https://app.example.com"})
}

func TestInvalidConfigFailsAtStart(t *testing.T) {
	is := is.New(t)
	_, err := configFromLookup(func(k string) (string, bool) {
		if k == "CODEX_CREATOR_SIGNUP" {
			return "maybe", true
		}
		return "", false
	}, io.Discard)
	is.True(err != nil)
	is.True(strings.Contains(err.Error(), "CODEX_CREATOR_SIGNUP"))

	for _, cfg := range []Config{
		{PublicURL: "ftp://x"},
		{AllowedOrigins: []string{"https://x.example/path"}},
		{TrustedProxies: []string{"not-an-ip"}},
		{OwnerEmails: []string{"nobody"}},
	} {
		is.True(cfg.normalize() != nil)
	}
	c := Config{}
	is.NoErr(c.normalize())
	is.Equal(c.PublicURL, DefaultPublicURL)
	is.Equal(c.AllowedOrigins, []string{"http://localhost:8080"})
}
