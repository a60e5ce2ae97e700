package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Brand is the platform's default branding, used for every token an
// organization's settings do not provide.
type Brand struct {
	PlatformName   string
	LogoURL        string
	PrimaryColor   string // #rgb or #rrggbb
	SecondaryColor string
	SupportEmail   string
	ContactURL     string
}

// Config configures a Service. Zero values take the documented defaults.
type Config struct {
	// From is the sender of every message, "Name <addr>".
	From string
	// Brand holds the platform defaults of the brand tokens.
	Brand Brand
	// PublicURL is the base of unsubscribe links
	// (PublicURL/api/unsubscribe?token=...).
	PublicURL string
	// Secret keys unsubscribe tokens. Empty = a random key, so links stop
	// working when the process restarts; embedders should persist one.
	Secret []byte

	// MaxAttempts bounds delivery attempts of one message. Default 5.
	MaxAttempts int
	// RetryBackoff is the wait after the first failed attempt, doubled
	// after each further failure up to MaxBackoff. Default 30 s and 1 h.
	RetryBackoff time.Duration
	MaxBackoff   time.Duration
	// PollInterval is how often the worker looks for due messages queued
	// by other instances or left by a previous run. Default
	// min(RetryBackoff, 5 s).
	PollInterval time.Duration
	// SendTimeout bounds one provider call. Default 30 s.
	SendTimeout time.Duration
	// Workers is how many messages are handed to the mailer at once. Default 4.
	Workers int

	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Hour
	}
	if c.MaxBackoff < c.RetryBackoff {
		c.MaxBackoff = c.RetryBackoff
	}
	if c.PollInterval <= 0 {
		c.PollInterval = min(c.RetryBackoff, 5*time.Second)
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Brand.PlatformName == "" {
		c.Brand.PlatformName = "Codex"
	}
	if !validColor(c.Brand.PrimaryColor) {
		c.Brand.PrimaryColor = store.DefaultPrimaryColor
	}
	if !validColor(c.Brand.SecondaryColor) {
		c.Brand.SecondaryColor = "#ffffff"
	}
	if !webURL(c.Brand.LogoURL) {
		c.Brand.LogoURL = ""
	}
	if !webURL(c.Brand.ContactURL) {
		c.Brand.ContactURL = c.PublicURL
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if len(c.Secret) == 0 {
		c.Secret = make([]byte, 32)
		_, _ = rand.Read(c.Secret) // crypto/rand.Read never fails
	}
}

// Service is email for the platform: templates in three scopes, rendering,
// and delivery through a Mailer by a background worker that records every
// send in the email log. Build it with New and stop it with Close.
type Service struct {
	db     store.Store
	mailer Mailer
	cfg    Config
	log    *slog.Logger
	unsub  []byte // derived unsubscribe key

	ctx  context.Context
	stop context.CancelFunc
	kick chan struct{}
	done chan struct{}
	once sync.Once
}

// New returns a Service sending through m and starts its delivery worker,
// which at once picks up messages a previous run left pending.
func New(db store.Store, m Mailer, cfg Config) *Service {
	cfg.defaults()
	ctx, stop := context.WithCancel(context.Background())
	s := &Service{
		db: db, mailer: m, cfg: cfg, log: cfg.Log,
		unsub: deriveKey(cfg.Secret, "codex/notify/unsubscribe/v1"),
		ctx:   ctx, stop: stop,
		kick: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	go s.run()
	return s
}

// Close stops the worker and waits for attempts in flight to end. Messages
// not yet delivered stay pending in the email log for the next start.
func (s *Service) Close() error {
	s.once.Do(func() {
		s.stop()
		<-s.done
	})
	return nil
}

// Request asks for one email by template name.
type Request struct {
	Template string
	To       string
	// OrganizationID selects the organization's template override and
	// branding; CreatorID the creator's override.
	OrganizationID *uuid.UUID
	CreatorID      string
	// Data fills the template's tokens (see the Template* constants for
	// the keys of each name). Keys the template does not take are dropped.
	Data map[string]string
}

// Errors of Send.
var (
	ErrInvalidAddress   = fault.New(fault.Invalid, fault.CodeValidation, "Invalid email address")
	ErrTemplateNotFound = fault.New(fault.NotFound, fault.CodeNotFound, "Email template not found")
	ErrSubjectTags      = fault.New(fault.Invalid, fault.CodeValidation, "HTML tags not allowed in subject lines")
)

// Skipped is the error recorded in the email log for a non-transactional
// send to an address that unsubscribed.
const Skipped = "skipped: recipient unsubscribed"

// Send renders the email and queues it for delivery; it does not wait for
// the provider. The returned entry is the email log record: pending, or
// failed with error Skipped when the recipient opted out of
// non-transactional mail. An error means nothing was queued: an invalid
// address (400), no template (404), data the template refuses (422), or a
// subject value with HTML tags (400).
func (s *Service) Send(ctx context.Context, r Request) (*store.EmailLog, error) {
	to, ok := normalizeAddress(r.To)
	if !ok {
		return nil, ErrInvalidAddress
	}
	k, known := kindOf(r.Template)
	if known {
		if err := checkData(k, r.Data); err != nil {
			return nil, err
		}
	}
	t, err := s.resolve(ctx, r.Template, r.OrganizationID, r.CreatorID)
	if err != nil {
		return nil, err
	}
	transactional := Transactional(r.Template)
	entry := &store.EmailLog{
		OrganizationID: r.OrganizationID,
		TemplateName:   r.Template,
		RecipientEmail: to,
		Status:         store.EmailPending,
	}
	if r.CreatorID != "" {
		entry.CreatorID = &r.CreatorID
	}
	if !transactional {
		if _, err := s.db.EmailOptOuts().Get(ctx, to); err == nil {
			msg := Skipped
			entry.Status, entry.Error = store.EmailFailed, &msg
			if err := s.db.EmailLog().Create(ctx, entry); err != nil {
				return nil, err
			}
			s.log.InfoContext(ctx, "email skipped: recipient unsubscribed", "template", r.Template, "emailLogId", entry.ID)
			return entry, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	msg, err := s.render(ctx, t, r.Template, to, r.OrganizationID, r.Data, !transactional)
	if err != nil {
		return nil, err
	}
	return s.enqueue(ctx, entry, msg)
}

// enqueue records msg as a pending entry and wakes the worker.
func (s *Service) enqueue(ctx context.Context, entry *store.EmailLog, msg Message) (*store.EmailLog, error) {
	entry.ID = uuid.New()
	msg.ID = entry.ID.String()
	// The rendered message is stored rather than the caller's data so a
	// retry sends exactly what was rendered, whatever happens to the
	// template or branding meanwhile. It holds the same secrets the data
	// would (verification and reset links), so it is cleared once the
	// entry reaches a final state.
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, fault.Internalf(err, "encode email")
	}
	meta := string(b)
	now := time.Now()
	entry.Metadata, entry.NextAttemptAt = &meta, &now
	if err := s.db.EmailLog().Create(ctx, entry); err != nil {
		return nil, err
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return entry, nil
}

// content is the subject and bodies of a template, stored or built in.
type content struct {
	Subject, HTML, Text string
}

// resolve picks the template a send uses: among the live, active stored
// templates with the name, the organization's beats the creator's beats
// the global one; with none, the built-in content. A creator template tied
// to an organization applies only to sends in that organization.
func (s *Service) resolve(ctx context.Context, name string, orgID *uuid.UUID, creatorID string) (content, error) {
	cands, err := s.db.Templates().Candidates(ctx, name, orgID, creatorID)
	if err != nil {
		return content{}, err
	}
	var best *store.EmailTemplate
	bestRank := 0
	for i := range cands {
		t := &cands[i]
		if t.Status != store.TemplateActive {
			continue
		}
		rank := 0
		switch t.Scope {
		case store.ScopeOrganization:
			rank = 3
		case store.ScopeCreator:
			if t.OrganizationID == nil || (orgID != nil && *t.OrganizationID == *orgID) {
				rank = 2
			}
		case store.ScopeGlobal:
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = t, rank
		}
	}
	if best != nil {
		return content{best.Subject, best.HTMLBody, best.TextBody}, nil
	}
	if k, ok := kindOf(name); ok {
		return content(k.builtin), nil
	}
	return content{}, ErrTemplateNotFound.WithDetails(map[string]string{"templateName": name})
}

// render fills t for one recipient. Only the tokens the template name
// allows are filled from data; brand tokens always come from the brand.
func (s *Service) render(ctx context.Context, t content, name, to string, orgID *uuid.UUID, data map[string]string, unsubscribe bool) (Message, error) {
	vals := map[string]string{}
	k, _ := kindOf(name)
	for _, tok := range k.tokens {
		if v, ok := data[tok]; ok {
			vals[tok] = v
		}
	}
	maps.Copy(vals, s.brand(ctx, orgID))
	var headers map[string]string
	if unsubscribe {
		link := s.UnsubscribeURL(to)
		vals[TokenUnsubscribeURL] = link
		// RFC 8058 one-click: mail clients POST to the URL themselves.
		headers = map[string]string{
			"List-Unsubscribe":      "<" + link + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
	}
	for _, tok := range Tokens(t.Subject) {
		if strings.ContainsAny(vals[tok], "<>") {
			return Message{}, ErrSubjectTags
		}
	}
	subject := strings.Join(strings.Fields(Render(t.Subject, vals, false)), " ") // no header folding tricks
	return Message{
		From:    s.cfg.From,
		To:      to,
		Subject: subject,
		HTML:    Render(t.HTML, vals, true),
		Text:    Render(t.Text, vals, false),
		Headers: headers,
		Tag:     name,
	}, nil
}

// brand returns the brand tokens for a send: the organization's settings
// where it has set them, the platform defaults elsewhere.
func (s *Service) brand(ctx context.Context, orgID *uuid.UUID) map[string]string {
	b := s.cfg.Brand
	if orgID != nil {
		st, err := s.db.OrgSettings().Get(ctx, *orgID)
		if err != nil {
			s.log.WarnContext(ctx, "email: organization branding unavailable, using platform defaults", "organizationId", orgID.String(), "err", err)
		} else {
			// Values equal to the store's defaults are rows nobody set;
			// the platform's configured defaults are better than those.
			if c := st.Branding.PrimaryColorHex; validColor(c) && c != store.DefaultPrimaryColor {
				b.PrimaryColor = c
			}
			if u := st.Branding.LogoURL; u != nil && webURL(*u) {
				b.LogoURL = *u
			}
			if n := strings.TrimSpace(st.Contact.PlatformName); n != "" && n != store.DefaultPlatformName {
				b.PlatformName = n
			}
			if e := st.Contact.SupportEmail; ValidAddress(e) && e != store.DefaultSupportEmail {
				b.SupportEmail = e
			}
			if u := st.Contact.ContactURL; u != nil && webURL(*u) {
				b.ContactURL = *u
			}
		}
	}
	return map[string]string{
		"platformName":   b.PlatformName,
		"logoUrl":        b.LogoURL,
		"primaryColor":   b.PrimaryColor,
		"secondaryColor": b.SecondaryColor,
		"supportEmail":   b.SupportEmail,
		"contactUrl":     b.ContactURL,
	}
}

// checkData applies a known template's data rules: required keys present
// and URL keys absolute http(s) URLs (a javascript: URL would otherwise
// reach an href).
func checkData(k kind, data map[string]string) error {
	var fields []fault.Field
	for _, key := range k.required {
		if strings.TrimSpace(data[key]) == "" {
			fields = append(fields, fault.Field{Path: "data." + key, Message: "Required"})
		}
	}
	for _, key := range k.tokens {
		if v, ok := data[key]; ok && v != "" && strings.HasSuffix(key, "Url") && !webURL(v) {
			fields = append(fields, fault.Field{Path: "data." + key, Message: "Must be an absolute http(s) URL"})
		}
	}
	if len(fields) > 0 {
		return fault.New(fault.Unprocessable, fault.CodeValidation, "Invalid template data").WithDetails(fields)
	}
	return nil
}

var colorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func validColor(s string) bool { return colorRE.MatchString(s) }

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func normalizeAddress(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !ValidAddress(s) {
		return "", false
	}
	return strings.ToLower(s), true
}
