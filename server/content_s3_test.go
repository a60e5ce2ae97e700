package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/s3"
)

// With a bucket configured, uploads go straight to S3 through a presigned
// PUT, and upload-complete checks the object there.
func TestUploadThroughS3(t *testing.T) {
	is := is.New(t)
	backend := s3mem.New()
	is.NoErr(backend.CreateBucket("media"))
	fake := httptest.NewServer(gofakes3.New(backend).Server())
	defer fake.Close()
	e := newEnv(t, codex.Config{Transcoder: "none", S3: s3.Config{Endpoint: fake.URL, Region: "us-east-1", Bucket: "media",
		AccessKeyID: "k", SecretAccessKey: "s", PathStyle: true}})
	is.True(strings.HasPrefix(e.c.Adapters()["blobs"], "s3:media"))
	h := e.srv.Handler()
	tok, _ := e.user(t, "s3creator@example.com", store.RoleCreator)

	res := do(t, h, "POST", "/api/media", strings.NewReader(`{"title":"Clip","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":`+
		strconv.Itoa(len(mp4Bytes))+`,"filename":"clip.mp4"}`), bearer(tok)...)
	is.Equal(res.StatusCode, http.StatusCreated)
	d := dataOf(t, res)
	up := d["upload"].(map[string]any)
	is.True(strings.HasPrefix(up["url"].(string), fake.URL+"/media/")) // presigned, straight to the bucket

	req, _ := http.NewRequest(http.MethodPut, up["url"].(string), bytes.NewReader(mp4Bytes))
	for k, v := range up["headers"].(map[string]any) {
		if k != "Content-Length" {
			req.Header.Set(k, v.(string))
		}
	}
	put, err := http.DefaultClient.Do(req)
	is.NoErr(err)
	io.Copy(io.Discard, put.Body)
	put.Body.Close()
	is.Equal(put.StatusCode, http.StatusOK)

	res = do(t, h, "POST", "/api/media/"+d["id"].(string)+"/upload-complete", nil, bearer(tok)...)
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	is.Equal(res.errorBody(t)["details"].(map[string]any)["status"], "uploaded")
}
