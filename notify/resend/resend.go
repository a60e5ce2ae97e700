// Package resend is a notify.Mailer on the Resend HTTP API
// (POST https://api.resend.com/emails with a Bearer API key).
package resend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/codexforgo/codex/notify"
)

// DefaultBaseURL is Resend's API.
const DefaultBaseURL = "https://api.resend.com"

// Config configures a Mailer.
type Config struct {
	APIKey string
	// BaseURL replaces DefaultBaseURL (tests, proxies).
	BaseURL string
	// From is the sender when a message has none.
	From string
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Mailer sends through Resend.
type Mailer struct {
	key, base, from string
	hc              *http.Client
}

var _ notify.Mailer = (*Mailer)(nil)

// New checks cfg.
func New(cfg Config) (*Mailer, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("resend: API key is empty")
	}
	m := &Mailer{key: cfg.APIKey, base: strings.TrimRight(cfg.BaseURL, "/"), from: cfg.From, hc: cfg.HTTPClient}
	if m.base == "" {
		m.base = DefaultBaseURL
	}
	if m.hc == nil {
		m.hc = &http.Client{Timeout: 30 * time.Second}
	}
	return m, nil
}

type tag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type request struct {
	From    string            `json:"from"`
	To      []string          `json:"to"`
	Subject string            `json:"subject"`
	HTML    string            `json:"html,omitempty"`
	Text    string            `json:"text,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Tags    []tag             `json:"tags,omitempty"`
}

// Send posts msg. Rate limits (429) and server errors are retried by the
// caller; other 4xx answers (invalid sender, bad key, rejected content)
// are permanent.
func (m *Mailer) Send(ctx context.Context, msg notify.Message) error {
	from := msg.From
	if from == "" {
		from = m.from
	}
	body := request{From: from, To: []string{msg.To}, Subject: msg.Subject, HTML: msg.HTML, Text: msg.Text, Headers: msg.Headers}
	if msg.Tag != "" {
		body.Tags = []tag{{Name: "template", Value: msg.Tag}}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return notify.Permanent(fmt.Errorf("resend: encode: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+"/emails", bytes.NewReader(b))
	if err != nil {
		return notify.Permanent(fmt.Errorf("resend: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+m.key)
	req.Header.Set("Content-Type", "application/json")
	if msg.ID != "" {
		// Resend answers a repeated key with the first result instead of
		// sending again, which makes our retries safe.
		req.Header.Set("Idempotency-Key", msg.ID)
	}
	res, err := m.hc.Do(req)
	if err != nil {
		return fmt.Errorf("resend: %w", err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 == 2 {
		return nil
	}
	var e struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &e)
	err = fmt.Errorf("resend: HTTP %d: %s %s", res.StatusCode, e.Name, e.Message)
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 || res.StatusCode == http.StatusRequestTimeout ||
		res.StatusCode == http.StatusConflict { // 409: the same idempotency key is still in flight
		return err
	}
	return notify.Permanent(err)
}
