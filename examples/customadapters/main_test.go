package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/store"
)

func TestRun(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), &out, dir)
	t.Logf("output:\n%s", out.String())
	is.NoErr(err)
	for _, want := range []string{
		"adapters: mail=*main.emlMailer blobs=*main.memBlobs",
		`to lin@example.com: "Verify your email address"`,
		"followed the link: lin@example.com verified=true, signed in as creator",
		"in-memory blobs now hold: [logos/",
		"logo read back through the platform: 134 bytes, image/png, identical",
		"logo deleted; in-memory blobs now hold: []",
	} {
		is.True(strings.Contains(out.String(), want)) // output lacks a step
	}
	// The email really is a file a mail client can open.
	files, err := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	is.NoErr(err)
	is.Equal(len(files), 1)
	m, err := readEML(files[0])
	is.NoErr(err)
	is.True(strings.Contains(m.text, "/api/auth/verify-email?token="))
}

// A retried delivery rewrites its own file instead of adding a second
// message, and an email survives the round trip through the file.
func TestEMLMailer(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	d, err := newEMLMailer(dir)
	is.NoErr(err)
	long := strings.Repeat("ünïcode and a long line ", 20) + "https://example.com/x?token=abc"
	m := notify.Message{ID: "0b6e8f6a", To: "a@example.com", Subject: "Grüße", Text: long, HTML: "<p>hi</p>",
		Headers: map[string]string{"List-Unsubscribe": "<https://example.com/u>"}}
	is.NoErr(d.Send(context.Background(), m))
	is.NoErr(d.Send(context.Background(), m))
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	is.Equal(len(files), 1)
	got, err := readEML(files[0])
	is.NoErr(err)
	is.Equal(got.subject, "Grüße")
	is.Equal(got.text, long)
	raw, _ := os.ReadFile(files[0])
	is.True(bytes.Contains(raw, []byte("List-Unsubscribe: <https://example.com/u>\r\n")))

	m.ID, m.To = "evil", "a@example.com\r\nBcc: victim@example.com"
	err = d.Send(context.Background(), m)
	is.True(notify.IsPermanent(err)) // header injection is refused for good
}

func TestMemBlobs(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b := newMemBlobs()

	_, _, err := b.Get(ctx, "a/missing")
	is.True(errors.Is(err, store.ErrNotFound))
	_, err = b.Stat(ctx, "a/missing")
	is.True(errors.Is(err, store.ErrNotFound))

	is.NoErr(b.Put(ctx, "a/1", strings.NewReader("hello"), 5, "text/plain"))
	rc, info, err := b.Get(ctx, "a/1")
	is.NoErr(err)
	body, _ := io.ReadAll(rc)
	is.Equal(string(body), "hello")
	is.Equal(info.Size, int64(5))
	is.Equal(info.ContentType, "text/plain")
	_, seekable := rc.(io.ReadSeeker)
	is.True(seekable)

	// A body longer or shorter than declared is refused and stores nothing.
	is.True(errors.Is(b.Put(ctx, "a/2", strings.NewReader("hello!"), 5, ""), fault.Invalid))
	is.True(errors.Is(b.Put(ctx, "a/2", strings.NewReader("hell"), 5, ""), fault.Invalid))
	_, err = b.Stat(ctx, "a/2")
	is.True(errors.Is(err, store.ErrNotFound))
	is.NoErr(b.Put(ctx, "a/2", strings.NewReader("unknown length"), -1, ""))

	is.NoErr(b.Put(ctx, "b/1", strings.NewReader("x"), 1, ""))
	is.NoErr(b.DeletePrefix(ctx, "a/"))
	is.Equal(b.Keys(), []string{"b/1"})
	is.NoErr(b.Delete(ctx, "b/1"))
	is.NoErr(b.Delete(ctx, "b/1")) // missing is not an error
	is.Equal(len(b.Keys()), 0)
	is.NoErr(b.Ping(ctx))
}

// Run under -race: the platform calls Blobs from many goroutines.
func TestMemBlobsConcurrent(t *testing.T) {
	b := newMemBlobs()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("k/%d", i%3)
			for range 50 {
				if err := b.Put(ctx, key, strings.NewReader("data"), 4, ""); err != nil {
					t.Error(err)
					return
				}
				if rc, _, err := b.Get(ctx, key); err == nil {
					io.ReadAll(rc)
				}
				b.Stat(ctx, key)
				b.Keys()
				b.DeletePrefix(ctx, "k/")
			}
		})
	}
	wg.Wait()
}
