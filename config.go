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
	"time"

	"github.com/codexforgo/codex/logging"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/s3"
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
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// CookieDomain is the Domain of the session cookie; empty = host-only.
	CookieDomain string
	// MaxBodyBytes bounds JSON request bodies. Default: 1 MiB.
	MaxBodyBytes int64

	// MailFrom is the sender of platform email. Default: "Codex <noreply@localhost>".
	MailFrom string
	// PlatformName and SupportEmail brand platform email.
	PlatformName string
	SupportEmail string
	// SMTPURL delivers mail through an SMTP server, e.g.
	// smtp://user:pass@host:587 (see notify/smtp). ResendAPIKey delivers
	// through Resend when SMTPURL is empty. Neither = the log mailer.
	SMTPURL      string
	ResendAPIKey string
	// MailMaxAttempts (default 5) and MailRetryBackoff (default 30 s,
	// doubled after each failure) tune email delivery retries.
	MailMaxAttempts  int
	MailRetryBackoff time.Duration
	// Secret signs links that must stay valid across restarts and
	// instances (email unsubscribe links); at least 32 characters. Empty =
	// a random key created once in DataDir/secret.key.
	Secret string
	// StripeSecretKey selects Stripe payments (purchase/stripe); empty =
	// the local test payments, whose checkout pages the server serves.
	StripeSecretKey string
	// StripeWebhookSecrets maps each webhook endpoint ("booking",
	// "payment", "subscription", "customer", "connect", "dispute") to its
	// signing secret; an endpoint without one refuses every delivery.
	StripeWebhookSecrets map[string]string
	// StripeAPIBase replaces https://api.stripe.com (stripe-mock in tests).
	StripeAPIBase string
	// Payments overrides the payments adapter chosen above.
	Payments purchase.Payments
	// Transcoder is "ffmpeg", "runpod" or "none"; empty = ffmpeg when it is
	// on PATH, else none (transcode requests answer 503).
	Transcoder string
	// TranscodeWorkers bounds concurrent local ffmpeg jobs (default 1).
	TranscodeWorkers int
	// RunPod transcoding: API key, serverless endpoint id, the secret the
	// worker signs its callbacks with, and the API base (tests). Callbacks
	// go to PublicURL + /api/transcoding/webhook unless RunpodWebhookURL says.
	RunpodAPIKey        string
	RunpodEndpointID    string
	RunpodWebhookSecret string
	RunpodAPIBase       string
	RunpodWebhookURL    string
	// WorkerSecret signs service-to-service calls to /internal/* (at least
	// 32 characters); empty = a key derived from Secret.
	WorkerSecret string

	// Logger receives structured logs. Default: JSON to stderr.
	Logger *slog.Logger
	// Store overrides DatabaseURL with a ready store (the caller closes it).
	Store store.Store
	// S3 keeps blobs in an S3-compatible bucket (S3, R2, MinIO) when its
	// Bucket is set; otherwise they live on the disk under DataDir.
	S3 s3.Config
	// Blobs overrides the disk or S3 blobs with a ready implementation.
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
	if c.Secret != "" && len(c.Secret) < 32 {
		errs = append(errs, errors.New("Secret must be at least 32 characters"))
	}
	switch c.Transcoder {
	case "", "ffmpeg", "none":
	case "runpod":
		if c.RunpodAPIKey == "" || c.RunpodEndpointID == "" || c.RunpodWebhookSecret == "" {
			errs = append(errs, errors.New("Transcoder runpod needs RunpodAPIKey, RunpodEndpointID and RunpodWebhookSecret"))
		}
	default:
		errs = append(errs, fmt.Errorf("Transcoder %q: want ffmpeg, runpod or none", c.Transcoder))
	}
	if c.TranscodeWorkers < 0 {
		errs = append(errs, errors.New("TranscodeWorkers must not be negative"))
	}
	if c.WorkerSecret != "" && len(c.WorkerSecret) < 32 {
		errs = append(errs, errors.New("WorkerSecret must be at least 32 characters"))
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
//	CODEX_METRICS_TOKEN     bearer token required by /metrics
//	CODEX_COOKIE_DOMAIN     Domain attribute of the session cookie
//	CODEX_MAIL_FROM         sender of platform email, "Name <addr>"
//	CODEX_PLATFORM_NAME     platform name used in email
//	CODEX_SUPPORT_EMAIL     support address used in email
//	CODEX_SMTP_URL          smtp://user:pass@host:port: send email over SMTP
//	CODEX_RESEND_API_KEY    send email through Resend (when no SMTP URL)
//	CODEX_SECRET            key for links that outlive a restart (32+ chars)
//	CODEX_S3_BUCKET         keep blobs in this S3/R2/MinIO bucket (unset: disk)
//	CODEX_S3_ENDPOINT       S3 API base URL (unset: AWS)
//	CODEX_S3_REGION         signing region (default auto with an endpoint, else us-east-1)
//	CODEX_S3_ACCESS_KEY_ID, CODEX_S3_SECRET_ACCESS_KEY  static credentials
//	CODEX_S3_PATH_STYLE     "true": path-style addressing (MinIO)
//	CODEX_STRIPE_SECRET_KEY Stripe API key: take payments on Stripe (unset: local test payments)
//	CODEX_STRIPE_WEBHOOK_SECRET_BOOKING, _PAYMENT, _SUBSCRIPTION, _CUSTOMER,
//	_CONNECT, _DISPUTE      signing secret of each /webhooks/stripe/<endpoint>
//	CODEX_STRIPE_API_BASE   Stripe API base URL (stripe-mock)
//	CODEX_TRANSCODER        ffmpeg, runpod or none (unset: ffmpeg when on PATH)
//	CODEX_TRANSCODE_WORKERS concurrent local ffmpeg jobs (default 1)
//	CODEX_RUNPOD_API_KEY, CODEX_RUNPOD_ENDPOINT_ID, CODEX_RUNPOD_WEBHOOK_SECRET,
//	CODEX_RUNPOD_API_BASE, CODEX_RUNPOD_WEBHOOK_URL  RunPod transcoding
//	CODEX_WORKER_SECRET     signs service-to-service calls to /internal/*
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
		MetricsToken:   get("CODEX_METRICS_TOKEN"),
		PlatformName:   get("CODEX_PLATFORM_NAME"),
		SupportEmail:   get("CODEX_SUPPORT_EMAIL"),
		SMTPURL:        get("CODEX_SMTP_URL"),
		ResendAPIKey:   get("CODEX_RESEND_API_KEY"),
		Secret:         get("CODEX_SECRET"),
		S3: s3.Config{
			Endpoint:        get("CODEX_S3_ENDPOINT"),
			Region:          get("CODEX_S3_REGION"),
			Bucket:          get("CODEX_S3_BUCKET"),
			AccessKeyID:     get("CODEX_S3_ACCESS_KEY_ID"),
			SecretAccessKey: get("CODEX_S3_SECRET_ACCESS_KEY"),
			PathStyle:       boolean("CODEX_S3_PATH_STYLE"),
		},
	}
	if v := get("CODEX_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("CODEX_MAX_BODY_BYTES=%q: want a positive integer", v))
		}
		cfg.MaxBodyBytes = n
	}
	cfg.Transcoder = get("CODEX_TRANSCODER")
	cfg.RunpodAPIKey = get("CODEX_RUNPOD_API_KEY")
	cfg.RunpodEndpointID = get("CODEX_RUNPOD_ENDPOINT_ID")
	cfg.RunpodWebhookSecret = get("CODEX_RUNPOD_WEBHOOK_SECRET")
	cfg.RunpodAPIBase = get("CODEX_RUNPOD_API_BASE")
	cfg.RunpodWebhookURL = get("CODEX_RUNPOD_WEBHOOK_URL")
	cfg.WorkerSecret = get("CODEX_WORKER_SECRET")
	if v := get("CODEX_TRANSCODE_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("CODEX_TRANSCODE_WORKERS=%q: want a positive integer", v))
		}
		cfg.TranscodeWorkers = n
	}
	cfg.StripeSecretKey = get("CODEX_STRIPE_SECRET_KEY")
	cfg.StripeAPIBase = get("CODEX_STRIPE_API_BASE")
	for _, e := range purchase.Endpoints() {
		if v := get("CODEX_STRIPE_WEBHOOK_SECRET_" + strings.ToUpper(string(e))); v != "" {
			if cfg.StripeWebhookSecrets == nil {
				cfg.StripeWebhookSecrets = map[string]string{}
			}
			cfg.StripeWebhookSecrets[string(e)] = v
		}
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
