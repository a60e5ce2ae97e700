package codex

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/codexforgo/codex/logging"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/store"
)

// Config configures a platform. The zero value means the embedded defaults:
// in-memory database, blobs under DataDir, log mailer, local test payments.
type Config struct {
	// DatabaseURL is a PostgreSQL URL; empty means the in-memory store.
	DatabaseURL string
	// MigrateOnStart applies pending schema migrations in New.
	MigrateOnStart bool
	// DataDir holds local state (disk blobs). Default: ./codex-data.
	DataDir string
	// PublicURL is the base for links in emails and signed URLs.
	// Default: http://localhost:8080.
	PublicURL string
	// AllowedOrigins are the browser origins allowed by CORS and CSRF
	// checks (scheme://host[:port]). Default: PublicURL's origin.
	AllowedOrigins []string
	// TrustedProxies are the networks whose forwarding headers are
	// believed for the client address (CIDR or single address).
	TrustedProxies []string
	// OwnerEmails become platform owners once their email is verified.
	OwnerEmails []string
	// CreatorSignup lets sign-up ask for the creator role.
	CreatorSignup bool
	// Production turns on production-only behaviour (HSTS).
	Production bool
	// RedisURL (redis://host:port/db) shares rate-limit counters between
	// instances; empty keeps them in process.
	RedisURL string
	// RateLimits overrides rate-limit presets by name ("auth", "api",
	// "streaming", "strict", "webhook", "web").
	RateLimits map[string]ratelimit.Preset
	// CookieDomain is the Domain of the session cookie; empty = host-only.
	CookieDomain string
	// MaxBodyBytes bounds JSON request bodies. Default: 1 MiB.
	MaxBodyBytes int64

	// MailFrom is the sender of platform email. Default: "Codex <noreply@localhost>".
	MailFrom string
	// PlatformName and SupportEmail brand platform email.
	PlatformName string
	SupportEmail string

	// Logger receives structured logs. Default: JSON to stderr.
	Logger *slog.Logger
	// Store overrides DatabaseURL with a ready store (the caller closes it).
	Store store.Store
	// Blobs overrides the disk blobs with a ready implementation.
	Blobs store.Blobs
	// Mailer overrides the log mailer.
	Mailer notify.Mailer
}

// Defaults.
const (
	DefaultPublicURL    = "http://localhost:8080"
	DefaultDataDir      = "codex-data"
	DefaultMaxBodyBytes = 1 << 20
)

