package disk_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
)

func TestPutGetStatDelete(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b, err := disk.New(t.TempDir())
	is.NoErr(err)

	is.NoErr(b.Put(ctx, "u1/originals/m1/video.mp4", strings.NewReader("hello"), 5, "video/mp4"))
	rc, info, err := b.Get(ctx, "u1/originals/m1/video.mp4")
	is.NoErr(err)
	data, _ := io.ReadAll(rc)
	rc.Close()
	is.Equal(string(data), "hello")
	is.Equal(info.Size, int64(5))
	is.Equal(info.ContentType, "video/mp4")

	st, err := b.Stat(ctx, "u1/originals/m1/video.mp4")
	is.NoErr(err)
	is.Equal(st.Size, int64(5))

	is.NoErr(b.Delete(ctx, "u1/originals/m1/video.mp4"))
	_, err = b.Stat(ctx, "u1/originals/m1/video.mp4")
	is.True(errors.Is(err, store.ErrNotFound))
	is.NoErr(b.Delete(ctx, "u1/originals/m1/video.mp4")) // missing is fine
}

func TestSizeMismatchRejected(t *testing.T) {
	is := is.New(t)
	b, _ := disk.New(t.TempDir())
	err := b.Put(context.Background(), "a/b", strings.NewReader("hello"), 3, "text/plain")
	is.True(errors.Is(err, fault.Invalid))
	_, err = b.Stat(context.Background(), "a/b")
	is.True(errors.Is(err, store.ErrNotFound))
}

func TestTraversalImpossible(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	outside := filepath.Join(filepath.Dir(dir), "outside.txt")
	b, _ := disk.New(dir)
	for _, key := range []string{"../outside.txt", "a/../../outside.txt", "/etc/passwd", "a//b", "a\\b", "a/./b", "", "a/", "x\x00y"} {
		err := b.Put(context.Background(), key, strings.NewReader("x"), 1, "text/plain")
		is.True(errors.Is(err, disk.ErrInvalidKey)) // key rejected
		_, _, err = b.Get(context.Background(), key)
		is.True(errors.Is(err, disk.ErrInvalidKey))
	}
	_, err := os.Stat(outside)
	is.True(os.IsNotExist(err))
}

func TestDeletePrefix(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b, _ := disk.New(t.TempDir())
	for _, k := range []string{"c/hls/m1/master.m3u8", "c/hls/m1/720p/index.m3u8", "c/hls/m2/master.m3u8"} {
		is.NoErr(b.Put(ctx, k, strings.NewReader("x"), 1, "application/vnd.apple.mpegurl"))
	}
	is.NoErr(b.DeletePrefix(ctx, "c/hls/m1/"))
	_, err := b.Stat(ctx, "c/hls/m1/720p/index.m3u8")
	is.True(errors.Is(err, store.ErrNotFound))
	_, err = b.Stat(ctx, "c/hls/m2/master.m3u8")
	is.NoErr(err)
	is.True(errors.Is(b.DeletePrefix(ctx, "../"), disk.ErrInvalidKey))
}

func TestPing(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	b, _ := disk.New(dir)
	is.NoErr(b.Ping(context.Background()))
	is.NoErr(os.RemoveAll(dir))
	is.True(errors.Is(b.Ping(context.Background()), fault.Unavailable))
}
