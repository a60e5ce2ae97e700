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
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/admin"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/auth/redisevictions"
	"github.com/codexforgo/codex/content"
	"github.com/redis/go-redis/v9"

	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/notify/resend"
	"github.com/codexforgo/codex/notify/smtp"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/purchase"
	stripepay "github.com/codexforgo/codex/purchase/stripe"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/ratelimit/redisstore"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
	"github.com/codexforgo/codex/store/postgres"
	"github.com/codexforgo/codex/store/s3"
	"github.com/codexforgo/codex/transcode"
	"github.com/codexforgo/codex/transcode/ffmpeg"
	"github.com/codexforgo/codex/transcode/runpod"
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
	emails  *notify.Service
	auth    *auth.Service
	content *content.Service
	access  *access.Service
	// secret is the platform key; services get keys derived from it (Key).
	secret  []byte
	orgs    *org.Service
	limiter *ratelimit.Limiter
	// gauges are registered by services as they are built (see Gauges).
	gauges  map[string]func() float64
	closers []func() error
	// purchases sells content through the chosen payments adapter.
	purchases *purchase.Service
	// transcoding runs transcoding jobs (ffmpeg, RunPod or none).
	transcoding *transcode.Service
	// Adapters records which implementation each seam uses, for logs.
	adapters map[string]string
	// admin is the back office: analytics, customers, content moderation.
	admin *admin.Service
}