// TrustedPrefixes returns TrustedProxies parsed (valid after New).
func (c Config) TrustedPrefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.TrustedProxies))
	for _, s := range c.TrustedProxies {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func (c Config) blobDir() string { return filepath.Join(c.DataDir, "blobs") }

func (c *Config) normalize() error {
	var errs []error
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.PublicURL == "" {
		c.PublicURL = DefaultPublicURL
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	pu, err := url.Parse(c.PublicURL)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		errs = append(errs, fmt.Errorf("PublicURL %q: want an absolute http(s) URL", c.PublicURL))
	} else if len(c.AllowedOrigins) == 0 {
		c.AllowedOrigins = []string{pu.Scheme + "://" + pu.Host}
	}
	for i, o := range c.AllowedOrigins {
		ou, err := url.Parse(o)
		if err != nil || (ou.Scheme != "http" && ou.Scheme != "https") || ou.Host == "" || (ou.Path != "" && ou.Path != "/") {
			errs = append(errs, fmt.Errorf("AllowedOrigins[%d] %q: want scheme://host[:port]", i, o))
			continue
		}
		c.AllowedOrigins[i] = ou.Scheme + "://" + strings.ToLower(ou.Host)
	}
	for i, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			errs = append(errs, fmt.Errorf("TrustedProxies[%d] %q: %v", i, p, err))
		}
	}
	for i, e := range c.OwnerEmails {
		e = strings.ToLower(strings.TrimSpace(e))
		if !strings.Contains(e, "@") {
			errs = append(errs, fmt.Errorf("OwnerEmails[%d] %q: not an email address", i, e))
		}
		c.OwnerEmails[i] = e
	}
	for name, p := range c.RateLimits {
		if _, ok := ratelimit.PresetByName(name); !ok {
			errs = append(errs, fmt.Errorf("RateLimits[%q]: unknown preset", name))
		} else if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("RateLimits[%q]: %v", name, err))
		}
	}
	if c.MailFrom == "" {
		c.MailFrom = "Codex <noreply@localhost>"
	}
	if c.PlatformName == "" {
		c.PlatformName = "Codex"
	}
	if c.SupportEmail == "" {
		c.SupportEmail = "support@localhost"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, errors.New("MaxBodyBytes must be positive"))
	}
	if c.Logger == nil {
		c.Logger = logging.NewJSON(os.Stderr, nil)
	}
	if len(errs) > 0 {
		return fmt.Errorf("codex: invalid config: %w", errors.Join(errs...))
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ConfigFromEnv reads CODEX_* environment variables:
//
//	CODEX_DATABASE_URL      PostgreSQL URL (unset: in-memory store)
//	CODEX_MIGRATE           "true": apply migrations on start
//	CODEX_DATA_DIR          local state directory
//	CODEX_PUBLIC_URL        base for links in emails and signed URLs
//	CODEX_ALLOWED_ORIGINS   comma list of browser origins
//	CODEX_TRUSTED_PROXIES   comma list of CIDRs whose forwarding headers count
//	CODEX_OWNER_EMAILS      comma list: platform owners once verified
//	CODEX_CREATOR_SIGNUP    "true": sign-up may ask for the creator role
//	CODEX_PRODUCTION        "true": production mode (HSTS)
//	CODEX_MAX_BODY_BYTES    JSON body limit in bytes
//	CODEX_REDIS_URL         redis://host:port/db for shared rate limits
//	CODEX_COOKIE_DOMAIN     Domain attribute of the session cookie
//	CODEX_MAIL_FROM         sender of platform email, "Name <addr>"
//	CODEX_PLATFORM_NAME     platform name used in email
//	CODEX_SUPPORT_EMAIL     support address used in email
//	CODEX_LOG_LEVEL         debug, info (default), warn, error
func ConfigFromEnv() (Config, error) {
	return configFromLookup(os.LookupEnv, os.Stderr)
}

func configFromLookup(lookup func(string) (string, bool), logOut io.Writer) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	var errs []error
	boolean := func(k string) bool {
		v := get(k)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", k, v))
		}
		return b
	}
	list := func(k string) []string {
		var out []string
		for _, s := range strings.Split(get(k), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	cfg := Config{
		DatabaseURL:    get("CODEX_DATABASE_URL"),
		MigrateOnStart: boolean("CODEX_MIGRATE"),
		DataDir:        get("CODEX_DATA_DIR"),
		PublicURL:      get("CODEX_PUBLIC_URL"),
		AllowedOrigins: list("CODEX_ALLOWED_ORIGINS"),
		TrustedProxies: list("CODEX_TRUSTED_PROXIES"),
		OwnerEmails:    list("CODEX_OWNER_EMAILS"),
		CreatorSignup:  boolean("CODEX_CREATOR_SIGNUP"),
		Production:     boolean("CODEX_PRODUCTION"),
		MailFrom:       get("CODEX_MAIL_FROM"),
		RedisURL:       get("CODEX_REDIS_URL"),
		CookieDomain:   get("CODEX_COOKIE_DOMAIN"),
		PlatformName:   get("CODEX_PLATFORM_NAME"),
		SupportEmail:   get("CODEX_SUPPORT_EMAIL"),
	}
	if v := get("CODEX_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("CODEX_MAX_BODY_BYTES=%q: want a positive integer", v))
		}
		cfg.MaxBodyBytes = n
	}
	var level slog.Level
	if v := get("CODEX_LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("CODEX_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	cfg.Logger = logging.NewJSON(logOut, level)
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("codex: environment: %w", errors.Join(errs...))
	}
	return cfg, nil
}
