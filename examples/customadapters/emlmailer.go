package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/codexforgo/codex/notify"
)

// emlMailer is a notify.Mailer that "delivers" each message as an .eml file
// in a directory, where any mail client can open it. The platform calls
// Send from its delivery worker, retrying failures, so Send must be safe
// for concurrent use and a retry must not duplicate a message: each file is
// named after the message ID, so a retried delivery rewrites its own file.
type emlMailer struct {
	dir string
	// delivered receives the path of every file written, for programs that
	// wait for an email. Sends never block on it: when it is full the
	// notification is dropped and the file stays.
	delivered chan delivery
}

type delivery struct {
	To, Tag, Path string
}

var _ notify.Mailer = (*emlMailer)(nil)

func newEMLMailer(dir string) (*emlMailer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &emlMailer{dir: dir, delivered: make(chan delivery, 64)}, nil
}

func (d *emlMailer) Send(ctx context.Context, m notify.Message) error {
	if m.ID == "" || strings.ContainsAny(m.ID, `/\.`) {
		// Without a usable ID a retry could not find its file; no retry
		// will fix that.
		return notify.Permanent(fmt.Errorf("eml mailer: unusable message id %q", m.ID))
	}
	raw, err := renderEML(m)
	if err != nil {
		return notify.Permanent(err)
	}
	path := filepath.Join(d.dir, m.ID+".eml")
	// Write then rename, so a reader never sees half a message.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	select {
	case d.delivered <- delivery{To: m.To, Tag: m.Tag, Path: path}:
	default:
	}
	return nil
}

// wait returns the file of the next message to the address with the tag.
func (d *emlMailer) wait(ctx context.Context, to, tag string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		select {
		case dl := <-d.delivered:
			if strings.EqualFold(dl.To, to) && dl.Tag == tag {
				return dl.Path, nil
			}
		case <-ctx.Done():
			return "", fmt.Errorf("no %s email to %s: %w", tag, to, ctx.Err())
		}
	}
}

// renderEML writes m as a MIME message: text and HTML alternatives,
// quoted-printable, with the platform's extra headers (List-Unsubscribe).
func renderEML(m notify.Message) ([]byte, error) {
	from := m.From
	if from == "" {
		from = "Codex <noreply@localhost>"
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(p.content))
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	headers := [][2]string{
		{"From", from},
		{"To", m.To},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Date", time.Now().Format(time.RFC1123Z)},
		{"Message-ID", "<" + m.ID + "@codex.example>"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "multipart/alternative; boundary=" + mw.Boundary()},
	}
	extra := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		extra = append(extra, k)
	}
	slices.Sort(extra)
	for _, k := range extra {
		headers = append(headers, [2]string{k, m.Headers[k]})
	}
	var out bytes.Buffer
	for _, h := range headers {
		// A line break in a value would let it forge headers.
		if strings.ContainsAny(h[0]+h[1], "\r\n") {
			return nil, errors.New("eml mailer: line break in header " + h[0])
		}
		fmt.Fprintf(&out, "%s: %s\r\n", h[0], h[1])
	}
	out.WriteString("\r\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}
