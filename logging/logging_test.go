package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/logging"
)

// logLine logs one record through NewJSON and returns it decoded.
func logLine(t *testing.T, msg string, args ...any) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	logging.NewJSON(&buf, slog.LevelDebug).Info(msg, args...)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("log output is not JSON: %v\n%s", err, buf.String())
	}
	return m
}

func TestSecretKeysRedacted(t *testing.T) {
	is := is.New(t)
	m := logLine(t, "sign in",
		"password", "hunter2hunter2",
		"newPassword", "p4ss",
		"client_secret", "abc",
		"sessionToken", "tok",
		"Authorization", "Basic dXNlcjpwYXNz",
		"Cookie", "codex-session=abc",
		"X-Api-Key", "k1",
		"apikey", "k2",
		"APIKey", "k3",
		"stripe_signature", "t=1,v1=ff",
		"session", "raw-session-token",
	)
	for _, k := range []string{"password", "newPassword", "client_secret", "sessionToken",
		"Authorization", "Cookie", "X-Api-Key", "apikey", "APIKey", "stripe_signature", "session"} {
		is.Equal(m[k], logging.Redacted) // key k must be redacted
	}
}

func TestNormalFieldsKept(t *testing.T) {
	is := is.New(t)
	m := logLine(t, "request",
		"request_id", "req-1",
		"session_id", "sess-123",
		"sessionId", "sess-456",
		"token_count", 3,
		"author", "Ada",
		"tokenizer", "bpe",
		"user_id", "abcdefghijklmnopqrstuvwxyz012345", // 32 alphanumerics: an id, not a secret
		"email", "ada@example.com",
		"path", "/api/content",
		"status", 200,
	)
	is.Equal(m["msg"], "request")
	is.Equal(m["request_id"], "req-1")
	is.Equal(m["session_id"], "sess-123")
	is.Equal(m["sessionId"], "sess-456")
	is.Equal(m["token_count"], float64(3))
	is.Equal(m["author"], "Ada")
	is.Equal(m["tokenizer"], "bpe")
	is.Equal(m["user_id"], "abcdefghijklmnopqrstuvwxyz012345")
	is.Equal(m["email"], "ada@example.com")
	is.Equal(m["path"], "/api/content")
	is.Equal(m["status"], float64(200))
}

func TestSecretValuesRedacted(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sk_live_51Habcdef", logging.Redacted},
		{"key sk_test_abc123 rejected", "key " + logging.Redacted + " rejected"},
		{"rk_live_xyz", logging.Redacted},
		{"whsec_abcdef0123", logging.Redacted},
		{"Bearer eyJhbGciOi.eyJzdWIi.sig", "Bearer " + logging.Redacted},
		{"dial postgres://codex:s3cret@db:5432/codex failed", "dial postgres://codex:***@db:5432/codex failed"},
		{"redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"},
		{"user=codex password=s3cret host=db", "user=codex password=" + logging.Redacted + " host=db"},
		{"/hls/master.m3u8?token=abc&x=1", "/hls/master.m3u8?token=" + logging.Redacted + "&x=1"},
		// Look-alikes stay.
		{"network_error", "network_error"},
		{"postgres://codex@db/codex", "postgres://codex@db/codex"},
		{"the bearer", "the bearer"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			is := is.New(t)
			m := logLine(t, "x", "detail", tc.in)
			is.Equal(m["detail"], tc.want)
		})
	}
}

func TestMessageAndErrorsRedacted(t *testing.T) {
	is := is.New(t)
	err := errors.New("connect postgres://u:topsecret@h/db: refused")
	m := logLine(t, "using key sk_live_abc", "err", err)
	is.Equal(m["msg"], "using key "+logging.Redacted)
	is.Equal(m["err"], "connect postgres://u:***@h/db: refused")
}

func TestGroupsRecursed(t *testing.T) {
	is := is.New(t)
	m := logLine(t, "webhook",
		slog.Group("req",
			slog.String("method", "POST"),
			slog.String("authorization", "Bearer x"),
			slog.Group("inner", slog.String("api_key", "k"), slog.String("note", "uses sk_test_zzz"))),
		slog.Group("cookie", slog.String("value", "abc"), slog.String("id", "c1")),
	)
	req := m["req"].(map[string]any)
	is.Equal(req["method"], "POST")
	is.Equal(req["authorization"], logging.Redacted)
	inner := req["inner"].(map[string]any)
	is.Equal(inner["api_key"], logging.Redacted)
	is.Equal(inner["note"], "uses "+logging.Redacted)
	cookie := m["cookie"].(map[string]any)
	is.Equal(cookie["value"], logging.Redacted) // members of a sensitive group are secret
	is.Equal(cookie["id"], "c1")
}

func TestRedactAppliedDirectlyToGroup(t *testing.T) {
	is := is.New(t)
	a := logging.Redact(nil, slog.Group("g", slog.String("token", "t"), slog.String("ok", "v")))
	got := map[string]string{}
	for _, m := range a.Value.Group() {
		got[m.Key] = m.Value.String()
	}
	is.Equal(got["token"], logging.Redacted)
	is.Equal(got["ok"], "v")
}

func TestHeadersRedacted(t *testing.T) {
	is := is.New(t)
	h := http.Header{}
	h.Set("Authorization", "Bearer abc")
	h.Set("Cookie", "codex-session=abc")
	h.Set("Accept", "application/json")
	var buf bytes.Buffer
	logging.NewJSON(&buf, nil).Info("headers", "h", h)
	out := buf.String()
	is.True(!strings.Contains(out, "abc"))               // no secret in the output
	is.True(strings.Contains(out, `"application/json"`)) // ordinary headers kept
}

func TestLevel(t *testing.T) {
	is := is.New(t)
	var buf bytes.Buffer
	l := logging.NewJSON(&buf, slog.LevelWarn)
	l.Info("dropped")
	is.Equal(buf.Len(), 0)
	l.Warn("kept")
	is.True(strings.Contains(buf.String(), `"kept"`))
}

func TestVerbatimIsLoggedAsIs(t *testing.T) {
	var buf bytes.Buffer
	logging.NewJSON(&buf, nil).Info("email", "text", logging.Verbatim("open https://x/verify?token=abc"), "other", "token=abc")
	out := buf.String()
	if !strings.Contains(out, "verify?token=abc") {
		t.Fatalf("verbatim value redacted: %s", out)
	}
	if strings.Contains(out, `"other":"token=abc"`) {
		t.Fatalf("ordinary value not redacted: %s", out)
	}
}