// New validates cfg, connects the adapters it names (embedded defaults for
// the zero values) and returns the platform. Invalid configuration fails
// here, never on the first request.
func New(ctx context.Context, cfg Config) (*Codex, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	c := &Codex{cfg: cfg, log: cfg.Logger, adapters: map[string]string{}, gauges: map[string]func() float64{}}
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
	} else if cfg.S3.Bucket != "" {
		b, err := s3.New(ctx, cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("codex: blobs: %w", err)
		}
		c.blobs = b
		c.adapters["blobs"] = "s3:" + cfg.S3.Bucket
		if cfg.S3.Endpoint != "" {
			c.adapters["blobs"] += "@" + cfg.S3.Endpoint
		}
	} else {
		b, err := disk.New(cfg.blobDir())
		if err != nil {
			return nil, fmt.Errorf("codex: blobs: %w", err)
		}
		c.blobs = b
		c.adapters["blobs"] = "disk:" + cfg.blobDir()
	}

	// With Redis, instances tell each other about revoked sessions.
	var evictions *redisevictions.Bus
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
		evictions = redisevictions.New(rc, "", c.log)
		c.closers = append(c.closers, evictions.Close)
		c.adapters["sessions"] = "redis-evictions"
	} else {
		c.limiter = ratelimit.New(ratelimit.NewMemoryStore())
		c.adapters["ratelimit"] = "memory"
	}

	switch {
	case cfg.Mailer != nil:
		c.mailer = cfg.Mailer
		c.adapters["mail"] = fmt.Sprintf("%T", cfg.Mailer)
	case cfg.SMTPURL != "":
		m, err := smtp.New(smtp.Config{URL: cfg.SMTPURL, From: cfg.MailFrom})
		if err != nil {
			return nil, fmt.Errorf("codex: mail: %w", err)
		}
		c.mailer = m
		c.adapters["mail"] = "smtp:" + m.Addr()
	case cfg.ResendAPIKey != "":
		m, err := resend.New(resend.Config{APIKey: cfg.ResendAPIKey, From: cfg.MailFrom})
		if err != nil {
			return nil, fmt.Errorf("codex: mail: %w", err)
		}
		c.mailer = m
		c.adapters["mail"] = "resend"
	default:
		c.mailer = notify.LogMailer{Log: c.log}
		c.adapters["mail"] = "log"
	}
	secret := []byte(cfg.Secret)
	if len(secret) == 0 {
		s, err := notify.LoadOrCreateSecret(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("codex: secret: %w", err)
		}
		secret = s
	}
	c.secret = secret
	c.emails = notify.New(c.store, c.mailer, notify.Config{
		From:         cfg.MailFrom,
		Brand:        notify.Brand{PlatformName: cfg.PlatformName, SupportEmail: cfg.SupportEmail, ContactURL: cfg.PublicURL},
		PublicURL:    cfg.PublicURL,
		Secret:       secret,
		MaxAttempts:  cfg.MailMaxAttempts,
		RetryBackoff: cfg.MailRetryBackoff,
		Log:          c.log,
	})
	// Pending mail stays in the store and is sent after the next start.
	c.closers = append(c.closers, c.emails.Close)
	c.gauges["codex_email_queue_pending"] = c.pendingEmails

	ac := auth.Config{
		PublicURL:     cfg.PublicURL,
		OwnerEmails:   cfg.OwnerEmails,
		CreatorSignup: cfg.CreatorSignup,
		Log:           c.log,
	}
	if evictions != nil {
		ac.Evictions = evictions
	}
	c.auth = auth.New(c.store, authEmails{c.emails}, ac)
	if evictions != nil {
		if err := evictions.Subscribe(ctx, c.auth.ApplyEviction); err != nil {
			return nil, fmt.Errorf("codex: redis: session evictions: %w", err)
		}
	}
	if err := c.newTranscoding(cfg); err != nil {
		return nil, err
	}
	c.content = content.New(c.store, c.blobs, content.Config{
		PublicURL: cfg.PublicURL,
		UploadKey: c.Key("content-upload"),
		// Without a transcoder (none), verified uploads stay "uploaded" and
		// upload-complete answers 503 TRANSCODER_UNAVAILABLE.
		Transcoder: c.transcoding,
		Log:        c.log,
	})
	c.access = access.New(c.store, c.blobs, access.Config{
		PublicURL: cfg.PublicURL,
		GrantKey:  c.Key("access-grant"),
		Log:       c.log,
	})
	c.orgs = org.New(c.store, c.blobs, c.auth, org.Config{PublicURL: cfg.PublicURL, Log: c.log})
	c.admin = admin.New(c.store, c.content, c.auth, admin.Config{Log: c.log})
	if err := c.newPurchases(cfg); err != nil {
		return nil, err
	}

	// Work a previous run left (items stuck uploaded or transcoding) is
	// picked up; a failure here is retried by the periodic sweep.
	if err := c.transcoding.Recover(ctx); err != nil {
		c.log.WarnContext(ctx, "transcoding recovery failed; the sweep will retry", "err", err)
	}

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

// Orgs is the organizations, memberships and settings service.
func (c *Codex) Orgs() *org.Service { return c.orgs }

// Content is the content and media service.
func (c *Codex) Content() *content.Service { return c.content }

// Access is the access, streaming, progress and library service.
func (c *Codex) Access() *access.Service { return c.access }

// Admin is the back office: revenue analytics, customers and complimentary
// access, cross-creator content moderation and role changes.
func (c *Codex) Admin() *admin.Service { return c.admin }

// Purchases is the checkout, payment events, refunds and purchase history
// service.
func (c *Codex) Purchases() *purchase.Service { return c.purchases }

