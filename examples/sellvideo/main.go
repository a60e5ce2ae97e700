// Command sellvideo is a small site that sells one video, built on the Codex
// library alone: no server package, no database, no mail server.
//
//	go run ./examples/sellvideo          # run the whole flow, print it, exit
//	go run ./examples/sellvideo -serve   # then serve the shop on localhost:8090
//
// A creator and a customer sign up and verify their addresses with the links
// the platform emails them; the creator opens an organization, uploads a
// clip, has it transcoded to HLS and publishes it for $4.99; the customer
// buys it through the local test payments and gets a streaming grant.
//
// Transcoding needs ffmpeg on PATH. Without it the platform refuses to
// publish the video (its media is never ready), so the example says so and
// sells a written piece through the same checkout instead.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/content"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
)

func main() {
	serve := flag.Bool("serve", false, "after the flow, serve the shop's page until interrupted")
	addr := flag.String("addr", "localhost:8090", "listen address (host:port) with -serve")
	flag.Parse()
	if err := mainErr(*serve, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "sellvideo:", err)
		os.Exit(1)
	}
}

func mainErr(serve bool, addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Everything lives in memory except blobs, which go to a directory we
	// throw away: the example leaves nothing behind.
	dir, err := os.MkdirTemp("", "sellvideo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	o := options{DataDir: dir}
	if serve {
		// Links in emails and streaming grants point at PublicURL, so it
		// must be where this program answers.
		o.PublicURL = "http://" + addr
	}
	s, err := run(ctx, os.Stdout, o)
	if err != nil {
		return err
	}
	defer s.c.Close()
	if serve {
		return s.serve(ctx, addr, os.Stdout)
	}
	return nil
}

// options are the knobs the tests turn.
type options struct {
	DataDir   string
	PublicURL string // empty: codex.DefaultPublicURL
	// Transcoder is codex.Config.Transcoder: empty picks ffmpeg when it is
	// on PATH; "none" shows what a platform without a transcoder does.
	Transcoder string
}

// shop is what the flow leaves behind for the page to show. The caller
// closes c.
type shop struct {
	c        *codex.Codex
	item     *store.Content
	customer *actor.Actor
}

const priceCents = 499

func run(ctx context.Context, out io.Writer, o options) (_ *shop, err error) {
	// The platform emails verification links and receipts; an Outbox keeps
	// them in memory so this program can follow the links like a person
	// would. customadapters shows a Mailer of one's own.
	outbox := &notify.Outbox{}
	c, err := codex.New(ctx, codex.Config{
		DataDir:       o.DataDir,
		PublicURL:     o.PublicURL,
		CreatorSignup: true, // otherwise every sign-up is a customer
		Mailer:        outbox,
		Transcoder:    o.Transcoder,
		// The library logs every step as JSON; warnings are enough here.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	ad := c.Adapters()
	fmt.Fprintf(out, "platform: database=%s blobs=%s payments=%s transcoder=%s\n",
		ad["database"], ad["blobs"], ad["payments"], ad["transcoder"])

	creator, creatorToken, err := signUp(ctx, out, c, outbox, "ada@example.com", "Ada Lovelace", "creator")
	if err != nil {
		return nil, err
	}
	studio, err := c.Orgs().Create(ctx, creator, org.Create{Name: "Ada's Films", Slug: "adas-films"})
	if err != nil {
		return nil, fmt.Errorf("create organization: %w", err)
	}
	// Creating the organization made Ada its owner; a fresh actor carries
	// that membership.
	if creator, err = c.Auth().Authenticate(ctx, creatorToken); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "organization %q created, owner %s\n", studio.Slug, creator.Email)

	item, err := sellVideo(ctx, out, c, creator, studio.ID, o.DataDir)
	if errors.Is(err, errNoVideo) {
		item, err = sellWriting(ctx, out, c, creator, studio.ID)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "published %q (%s) at %s\n", item.Title, item.ContentType, money(*item.PriceCents))

	customer, _, err := signUp(ctx, out, c, outbox, "grace@example.com", "Grace Hopper", "")
	if err != nil {
		return nil, err
	}
	_, denied := c.Access().Check(ctx, customer, item.ID)
	if !errors.Is(denied, fault.Forbidden) {
		return nil, fmt.Errorf("before buying: want ACCESS_DENIED, got %v", denied)
	}
	fmt.Fprintf(out, "before buying, %s is refused: %v\n", customer.Email, denied)

	base := c.Config().PublicURL
	sess, err := c.Purchases().Checkout(ctx, customer, purchase.CheckoutInput{
		ContentID: item.ID, SuccessURL: base + "/?paid=1", CancelURL: base + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("checkout: %w", err)
	}
	fmt.Fprintf(out, "checkout opened: %s\n", sess.SessionURL)
	// The local test payments charge nothing: completing the session emits
	// the same checkout.session.completed event Stripe would send, and the
	// same code records the purchase.
	p, _, err := c.Purchases().CompleteLocalCheckout(ctx, customer, sess.SessionID)
	if err != nil {
		return nil, fmt.Errorf("complete checkout: %w", err)
	}
	fmt.Fprintf(out, "purchase %s: paid %s %s (platform %s, organization %s, creator %s)\n", p.Status,
		money(p.AmountPaidCents), p.Currency, money(p.PlatformFeeCents), money(p.OrganizationFeeCents), money(p.CreatorPayoutCents))

	if _, err := c.Access().Check(ctx, customer, item.ID); err != nil {
		return nil, fmt.Errorf("access after purchase: %w", err)
	}
	fmt.Fprintf(out, "after buying, %s has access\n", customer.Email)
	if item.ContentType == store.ContentVideo {
		if err := checkStream(ctx, out, c, customer, item.ID); err != nil {
			return nil, err
		}
	}
	m, ok := outbox.Wait(customer.Email, notify.TemplatePurchaseReceipt, 10*time.Second)
	if !ok {
		return nil, errors.New("no purchase receipt was emailed")
	}
	fmt.Fprintf(out, "receipt emailed to %s: %q\n", m.To, m.Subject)
	return &shop{c: c, item: item, customer: customer}, nil
}

// signUp creates an account and verifies it the way a person does: by
// following the link in the email the platform sent. role "creator" is
// honoured because Config.CreatorSignup is set. It returns the signed-in
// actor and its session token.
func signUp(ctx context.Context, out io.Writer, c *codex.Codex, outbox *notify.Outbox, email, name, role string) (*actor.Actor, string, error) {
	if _, err := c.Auth().SignUp(ctx, auth.SignUp{Email: email, Password: "correct-horse-42", Name: name, Role: role}); err != nil {
		return nil, "", fmt.Errorf("sign up %s: %w", email, err)
	}
	// Delivery is asynchronous (a worker drains the email log), so wait.
	m, ok := outbox.Wait(email, notify.TemplateVerification, 10*time.Second)
	if !ok {
		return nil, "", fmt.Errorf("no verification email for %s", email)
	}
	token, err := linkToken(m.Text, "/api/auth/verify-email")
	if err != nil {
		return nil, "", err
	}
	sess, err := c.Auth().VerifyEmail(ctx, token, "", "")
	if err != nil {
		return nil, "", fmt.Errorf("verify %s: %w", email, err)
	}
	a, err := c.Auth().Authenticate(ctx, sess.Token)
	if err != nil {
		return nil, "", err
	}
	fmt.Fprintf(out, "%s signed up as %s and verified via the emailed link\n", a.Email, a.Role)
	return a, sess.Token, nil
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// linkToken finds the link to path in an email body and returns its token
// parameter.
func linkToken(body, path string) (string, error) {
	for _, raw := range linkRE.FindAllString(body, -1) {
		if u, err := url.Parse(raw); err == nil && u.Path == path && u.Query().Get("token") != "" {
			return u.Query().Get("token"), nil
		}
	}
	return "", fmt.Errorf("no %s link in the email", path)
}

// errNoVideo means the video cannot be published on this machine; the
// reason has been printed.
var errNoVideo = errors.New("video cannot be published here")

// sellVideo uploads a generated clip, waits for the transcoder and creates
// the priced video, published.
func sellVideo(ctx context.Context, out io.Writer, c *codex.Codex, creator *actor.Actor, orgID uuid.UUID, dir string) (*store.Content, error) {
	clip, err := makeClip(ctx, dir)
	if err != nil {
		fmt.Fprintf(out, "cannot make a sample clip (%v): transcoding needs ffmpeg on PATH, and video is published only once transcoded\n", err)
		return nil, errNoVideo
	}
	info, err := os.Stat(clip)
	if err != nil {
		return nil, err
	}
	mu, err := c.Content().CreateMedia(ctx, creator, content.NewMedia{
		Title: "First Light", MediaType: store.MediaVideo, MimeType: "video/mp4",
		FileSizeBytes: info.Size(), Filename: "first-light.mp4",
	})
	if err != nil {
		return nil, fmt.Errorf("create media: %w", err)
	}
	if err := upload(ctx, c, creator, mu, clip); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "uploaded the original (%d bytes) to %s\n", info.Size(), mu.R2Key)

	res, err := c.Content().CompleteUpload(ctx, creator, mu.ID)
	if errors.Is(err, fault.Unavailable) {
		// CompleteUpload still reports where the item stands.
		fmt.Fprintf(out, "transcoding refused, media stays %s: %v\n", res.Status, err)
		// Show the rule rather than assert it: the library will not
		// publish video whose media is not ready.
		v, cerr := c.Content().Create(ctx, creator, content.Create{
			Title: "First Light", Slug: "first-light", ContentType: store.ContentVideo,
			MediaItemID: &mu.ID, OrganizationID: &orgID, PriceCents: ptr(priceCents),
		})
		if cerr != nil {
			return nil, cerr
		}
		if _, perr := c.Content().Publish(ctx, creator, v.ID); perr != nil {
			fmt.Fprintf(out, "publishing the video is refused: %v\n", perr)
		}
		return nil, errNoVideo
	}
	if err != nil {
		return nil, fmt.Errorf("complete upload: %w", err)
	}
	fmt.Fprintf(out, "upload complete; media is %s\n", res.Status)
	if err := waitReady(ctx, out, c, creator, mu.ID); err != nil {
		return nil, err
	}

	v, err := c.Content().Create(ctx, creator, content.Create{
		Title: "First Light", Slug: "first-light", ContentType: store.ContentVideo,
		MediaItemID: &mu.ID, OrganizationID: &orgID,
		// A price makes the item purchased_only unless told otherwise.
		PriceCents: ptr(priceCents),
	})
	if err != nil {
		return nil, fmt.Errorf("create content: %w", err)
	}
	return c.Content().Publish(ctx, creator, v.ID)
}

// sellWriting is the fallback: written content needs no media.
func sellWriting(ctx context.Context, out io.Writer, c *codex.Codex, creator *actor.Actor, orgID uuid.UUID) (*store.Content, error) {
	fmt.Fprintln(out, "selling a written piece instead, through the same checkout")
	body := "How the first light test was shot, frame by frame."
	w, err := c.Content().Create(ctx, creator, content.Create{
		Title: "First Light: the notes", Slug: "first-light-notes", ContentType: store.ContentWritten,
		ContentBody: &body, OrganizationID: &orgID, PriceCents: ptr(priceCents),
	})
	if err != nil {
		return nil, fmt.Errorf("create content: %w", err)
	}
	return c.Content().Publish(ctx, creator, w.ID)
}

// makeClip generates two seconds of test pattern and tone: small enough to
// transcode in about a second.
func makeClip(ctx context.Context, dir string) (string, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "first-light.mp4")
	cmd := exec.CommandContext(ctx, bin, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", p)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("ffmpeg: %v: %s", err, b)
	}
	return p, nil
}

// upload stores the original in process: a Go program holding the
// creator's actor needs no upload URL (an HTTP client would PUT the file to
// mu.Upload.URL instead).
func upload(ctx context.Context, c *codex.Codex, creator *actor.Actor, mu *content.MediaUpload, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.Content().UploadOriginal(ctx, creator, mu.ID, f, *mu.MimeType, *mu.FileSizeBytes)
}

// waitReady polls the transcoding status as a dashboard would.
func waitReady(ctx context.Context, out io.Writer, c *codex.Codex, creator *actor.Actor, id uuid.UUID) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		st, err := c.Transcoding().Status(ctx, creator, id)
		if err != nil {
			return err
		}
		switch st.Status {
		case store.MediaReady:
			fmt.Fprintf(out, "transcoded: ready, variants %v\n", st.ReadyVariants)
			return nil
		case store.MediaFailed:
			return fmt.Errorf("transcoding failed: %s", deref(st.TranscodingError))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for transcoding (status %s): %w", st.Status, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkStream gets the customer a streaming grant and opens the master
// playlist with it, as a player would.
func checkStream(ctx context.Context, out io.Writer, c *codex.Codex, customer *actor.Actor, contentID uuid.UUID) error {
	g, err := c.Access().Stream(ctx, customer, contentID, 0)
	if err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	fmt.Fprintf(out, "streaming grant until %s: %s\n", g.ExpiresAt.Format(time.RFC3339), g.StreamingURL)
	obj, err := c.Access().OpenURL(ctx, g.StreamingURL)
	if err != nil {
		return fmt.Errorf("open master playlist: %w", err)
	}
	defer obj.Body.Close()
	var variants []string
	sc := bufio.NewScanner(obj.Body)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			variants = append(variants, line)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(variants) == 0 {
		return errors.New("master playlist lists no variants")
	}
	// Variant URIs are relative, so a player fetches them under the same
	// token: the grant covers the whole stream, not just the master.
	v, err := c.Access().OpenURL(ctx, g.StreamingURL[:strings.LastIndexByte(g.StreamingURL, '/')+1]+variants[0])
	if err != nil {
		return fmt.Errorf("open variant playlist: %w", err)
	}
	v.Body.Close()
	fmt.Fprintf(out, "the grant opens the master playlist and its variant %s\n", variants[0])
	return nil
}

func money(cents int) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
