package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/s3"
)

// newBlobs runs an in-process S3 server (gofakes3, in memory) and returns
// blobs on a bucket in it.
func newBlobs(t *testing.T) *s3.Blobs {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	b, err := s3.New(context.Background(), s3.Config{
		Endpoint: srv.URL, Region: "us-east-1", Bucket: "media",
		AccessKeyID: "test-key", SecretAccessKey: "test-secret", PathStyle: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// onlyReader hides every method but Read, like a request body.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestPutGetStatDelete(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b := newBlobs(t)
	is.NoErr(b.Ping(ctx))

	is.NoErr(b.Put(ctx, "u1/originals/m1/video.mp4", onlyReader{strings.NewReader("hello world")}, 11, "video/mp4"))
	info, err := b.Stat(ctx, "u1/originals/m1/video.mp4")
	is.NoErr(err)
	is.Equal(info.Size, int64(11))
	is.Equal(info.ContentType, "video/mp4")

	rc, info, err := b.Get(ctx, "u1/originals/m1/video.mp4")
	is.NoErr(err)
	is.Equal(info.Size, int64(11))
	data, err := io.ReadAll(rc)
	is.NoErr(err)
	is.Equal(string(data), "hello world")

	// the reader seeks with ranged GETs
	rs := rc.(io.ReadSeeker)
	_, err = rs.Seek(6, io.SeekStart)
	is.NoErr(err)
	part := make([]byte, 5)
	_, err = io.ReadFull(rs, part)
	is.NoErr(err)
	is.Equal(string(part), "world")
	end, err := rs.Seek(0, io.SeekEnd)
	is.NoErr(err)
	is.Equal(end, int64(11))
	n, err := rs.Read(part)
	is.Equal(n, 0)
	is.Equal(err, io.EOF)
	is.NoErr(rc.Close())

	_, err = b.Stat(ctx, "missing")
	is.True(errors.Is(err, store.ErrNotFound))
	_, _, err = b.Get(ctx, "missing")
	is.True(errors.Is(err, store.ErrNotFound))

	is.NoErr(b.Delete(ctx, "u1/originals/m1/video.mp4"))
	_, err = b.Stat(ctx, "u1/originals/m1/video.mp4")
	is.True(errors.Is(err, store.ErrNotFound))
	is.NoErr(b.Delete(ctx, "u1/originals/m1/video.mp4")) // missing is fine
}

func TestDeletePrefix(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b := newBlobs(t)
	for _, k := range []string{"c/hls/m1/master.m3u8", "c/hls/m1/720p/index.m3u8", "c/hls/m2/master.m3u8"} {
		is.NoErr(b.Put(ctx, k, strings.NewReader("x"), 1, "application/vnd.apple.mpegurl"))
	}
	is.NoErr(b.DeletePrefix(ctx, "c/hls/m1/"))
	_, err := b.Stat(ctx, "c/hls/m1/720p/index.m3u8")
	is.True(errors.Is(err, store.ErrNotFound))
	_, err = b.Stat(ctx, "c/hls/m2/master.m3u8")
	is.NoErr(err)
}

// TestPresignedPutAndGet uploads through a presigned URL with a plain HTTP
// client, the way a browser would, and downloads it through another.
func TestPresignedPutAndGet(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	b := newBlobs(t)
	body := bytes.Repeat([]byte("0123456789"), 1000)
	url, hdr, err := b.PresignPut(ctx, "u1/originals/m1/clip.mp4", "video/mp4", int64(len(body)), 15*time.Minute)
	is.NoErr(err)
	is.True(strings.Contains(url, "X-Amz-Signature="))
	is.True(strings.Contains(url, "/media/u1/originals/m1/clip.mp4")) // path style

	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	for k, v := range hdr {
		if k != "Host" {
			req.Header[k] = v
		}
	}
	res, err := http.DefaultClient.Do(req)
	is.NoErr(err)
	res.Body.Close()
	is.Equal(res.StatusCode, http.StatusOK)

	info, err := b.Stat(ctx, "u1/originals/m1/clip.mp4")
	is.NoErr(err)
	is.Equal(info.Size, int64(len(body)))
	is.Equal(info.ContentType, "video/mp4")

	getURL, err := b.PresignGet(ctx, "u1/originals/m1/clip.mp4", 5*time.Minute)
	is.NoErr(err)
	res, err = http.Get(getURL)
	is.NoErr(err)
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(got, body)
}

func TestConfigErrors(t *testing.T) {
	is := is.New(t)
	_, err := s3.New(context.Background(), s3.Config{})
	is.True(err != nil) // bucket required
	_, err = s3.New(context.Background(), s3.Config{Bucket: "b", AccessKeyID: "only-id"})
	is.True(err != nil) // half the credentials
}
