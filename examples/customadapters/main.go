// Command customadapters runs the platform on adapters of its own: a
// notify.Mailer that writes every email as an .eml file, and a store.Blobs
// that keeps objects in memory. Both are handed to codex.New through
// codex.Config; the services use them exactly as they use the built-in
// ones.
//
//	go run ./examples/customadapters
//
// A creator signs up, the verification email lands as a file, the creator
// follows its link, opens an organization and uploads a logo, which the
// platform stores in (and later deletes from) the in-memory blobs.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/org"
)

func main() {
	dir, err := os.MkdirTemp("", "customadapters-")
	if err == nil {
		err = run(context.Background(), os.Stdout, dir)
		os.RemoveAll(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "customadapters:", err)
		os.Exit(1)
	}
}

// run does the whole demonstration in dir (the mail directory and the
// platform's secret key go there).
func run(ctx context.Context, out io.Writer, dir string) error {
	mailer, err := newEMLMailer(dir + "/mail")
	if err != nil {
		return err
	}
	blobs := newMemBlobs()
	c, err := codex.New(ctx, codex.Config{
		DataDir:       dir,
		Mailer:        mailer,
		Blobs:         blobs,
		CreatorSignup: true,
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	// Adapters passed in Config are ours: Close leaves them alone (these
	// two hold nothing that needs closing).
	defer c.Close()
	ad := c.Adapters()
	fmt.Fprintf(out, "adapters: mail=%s blobs=%s\n", ad["mail"], ad["blobs"])

	const email = "lin@example.com"
	if _, err := c.Auth().SignUp(ctx, auth.SignUp{
		Email: email, Password: "paper-lantern-7", Name: "Lin Chen", Role: "creator",
	}); err != nil {
		return fmt.Errorf("sign up: %w", err)
	}
	file, err := mailer.wait(ctx, email, notify.TemplateVerification, 10*time.Second)
	if err != nil {
		return err
	}
	m, err := readEML(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "verification email written to %s\n  from %s to %s: %q\n",
		strings.TrimPrefix(file, dir+"/"), m.from, m.to, m.subject)

	token, err := verifyToken(m.text)
	if err != nil {
		return err
	}
	sess, err := c.Auth().VerifyEmail(ctx, token, "", "")
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(out, "followed the link: %s verified=%t, signed in as %s\n", sess.User.Email, sess.User.EmailVerified, sess.User.Role)
	creator, err := c.Auth().Authenticate(ctx, sess.Token)
	if err != nil {
		return err
	}

	o, err := c.Orgs().Create(ctx, creator, org.Create{Name: "Lantern Studio", Slug: "lantern-studio"})
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	logo := pngLogo()
	b, err := c.Orgs().UploadLogo(ctx, creator, o.ID, bytes.NewReader(logo), "image/png")
	if err != nil {
		return fmt.Errorf("upload logo: %w", err)
	}
	fmt.Fprintf(out, "logo uploaded (%d bytes), public URL %s\n", len(logo), *b.LogoURL)
	fmt.Fprintf(out, "in-memory blobs now hold: %v\n", blobs.Keys())

	// Read it back the way the public logo route does.
	l, err := c.Orgs().Logo(ctx, o.Slug)
	if err != nil {
		return fmt.Errorf("read logo: %w", err)
	}
	got, err := io.ReadAll(l.Body)
	l.Body.Close()
	if err != nil {
		return err
	}
	if !bytes.Equal(got, logo) {
		return errors.New("the logo read back differs from the one uploaded")
	}
	fmt.Fprintf(out, "logo read back through the platform: %d bytes, %s, identical\n", len(got), l.ContentType)

	if _, err := c.Orgs().DeleteLogo(ctx, creator, o.ID); err != nil {
		return fmt.Errorf("delete logo: %w", err)
	}
	fmt.Fprintf(out, "logo deleted; in-memory blobs now hold: %v\n", blobs.Keys())
	return nil
}

type email struct{ from, to, subject, text string }

// readEML parses a written email as a mail client would.
func readEML(file string) (*email, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return nil, err
	}
	e := &email{from: msg.Header.Get("From"), to: msg.Header.Get("To")}
	if e.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, err
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, fmt.Errorf("%s: no text part: %w", file, err)
		}
		// NextPart has already undone the quoted-printable encoding.
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			e.text = string(b)
			return e, err
		}
	}
}

var linkRE = regexp.MustCompile(`https?://\S+`)

// verifyToken finds the verification link in the email and returns its
// token.
func verifyToken(text string) (string, error) {
	for _, raw := range linkRE.FindAllString(text, -1) {
		if u, err := url.Parse(raw); err == nil && u.Path == "/api/auth/verify-email" && u.Query().Get("token") != "" {
			return u.Query().Get("token"), nil
		}
	}
	return "", errors.New("no verification link in the email")
}

// pngLogo draws a small two-colour PNG: the logo upload checks the bytes,
// so it has to be a real image.
func pngLogo() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			c := color.RGBA{0xf2, 0xa9, 0x00, 0xff}
			if (x/8+y/8)%2 == 0 {
				c = color.RGBA{0x1d, 0x35, 0x57, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
