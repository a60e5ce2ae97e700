package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/codexforgo/codex/logging"
)

// Message is one email, already rendered. It is stored as JSON in the email
// log until delivered, so the JSON names are part of the stored format.
type Message struct {
	// ID identifies the send (its email log entry). Adapters use it to
	// make a retried delivery idempotent where the provider supports that.
	ID      string `json:"id,omitempty"`
	From    string `json:"from,omitempty"` // "Name <addr>"; empty = the mailer's default sender
	To      string `json:"to"`             // a single recipient address
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
	// Headers are extra headers, e.g. List-Unsubscribe.
	Headers map[string]string `json:"headers,omitempty"`
	// Tag names the kind of message (a template name), for logs and tests.
	Tag string `json:"tag,omitempty"`
}

// Mailer delivers messages. Send returns an error when delivery failed.
// The Service retries failures with backoff unless the error is marked
// Permanent (the provider refused the message for good).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as a failure that retrying cannot fix (a rejected
// address or message), so delivery stops at once instead of backing off.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// ValidAddress reports whether s is a single bare email address.
func ValidAddress(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// LogMailer "sends" by writing the whole message to a logger, so a person
// running the server on embedded defaults can follow the links in it.
type LogMailer struct {
	Log *slog.Logger
}

// Send logs m at info level. It never fails.
func (l LogMailer) Send(ctx context.Context, m Message) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	// The message body is logged on purpose: this mailer exists so that
	// verification and reset links can be followed without a mail server.
	log.LogAttrs(ctx, slog.LevelInfo, "email",
		slog.String("to", m.To),
		slog.String("from", m.From),
		slog.String("subject", m.Subject),
		slog.String("tag", m.Tag),
		slog.Any("text", logging.Verbatim(m.Text)),
	)
	return nil
}

// Outbox is a Mailer that keeps every message in memory, for tests and for
// programs that want to inspect what would have been sent.
type Outbox struct {
	mu      sync.Mutex
	msgs    []Message
	changed chan struct{}
}

// Send records m.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
	return nil
}

// Messages returns a copy of everything sent so far.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

// Last returns the newest message to the address, if any.
func (o *Outbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if strings.EqualFold(o.msgs[i].To, to) {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}

// Wait blocks until a message to the address with the tag (empty = any)
// has been sent, or the timeout passes. Sends may be asynchronous, so tests
// wait rather than look once.
func (o *Outbox) Wait(to, tag string, timeout time.Duration) (Message, bool) {
	deadline := time.Now().Add(timeout)
	for {
		o.mu.Lock()
		for i := len(o.msgs) - 1; i >= 0; i-- {
			m := o.msgs[i]
			if strings.EqualFold(m.To, to) && (tag == "" || m.Tag == tag) {
				o.mu.Unlock()
				return m, true
			}
		}
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		ch := o.changed
		o.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return Message{}, false
		}
		select {
		case <-ch:
		case <-time.After(left):
		}
	}
}