// newPurchases picks the payments adapter (Config.Payments, else Stripe
// when a secret key is set, else local test payments) and builds the
// service. Webhook secrets are independent of the adapter: signed
// deliveries verify whichever takes the payments.
func (c *Codex) newPurchases(cfg Config) error {
	secrets := map[purchase.Endpoint]string{}
	for k, v := range cfg.StripeWebhookSecrets {
		e := purchase.Endpoint(k)
		if !e.Valid() {
			return fmt.Errorf("codex: invalid config: StripeWebhookSecrets[%q]: unknown endpoint (want one of %v)", k, purchase.Endpoints())
		}
		secrets[e] = v
	}
	var pay purchase.Payments
	switch {
	case cfg.Payments != nil:
		pay = cfg.Payments
		c.adapters["payments"] = fmt.Sprintf("%T", cfg.Payments)
	case cfg.StripeSecretKey != "":
		sc, err := stripepay.New(stripepay.Config{SecretKey: cfg.StripeSecretKey, APIBase: cfg.StripeAPIBase})
		if err != nil {
			return fmt.Errorf("codex: payments: %w", err)
		}
		pay = sc
		c.adapters["payments"] = "stripe"
		if cfg.StripeAPIBase != "" {
			c.adapters["payments"] += "@" + cfg.StripeAPIBase
		}
	default:
		pay = purchase.NewLocalPayments(cfg.PublicURL)
		c.adapters["payments"] = "local"
	}
	hooks := stripepay.NewVerifier(secrets, 0)
	c.adapters["webhooks"] = fmt.Sprintf("stripe-signed %v", hooks.Configured())
	c.purchases = purchase.New(c.store, pay, hooks, purchaseReceipts{n: c.emails, publicURL: cfg.PublicURL, log: c.log},
		purchase.Config{PublicURL: cfg.PublicURL, AllowedOrigins: cfg.AllowedOrigins, Log: c.log})
	return nil
}

// purchaseReceipts sends the purchase-receipt email through notify.
type purchaseReceipts struct {
	n         *notify.Service
	publicURL string
	log       *slog.Logger
}

func (r purchaseReceipts) PurchaseReceipt(ctx context.Context, p store.Purchase, content store.Content, buyer store.User) {
	org := p.OrganizationID
	_, err := r.n.Send(ctx, notify.Request{
		Template:       notify.TemplatePurchaseReceipt,
		To:             buyer.Email,
		OrganizationID: &org,
		Data:           purchase.ReceiptData(p, content, buyer, r.publicURL),
	})
	if err != nil {
		r.log.WarnContext(ctx, "purchase receipt not queued", "purchaseId", p.ID, "err", err)
	}
}

// Transcoding is the transcoding service: jobs, retries, status, callbacks.
func (c *Codex) Transcoding() *transcode.Service { return c.transcoding }

// WorkerKey signs service-to-service calls to the media surface's
// /internal/* routes (transcode.SignWorkerRequest).
func (c *Codex) WorkerKey() []byte {
	if c.cfg.WorkerSecret != "" {
		return []byte(c.cfg.WorkerSecret)
	}
	return c.Key("worker-internal")
}

// newTranscoding picks the transcoder (Config.Transcoder; by default ffmpeg
// when it is on PATH, else none, which answers 503) and builds the service.
// Callbacks from RunPod are verified whenever a webhook secret is set, so
// jobs submitted before a switch to ffmpeg can still report.
func (c *Codex) newTranscoding(cfg Config) error {
	tc := transcode.Config{
		Workers:  cfg.TranscodeWorkers,
		Notifier: transcodeEmails{n: c.emails, db: c.store, publicURL: cfg.PublicURL, log: c.log},
		Log:      c.log,
	}
	webhookURL := cfg.RunpodWebhookURL
	if webhookURL == "" {
		webhookURL = cfg.PublicURL + "/api/transcoding/webhook"
	}
	var rp *runpod.Client
	if cfg.RunpodWebhookSecret != "" {
		var err error
		rp, err = runpod.New(runpod.Config{
			APIKey: cfg.RunpodAPIKey, EndpointID: cfg.RunpodEndpointID, WebhookSecret: cfg.RunpodWebhookSecret,
			WebhookURL: webhookURL, BaseURL: cfg.RunpodAPIBase,
		})
		if err != nil && cfg.Transcoder == "runpod" {
			return fmt.Errorf("codex: transcoder: %w", err)
		}
		if err == nil {
			tc.Callbacks = rp
		}
	}
	switch cfg.Transcoder {
	case "runpod":
		tc.Remote = rp
		c.adapters["transcoder"] = "runpod:" + cfg.RunpodEndpointID
	case "none":
		tc.Unavailable = "no transcoder is configured"
		c.adapters["transcoder"] = "none"
	default:
		ff, err := ffmpeg.New(ffmpeg.Config{Blobs: c.blobs, Log: c.log})
		switch {
		case err == nil:
			tc.Transcoder = ff
			c.adapters["transcoder"] = "ffmpeg:" + ff.Path()
		case cfg.Transcoder == "ffmpeg":
			return fmt.Errorf("codex: transcoder: %w", err)
		default:
			tc.Unavailable = "ffmpeg was not found on PATH"
			c.adapters["transcoder"] = "none (ffmpeg not on PATH)"
		}
	}
	c.transcoding = transcode.New(c.store, tc)
	c.closers = append(c.closers, c.transcoding.Close)
	c.gauges["codex_transcode_jobs_queued"] = func() float64 { q, _ := c.transcoding.Jobs(); return float64(q) }
	c.gauges["codex_transcode_jobs_running"] = func() float64 { _, r := c.transcoding.Jobs(); return float64(r) }
	return nil
}

