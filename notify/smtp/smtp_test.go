package smtp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/notify/smtp"
	"github.com/codexforgo/codex/notify/smtp/smtptest"
)

func TestSendDeliversMultipartMessage(t *testing.T) {
	is := is.New(t)
	srv, err := smtptest.Start("127.0.0.1:0")
	is.NoErr(err)
	defer srv.Close()

	m, err := smtp.New(smtp.Config{URL: "smtp://" + srv.Addr + "?tls=none", From: "Codex <noreply@codex.test>"})
	is.NoErr(err)
	err = m.Send(context.Background(), notify.Message{
		ID: "0b6c6a4e-0000-4000-8000-000000000001", To: "ada@example.com", Subject: "Hello Ada",
		HTML: "<p>Hi &amp; welcome</p>", Text: "Hi & welcome",
		Headers: map[string]string{"List-Unsubscribe": "<https://codex.test/api/unsubscribe?token=x>"},
	})
	is.NoErr(err)
	is.True(srv.Wait(1, 5*time.Second))

	got := srv.Messages()[0]
	is.Equal(got.From, "noreply@codex.test")
	is.Equal(got.To, []string{"ada@example.com"})
	is.True(strings.Contains(got.Data, "Subject: Hello Ada"))
	is.True(strings.Contains(got.Data, "List-Unsubscribe: <https://codex.test/api/unsubscribe?token=x>"))
	is.True(strings.Contains(got.Data, "multipart/alternative"))
	is.True(strings.Contains(got.Data, "text/plain"))
	is.True(strings.Contains(got.Data, "text/html"))
	is.True(strings.Contains(got.Data, "Hi & welcome"))
	is.True(strings.Contains(got.Data, "Message-ID: <0b6c6a4e-0000-4000-8000-000000000001@codex>"))
}

func TestSendToStoppedServerIsTransient(t *testing.T) {
	is := is.New(t)
	srv, err := smtptest.Start("127.0.0.1:0")
	is.NoErr(err)
	addr := srv.Addr
	srv.Close()

	m, err := smtp.New(smtp.Config{URL: "smtp://" + addr + "?tls=none", From: "noreply@codex.test", Timeout: 2 * time.Second})
	is.NoErr(err)
	err = m.Send(context.Background(), notify.Message{To: "ada@example.com", Subject: "s", Text: "t"})
	is.True(err != nil)
	is.True(!notify.IsPermanent(err)) // worth retrying
}

func TestStartTLSRequiredByDefault(t *testing.T) {
	is := is.New(t)
	srv, err := smtptest.Start("127.0.0.1:0") // offers no STARTTLS
	is.NoErr(err)
	defer srv.Close()
	m, err := smtp.New(smtp.Config{URL: "smtp://user:secret@" + srv.Addr, From: "noreply@codex.test"})
	is.NoErr(err)
	err = m.Send(context.Background(), notify.Message{To: "ada@example.com", Subject: "s", Text: "t"})
	is.True(err != nil) // credentials never go out in clear text
	is.Equal(len(srv.Messages()), 0)
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"http://host", "smtp://", "smtp://host:99999", "smtp://host?tls=maybe", "smtps://host?tls=none"} {
		if _, err := smtp.New(smtp.Config{URL: u}); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
	_, err := smtp.New(smtp.Config{URL: "smtp://user:hunter2@host:bad"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v must exist and not contain the password", err)
	}
}
