// Package codex runs a creator content platform: accounts and sessions,
// organizations, content and media, access control and HLS streaming, paid
// purchases, email, transcoding and admin analytics.
//
// The library is the product; package server exposes it over HTTP.
//
//	c, err := codex.New(ctx, codex.Config{}) // zero Config = embedded defaults
//	if err != nil { ... }
//	defer c.Close()
//
// A zero Config runs everything in-process: an in-memory database, blobs on
// the local disk, a log mailer. Set DatabaseURL for PostgreSQL.
package codex

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/codexforgo/codex/auth"
	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/ratelimit/redisstore"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
	"github.com/codexforgo/codex/store/postgres"
)

// Version is the module's release, reported by `codex version` and /health.
const Version = "0.1.0"

// Codex is one running platform. Build it with New; it is safe for
// concurrent use.
type Codex struct {
	cfg     Config
	log     *slog.Logger
	store   store.Store
	blobs   store.Blobs
	mailer  notify.Mailer
	emails  *notify.Dispatcher
	auth    *auth.Service
	limiter *ratelimit.Limiter
	closers []func() error
	// Adapters records which implementation each seam uses, for logs.
	adapters map[string]string
}

// New validates cfg, connects the adapters it names (embedded defaults for
// the zero values) and returns the platform. Invalid configuration fails
// here, never on the first request.
func New(ctx context.Context, cfg Config) (*Codex, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	c := &Codex{cfg: cfg, log: cfg.Logger, adapters: map[string]string{}}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()

	switch {
	case cfg.Store != nil:
		c.store = cfg.Store
		c.adapters["database"] = fmt.Sprintf("%T", cfg.Store)
	case cfg.DatabaseURL == "":
		c.store = memory.New()
		c.adapters["database"] = "memory"
	default:
		pg, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("codex: database: %w", err)
		}
		if cfg.MigrateOnStart {
			if _, err := pg.Migrate(ctx); err != nil {
				pg.Close()
				return nil, fmt.Errorf("codex: migrate: %w", err)
			}
		}
		c.store = pg
		c.adapters["database"] = "postgres"
	}
	if cfg.Store == nil {
		c.closers = append(c.closers, c.store.Close)
	}

	if cfg.Blobs != nil {
		c.blobs = cfg.Blobs
		c.adapters["blobs"] = fmt.Sprintf("%T", cfg.Blobs)
	} else {
		b, err := disk.New(cfg.blobDir())
		if err != nil {
			return nil, fmt.Errorf("codex: blobs: %w", err)
		}
		c.blobs = b
		c.adapters["blobs"] = "disk:" + cfg.blobDir()
	}

	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("codex: redis: %w", err)
		}
		rc := redis.NewClient(opts)
		c.closers = append(c.closers, rc.Close)
		if err := rc.Ping(ctx).Err(); err != nil {
			return nil, fmt.Errorf("codex: redis: %w", err)
		}
		c.limiter = ratelimit.New(redisstore.New(rc))
		c.adapters["ratelimit"] = "redis"
	} else {
		c.limiter = ratelimit.New(ratelimit.NewMemoryStore())
		c.adapters["ratelimit"] = "memory"
	}

	if cfg.Mailer != nil {
		c.mailer = cfg.Mailer
		c.adapters["mail"] = fmt.Sprintf("%T", cfg.Mailer)
	} else {
		c.mailer = notify.LogMailer{Log: c.log}
		c.adapters["mail"] = "log"
	}
	c.emails = notify.NewDispatcher(c.mailer, notify.DispatcherConfig{
		From:  cfg.MailFrom,
		Brand: map[string]string{"platformName": cfg.PlatformName, "supportEmail": cfg.SupportEmail},
		Log:   c.log,
	})
	c.closers = append(c.closers, func() error { c.emails.Close(5 * time.Second); return nil })

	c.auth = auth.New(c.store, authEmails{c.emails}, auth.Config{
		PublicURL:     cfg.PublicURL,
		OwnerEmails:   cfg.OwnerEmails,
		CreatorSignup: cfg.CreatorSignup,
		Log:           c.log,
	})

	ok = true
	return c, nil
}

// Close releases every adapter New opened. Adapters passed in Config are the
// caller's to close.
func (c *Codex) Close() error {
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i]())
	}
	c.closers = nil
	return errors.Join(errs...)
}

// Config returns the validated configuration with defaults filled in.
func (c *Codex) Config() Config { return c.cfg }

// Logger is the structured logger every component writes to.
func (c *Codex) Logger() *slog.Logger { return c.log }

// Store is the database.
func (c *Codex) Store() store.Store { return c.store }

// Blobs is the object storage.
func (c *Codex) Blobs() store.Blobs { return c.blobs }

// Auth is the accounts and sessions service.
func (c *Codex) Auth() *auth.Service { return c.auth }

// RateLimiter enforces the rate-limit presets (in process, or on Redis).
func (c *Codex) RateLimiter() *ratelimit.Limiter { return c.limiter }

// RateLimit returns the preset with the given reference name ("auth",
// "api", ...), with any Config.RateLimits override applied.
func (c *Codex) RateLimit(name string) ratelimit.Preset {
	if p, ok := c.cfg.RateLimits[name]; ok {
		return p
	}
	p, ok := ratelimit.PresetByName(name)
	if !ok {
		panic("codex: unknown rate-limit preset " + name)
	}
	return p
}

// Mailer is the mail adapter.
func (c *Codex) Mailer() notify.Mailer { return c.mailer }

// authEmails adapts the notification dispatcher to what auth needs.
type authEmails struct{ d *notify.Dispatcher }

func (a authEmails) Send(ctx context.Context, e auth.Email) {
	a.d.Send(ctx, notify.Request{Template: e.Template, To: e.To, Data: e.Data})
}

// Adapters names the implementation chosen for each seam ("database" →
// "memory"), for start-up logs.
func (c *Codex) Adapters() map[string]string {
	m := make(map[string]string, len(c.adapters))
	for k, v := range c.adapters {
		m[k] = v
	}
	return m
}