// transcodeEmails tells creators about finished and failed transcodes
// through notify. Sending only queues; failures are logged.
type transcodeEmails struct {
	n         *notify.Service
	db        store.Store
	publicURL string
	log       *slog.Logger
}

func (t transcodeEmails) send(ctx context.Context, m store.MediaItem, template string, data map[string]string) {
	u, err := t.db.Users().Get(ctx, m.CreatorID)
	if err != nil {
		t.log.WarnContext(ctx, "transcoding email: creator not found", "mediaId", m.ID, "err", err)
		return
	}
	data["userName"] = u.Name
	data["mediaTitle"] = m.Title
	data["mediaUrl"] = t.publicURL + "/api/media/" + m.ID.String()
	if _, err := t.n.Send(ctx, notify.Request{Template: template, To: u.Email, CreatorID: u.ID, Data: data}); err != nil {
		t.log.WarnContext(ctx, "transcoding email not queued", "mediaId", m.ID, "template", template, "err", err)
	}
}

func (t transcodeEmails) TranscodeFinished(ctx context.Context, m store.MediaItem) {
	t.send(ctx, m, notify.TemplateTranscodingFinished, map[string]string{})
}

func (t transcodeEmails) TranscodeFailed(ctx context.Context, m store.MediaItem, reason string) {
	t.send(ctx, m, notify.TemplateTranscodingFailed, map[string]string{"errorMessage": reason})
}

// Key derives a 32-byte key for one purpose ("access-grant",
// "content-upload", ...) from the platform secret, so each use of the secret
// signs with its own key and a token of one kind never verifies as another.
func (c *Codex) Key(purpose string) []byte {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

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

// Notify is the email service: templates, sending, unsubscribe.
func (c *Codex) Notify() *notify.Service { return c.emails }

// authEmails adapts the notification service to what auth needs. Send
// only queues; what it refuses it has already logged.
type authEmails struct{ d *notify.Service }

func (a authEmails) Send(ctx context.Context, e auth.Email) {
	_, _ = a.d.Send(ctx, notify.Request{Template: e.Template, To: e.To, Data: e.Data})
}

// Gauges are point-in-time figures for monitoring (queue depths and the
// like), by Prometheus metric name. The server exports them at /metrics.
func (c *Codex) Gauges() map[string]func() float64 {
	g := map[string]func() float64{}
	for name, f := range c.gauges {
		g[name] = f
	}
	return g
}

// pendingEmails counts queued mail (a store query per scrape; -1 when the
// store cannot answer, so a dashboard shows the gap rather than a zero).
func (c *Codex) pendingEmails() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l, err := c.store.EmailLog().List(ctx, store.EmailLogFilter{Status: store.EmailPending}, store.Page{Page: 1, Limit: 1})
	if err != nil {
		return -1
	}
	return float64(l.Total)
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
