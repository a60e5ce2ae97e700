package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/logging"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/server"
)

// Webhook signing secrets of the Stripe variant: checkouts complete on the
// booking endpoint, refunds arrive on the payment endpoint.
const (
	bookingSecret = "whsec_e2e_booking"
	paymentSecret = "whsec_e2e_payment"
)

// platform is one running Codex behind a real listener.
type platform struct {
	url    string
	outbox *notify.Outbox
	// stripe is the Stripe API the platform talks to (nil: local payments).
	stripe *stripeTap
}

// startPlatform runs every surface on one httptest listener whose URL is
// the PublicURL, so emailed links, upload targets and streaming URLs all
// point back at it and external programs (ffmpeg) can follow them.
func startPlatform(t *testing.T, v variant) *platform {
	t.Helper()
	// The listener exists before the platform so its address can be the
	// PublicURL the platform is built with.
	ts := httptest.NewUnstartedServer(nil)
	p := &platform{url: "http://" + ts.Listener.Addr().String(), outbox: &notify.Outbox{}}
	logs := &logBuffer{}
	cfg := codex.Config{
		DataDir:       t.TempDir(),
		PublicURL:     p.url,
		CreatorSignup: true,
		Mailer:        p.outbox,
		Transcoder:    "ffmpeg",
		Logger:        logging.NewJSON(logs, slog.LevelInfo),
	}
	if v.db == onPostgres {
		cfg.DatabaseURL = throwawayDatabase(t)
		cfg.MigrateOnStart = true
	}
	if v.pay == viaStripe {
		p.stripe = tapStripe(t, startStripeMock(t))
		cfg.StripeSecretKey = "sk_test_e2e"
		cfg.StripeAPIBase = p.stripe.url
		cfg.StripeWebhookSecrets = map[string]string{"booking": bookingSecret, "payment": paymentSecret}
	}
	c, err := codex.New(context.Background(), cfg)
	if err != nil {
		ts.Close()
		t.Fatalf("starting the platform: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ts.Config.Handler = server.New(c).Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("platform log (adapters %v):\n%s", c.Adapters(), logs.tail(60))
		}
	})
	return p
}

func (p *platform) browser() *agent         { return newAgent(p.url, true, "") }
func (p *platform) app(token string) *agent { return newAgent(p.url, false, token) }
func (p *platform) anonymous() *agent       { return newAgent(p.url, false, "") }

// logBuffer keeps the platform's log lines for a failing test's report.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(b.buf.String()), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// missing skips the test for an absent dependency, except under CI, where
// every part of the journey must run.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (required when CI=true)", args...)
	}
	t.Skipf(format, args...)
}

// throwawayDatabase creates an empty database on CODEX_TEST_DATABASE_URL's
// server, drops it when the test ends, and returns its URL.
func throwawayDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CODEX_TEST_DATABASE_URL")
	if base == "" {
		missing(t, "CODEX_TEST_DATABASE_URL is not set: the PostgreSQL journey cannot run")
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		t.Fatalf("connecting to CODEX_TEST_DATABASE_URL: %v", err)
	}
	name := "codex_e2e_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("creating the throwaway database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// startStripeMock runs the stripe-mock binary (PATH or GOPATH/bin, where
// .ci/run installs it) on a free port and returns its base URL.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
				gopath = strings.TrimSpace(string(out))
			}
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			missing(t, "stripe-mock not found (go install github.com/stripe/stripe-mock@v0.203.0): the Stripe journey cannot run")
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not start within 30 s")
		return ""
	}
}

// stripeTap stands between the platform and stripe-mock and remembers each
// call. stripe-mock answers with fixtures, not with what it was sent, so
// the tap is how the test learns what the platform put on the checkout
// session (the metadata Stripe would echo in its webhooks) and which
// refund it asked for.
type stripeTap struct {
	url   string
	mu    sync.Mutex
	calls []stripeCall
}

type stripeCall struct {
	method, path string
	form         url.Values     // the request's parameters
	answer       map[string]any // stripe-mock's JSON answer
	status       int
}

func tapStripe(t *testing.T, mockURL string) *stripeTap {
	t.Helper()
	target, err := url.Parse(mockURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		// A compressed answer could not be read back for the record.
		pr.Out.Header.Del("Accept-Encoding")
	}}
	tap := &stripeTap{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		call := stripeCall{method: r.Method, path: r.URL.Path, status: rec.Code}
		call.form, _ = url.ParseQuery(string(body))
		_ = json.Unmarshal(rec.Body.Bytes(), &call.answer)
		tap.mu.Lock()
		tap.calls = append(tap.calls, call)
		tap.mu.Unlock()
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(ts.Close)
	tap.url = ts.URL
	return tap
}

// last returns the newest successful call to method path.
func (s *stripeTap) last(t *testing.T, method, path string) stripeCall {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.calls) - 1; i >= 0; i-- {
		if c := s.calls[i]; c.method == method && c.path == path && c.status == http.StatusOK {
			return c
		}
	}
	t.Fatalf("the platform made no successful %s %s to Stripe (calls: %d)", method, path, len(s.calls))
	return stripeCall{}
}

// metadata collects the prefix[key] parameters of a Stripe form.
func metadata(form url.Values, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range form {
		if key, ok := strings.CutPrefix(k, prefix+"["); ok && strings.HasSuffix(key, "]") && !strings.Contains(key, "[") {
			out[strings.TrimSuffix(key, "]")] = v[0]
		}
	}
	return out
}
