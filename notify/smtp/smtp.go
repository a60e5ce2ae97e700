// Package smtp is a notify.Mailer that delivers through an SMTP server
// (github.com/wneessen/go-mail), configured by one URL:
//
//	smtp://user:pass@mail.example.com:587   STARTTLS required (default port 587)
//	smtps://user:pass@mail.example.com      implicit TLS (default port 465)
//	smtp://localhost:1025?tls=none          no TLS (a local relay, a test server)
//	smtp://host:25?tls=opportunistic        STARTTLS when the server offers it
//
// Credentials are only ever sent over TLS, except to localhost.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/codexforgo/codex/notify"
)

// Config configures a Mailer.
type Config struct {
	// URL names the server; see the package documentation.
	URL string
	// From is the sender when a message has none.
	From string
	// Timeout bounds connecting and each SMTP command. Default 30 s.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests with their own CA).
	TLSConfig *tls.Config
}

// Mailer sends each message over its own SMTP connection.
type Mailer struct {
	host     string
	port     int
	user     string
	pass     string
	implicit bool
	policy   mail.TLSPolicy
	from     string
	timeout  time.Duration
	tlsConf  *tls.Config
}

var _ notify.Mailer = (*Mailer)(nil)

// New parses cfg.URL. Errors never contain the password.
func New(cfg Config) (*Mailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("smtp: URL does not parse")
	}
	m := &Mailer{host: u.Hostname(), from: cfg.From, timeout: cfg.Timeout, tlsConf: cfg.TLSConfig, policy: mail.TLSMandatory}
	if m.timeout <= 0 {
		m.timeout = 30 * time.Second
	}
	switch u.Scheme {
	case "smtp":
		m.port = 587
	case "smtps":
		m.port, m.implicit = 465, true
	default:
		return nil, fmt.Errorf("smtp: URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if m.host == "" {
		return nil, errors.New("smtp: URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smtp: port %q out of range", p)
		}
		m.port = n
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	switch t := u.Query().Get("tls"); t {
	case "", "starttls":
	case "opportunistic":
		m.policy = mail.TLSOpportunistic
	case "none":
		m.policy = mail.NoTLS
	default:
		return nil, fmt.Errorf("smtp: tls=%q: want starttls, opportunistic or none", t)
	}
	if m.implicit && m.policy != mail.TLSMandatory {
		return nil, errors.New("smtp: smtps:// always uses TLS; drop the tls parameter")
	}
	return m, nil
}

// Addr is host:port, for logs.
func (m *Mailer) Addr() string { return m.host + ":" + strconv.Itoa(m.port) }

// Send delivers msg. SMTP 5xx replies are permanent failures; connection
// problems and 4xx replies are worth retrying.
func (m *Mailer) Send(ctx context.Context, msg notify.Message) error {
	em := mail.NewMsg()
	from := msg.From
	if from == "" {
		from = m.from
	}
	if err := em.From(from); err != nil {
		return notify.Permanent(fmt.Errorf("smtp: sender: %w", err))
	}
	if err := em.To(msg.To); err != nil {
		return notify.Permanent(fmt.Errorf("smtp: recipient: %w", err))
	}
	em.Subject(msg.Subject)
	em.SetDate()
	if msg.ID != "" {
		// A stable Message-ID lets receivers drop the duplicate of a
		// delivery whose acknowledgement was lost and that was retried.
		em.SetMessageIDWithValue(msg.ID + "@codex")
	} else {
		em.SetMessageID()
	}
	for k, v := range msg.Headers {
		em.SetGenHeader(mail.Header(k), v)
	}
	em.SetBodyString(mail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		em.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	}

	opts := []mail.Option{
		mail.WithPort(m.port),
		mail.WithTimeout(m.timeout),
		mail.WithTLSPolicy(m.policy),
	}
	if m.implicit {
		opts = append(opts, mail.WithSSL())
	}
	if m.tlsConf != nil {
		opts = append(opts, mail.WithTLSConfig(m.tlsConf))
	}
	if m.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.user), mail.WithPassword(m.pass))
	}
	c, err := mail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, em); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return notify.Permanent(fmt.Errorf("smtp: %w", err))
		}
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}
