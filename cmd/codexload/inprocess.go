package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/server"
	"github.com/codexforgo/codex/store"
)

// inproc is a Codex server this process runs on a loopback port, so that
// the fixtures can be made the way a user makes them (sign-up, the
// verification email, sign-in, the creator's API calls, Stripe's webhook)
// with the two things no HTTP client can do supplied from inside: reading
// the verification email (from an in-memory outbox) and transcoding (the
// media item is marked ready in the store, as the transcoder would).
type inproc struct {
	URL    string
	c      *codex.Codex
	srv    *http.Server
	closer []func()
}

func (p *inproc) Close() {
	for i := len(p.closer) - 1; i >= 0; i-- {
		p.closer[i]()
	}
}

// rateLimitsOff raises every preset past reach: the load would otherwise
// measure the limiter answering 429 (60 grants a minute per user, 100 API
// calls a minute per user).
func rateLimitsOff() map[string]ratelimit.Preset {
	out := map[string]ratelimit.Preset{}
	for _, p := range ratelimit.Presets() {
		p.Max = 1 << 30
		out[p.Name] = p
	}
	return out
}

// startInProcess starts the server (on PostgreSQL in a throwaway database
// on dbURL's server when dbURL is set, else on the embedded defaults) and
// provisions users customers over HTTP.
func startInProcess(ctx context.Context, dbURL string, users int, logw io.Writer) (*inproc, *fixture, error) {
	p := &inproc{}
	ok := false
	defer func() {
		if !ok {
			p.Close()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	p.URL = "http://" + ln.Addr().String()

	dir, err := os.MkdirTemp("", "codexload-")
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	p.closer = append(p.closer, func() { os.RemoveAll(dir) })
	cfg := codex.Config{
		DataDir: dir, PublicURL: p.URL, CreatorSignup: true, Transcoder: "none",
		Logger:               slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Mailer:               &notify.Outbox{},
		StripeWebhookSecrets: map[string]string{"booking": "whsec_" + randHex(24)},
		RateLimits:           rateLimitsOff(),
	}
	if dbURL != "" {
		u, drop, err := throwawayDB(ctx, dbURL)
		if err != nil {
			ln.Close()
			return nil, nil, err
		}
		p.closer = append(p.closer, drop)
		cfg.DatabaseURL, cfg.MigrateOnStart = u, true
	}
	c, err := codex.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	p.c = c
	p.closer = append(p.closer, func() { c.Close() })
	p.srv = &http.Server{Handler: server.New(c).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	p.closer = append(p.closer, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.srv.Shutdown(sctx)
	})

	fx, err := provision(ctx, p, cfg.Mailer.(*notify.Outbox), cfg.StripeWebhookSecrets["booking"], users)
	if err != nil {
		return nil, nil, fmt.Errorf("setting up fixtures: %w", err)
	}
	ok = true
	return p, fx, nil
}

// throwawayDB creates a database on dbURL's server and returns its URL and
// a function dropping it.
func throwawayDB(ctx context.Context, dbURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", nil, err
	}
	name := "codexload_" + randHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		bg := context.Background()
		conn.Exec(bg, "DROP DATABASE "+name+" WITH (FORCE)")
		conn.Close(bg)
	}, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

const password = "codexload password 1"

// provision builds the cast over HTTP: a creator with an organization and
// one paid, published video; users customers who bought it (through the
// booking webhook, as a Stripe checkout ends) and are signed in; and a
// separate buyer for the webhook scenario.
func provision(ctx context.Context, p *inproc, outbox *notify.Outbox, secret string, users int) (*fixture, error) {
	h := &setupClient{base: p.URL, c: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	run := randHex(4)
	creatorID, creatorTok, err := h.verifiedUser(ctx, outbox, "creator-"+run+"@load.test", "creator")
	if err != nil {
		return nil, fmt.Errorf("creator: %w", err)
	}
	var org struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := h.do(ctx, "POST", "/api/organizations", creatorTok, map[string]any{"name": "Load Studio", "slug": "load-" + run}, &org); err != nil {
		return nil, fmt.Errorf("organization: %w", err)
	}
	var media struct {
		Data struct{ ID uuid.UUID } `json:"data"`
	}
	if err := h.do(ctx, "POST", "/api/media", creatorTok, map[string]any{
		"title": "Load film", "mediaType": "video", "mimeType": "video/mp4", "fileSizeBytes": 1 << 20, "filename": "film.mp4",
	}, &media); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	// Transcoding needs an uploaded original and ffmpeg and takes minutes;
	// what the grant reads afterwards is only these columns, written here
	// as the transcoder's callback writes them.
	master, thumb, dur := access.HLSPrefix(creatorID, media.Data.ID)+"master.m3u8", access.HLSPrefix(creatorID, media.Data.ID)+"thumb.jpg", 60
	if _, err := p.c.Store().Media().Update(ctx, media.Data.ID, store.MediaPatch{
		Status: store.Some(store.MediaReady), HLSMasterPlaylistKey: store.Some(&master), ThumbnailKey: store.Some(&thumb),
		DurationSeconds: store.Some(&dur),
	}); err != nil {
		return nil, fmt.Errorf("marking media ready: %w", err)
	}
	var content struct {
		Data struct{ ID string } `json:"data"`
	}
	if err := h.do(ctx, "POST", "/api/content", creatorTok, map[string]any{
		"title": "Load film", "slug": "load-film", "contentType": "video", "mediaItemId": media.Data.ID.String(),
		"organizationId": org.Data.ID, "visibility": "purchased_only", "priceCents": 999,
	}, &content); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	if err := h.do(ctx, "POST", "/api/content/"+content.Data.ID+"/publish", creatorTok, nil, nil); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	fx := &fixture{contentID: content.Data.ID, webhookSecret: secret, creatorID: creatorID, orgID: org.Data.ID}

	for i := range users {
		email := fmt.Sprintf("customer-%d-%s@load.test", i, run)
		id, _, err := h.verifiedUser(ctx, outbox, email, "")
		if err != nil {
			return nil, fmt.Errorf("customer %d: %w", i, err)
		}
		// The verification answer carries a session too, but a returning
		// customer signs in: take the token from there.
		var in struct{ Token string }
		if err := h.do(ctx, "POST", "/api/auth/sign-in/email", "", map[string]string{"email": email, "password": password}, &in); err != nil {
			return nil, fmt.Errorf("customer %d sign-in: %w", i, err)
		}
		buy := *fx
		buy.buyerID = id
		if err := h.webhook(ctx, &buy, "pi_setup_"+run+fmt.Sprint("_", i)); err != nil {
			return nil, fmt.Errorf("customer %d purchase: %w", i, err)
		}
		if err := h.do(ctx, "GET", "/api/access/content/"+fx.contentID+"/stream", in.Token, nil, nil); err != nil {
			return nil, fmt.Errorf("customer %d cannot stream what they bought: %w", i, err)
		}
		fx.tokens = append(fx.tokens, in.Token)
	}
	buyerID, _, err := h.verifiedUser(ctx, outbox, "buyer-"+run+"@load.test", "")
	if err != nil {
		return nil, fmt.Errorf("buyer: %w", err)
	}
	fx.buyerID = buyerID
	return fx, nil
}

type setupClient struct {
	base string
	c    httpDoer
}

// do sends a JSON request and decodes a 2xx answer into out.
func (h *setupClient) do(ctx context.Context, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.send(req, out)
}

func (h *setupClient) send(req *http.Request, out any) error {
	res, err := h.c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, res.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (h *setupClient) webhook(ctx context.Context, fx *fixture, pi string) error {
	req, err := signedBooking(h.base, fx.webhookSecret, bookingEvent(fx, pi))
	if err != nil {
		return err
	}
	return h.send(req.WithContext(ctx), nil)
}

var verifyLink = regexp.MustCompile(`/api/auth/verify-email\?token=([A-Za-z0-9_\-]+)`)

// verifiedUser signs up over HTTP, reads the verification link from the
// outbox and follows it, and returns the user id and the session the
// verification answers with.
func (h *setupClient) verifiedUser(ctx context.Context, outbox *notify.Outbox, email, role string) (string, string, error) {
	body := map[string]string{"name": "Load " + email, "email": email, "password": password}
	if role != "" {
		body["role"] = role
	}
	var up struct {
		User struct{ ID string } `json:"user"`
	}
	if err := h.do(ctx, "POST", "/api/auth/sign-up/email", "", body, &up); err != nil {
		return "", "", err
	}
	msg, ok := outbox.Wait(email, auth.TemplateVerification, 30*time.Second)
	if !ok {
		return "", "", errors.New("no verification email")
	}
	m := verifyLink.FindStringSubmatch(msg.Text + msg.HTML)
	if m == nil {
		return "", "", errors.New("no verification link in the email")
	}
	var v struct{ Token string }
	if err := h.do(ctx, "POST", "/api/auth/verify-email", "", map[string]string{"token": m[1]}, &v); err != nil {
		return "", "", err
	}
	return up.User.ID, v.Token, nil
}

type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}
