package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/transcode"
	"github.com/codexforgo/codex/transcode/runpod"
)

func requireFFmpeg(t *testing.T) {
	t.Helper()
	for _, p := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI: %v", p, err)
			}
			t.Skipf("%s not installed", p)
		}
	}
}

// liveEnv is a platform served on a real listener whose PublicURL is that
// listener, so the URLs it hands out (uploads, streams) can be fetched by
// external programs such as ffmpeg.
func liveEnv(t *testing.T, cfg codex.Config) (*testEnv, *httptest.Server) {
	var h http.Handler
	var mu sync.Mutex
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hh := h
		mu.Unlock()
		hh.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	cfg.PublicURL = ts.URL
	e := newEnv(t, cfg)
	mu.Lock()
	h = e.srv.Handler()
	mu.Unlock()
	return e, ts
}

// localPath turns a platform URL into a request target for the handler.
func localPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func TestUploadTranscodeAndPlayEveryRendition(t *testing.T) {
	requireFFmpeg(t)
	is := is.New(t)
	e, ts := liveEnv(t, codex.Config{})
	h := e.srv.Handler()
	is.True(strings.HasPrefix(e.c.Adapters()["transcoder"], "ffmpeg:")) // embedded default with ffmpeg on PATH
	creatorTok, _ := e.user(t, "creator@example.com", store.RoleCreator)
	custTok, _ := e.user(t, "customer@example.com", store.RoleCustomer)

	clip := filepath.Join(t.TempDir(), "clip.mp4")
	gen := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", clip)
	out, err := gen.CombinedOutput()
	if err != nil {
		t.Fatalf("generating the clip: %v\n%s", err, out)
	}
	data, err := os.ReadFile(clip)
	is.NoErr(err)

	// The creator declares, uploads and completes the upload.
	res := do(t, h, "POST", "/api/media", strings.NewReader(fmt.Sprintf(
		`{"title":"Clip","mediaType":"video","mimeType":"video/mp4","fileSizeBytes":%d,"filename":"clip.mp4"}`, len(data))), bearer(creatorTok)...)
	is.Equal(res.StatusCode, http.StatusCreated)
	d := dataOf(t, res)
	mediaID := d["id"].(string)
	up := d["upload"].(map[string]any)
	res = do(t, h, "PUT", localPath(t, up["url"].(string)), bytes.NewReader(data), "Content-Type", "video/mp4")
	is.Equal(res.StatusCode, http.StatusOK)
	res = do(t, h, "POST", "/api/media/"+mediaID+"/upload-complete", nil, bearer(creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK) // a job really started

	// Status goes to ready; the creator sees it single-wrapped.
	var st map[string]any
	deadline := time.Now().Add(90 * time.Second)
	for {
		res = do(t, h, "GET", "/api/transcoding/status/"+mediaID, nil, bearer(creatorTok)...)
		is.Equal(res.StatusCode, http.StatusOK)
		st = dataOf(t, res)
		p := st["progress"].(float64)
		is.True(p >= 0 && p <= 100)
		if st["status"] != "transcoding" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	is.Equal(st["status"], "ready")
	is.Equal(st["progress"], 100.0)
	is.Equal(st["transcodingError"], nil)
	is.Equal(st["readyVariants"], []any{"480p", "360p"}) // 480p source: nothing above it
	m, err := e.c.Store().Media().Get(context.Background(), uuid.MustParse(mediaID))
	is.NoErr(err)
	is.Equal(*m.DurationSeconds, 2)
	is.Equal([2]int{*m.Width, *m.Height}, [2]int{854, 480})
	is.True(m.HLSPreviewKey != nil && m.ThumbnailKey != nil)

	// Published, streamed by a customer, played by a real HLS client.
	res = do(t, h, "POST", "/api/content", strings.NewReader(fmt.Sprintf(
		`{"title":"Film","slug":"film","contentType":"video","mediaItemId":%q}`, mediaID)), bearer(creatorTok)...)
	is.Equal(res.StatusCode, http.StatusCreated)
	contentID := dataOf(t, res)["id"].(string)
	res = do(t, h, "POST", "/api/content/"+contentID+"/publish", nil, bearer(creatorTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	res = do(t, h, "GET", "/api/access/content/"+contentID+"/stream", nil, bearer(custTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	master := dataOf(t, res)["streamingUrl"].(string)
	is.True(strings.HasPrefix(master, ts.URL))

	play := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-i", master, "-map", "0", "-f", "null", "-")
	out, err = play.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg could not play the stream: %v\n%s", err, out)
	}
	// Every rendition, read to its end: ~2 s of 30 fps video and audio each.
	probe := exec.Command("ffprobe", "-v", "error", "-count_packets", "-show_entries",
		"stream=codec_type,width,height,nb_read_packets", "-of", "json", master)
	out, err = probe.Output()
	is.NoErr(err)
	var p struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			Height    int    `json:"height"`
			Packets   string `json:"nb_read_packets"`
		} `json:"streams"`
	}
	is.NoErr(json.Unmarshal(out, &p))
	heights := map[int]bool{}
	audio := 0
	for _, s := range p.Streams {
		n, _ := strconv.Atoi(s.Packets)
		switch s.CodecType {
		case "video":
			heights[s.Height] = true
			is.True(n >= 59) // every frame of the rendition arrived
		case "audio":
			audio++
			is.True(n >= 90) // 2 s of 48 kHz AAC is ~94 packets
		}
	}
	is.Equal(heights, map[int]bool{480: true, 360: true})
	is.Equal(audio, 2)
}

// fakeRunPod is an httptest RunPod: it records submitted jobs and answers
// with ids job-1, job-2, ...
type fakeRunPod struct {
	mu   sync.Mutex
	jobs []map[string]any
	auth []string
	fail bool
}

func (f *fakeRunPod) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v2/ep-1/run" {
		http.NotFound(w, r)
		return
	}
	if f.fail {
		http.Error(w, `{"error":"internal secret detail"}`, http.StatusInternalServerError)
		return
	}
	var body struct {
		Input map[string]any `json:"input"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.jobs = append(f.jobs, body.Input)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	fmt.Fprintf(w, `{"id":"job-%d","status":"IN_QUEUE"}`, len(f.jobs))
}

const hookSecret = "whsec-test-0123456789"

// signedHook sends a callback signed at ts.
func signedHook(t *testing.T, h http.Handler, body string, ts time.Time, secret string) response {
	t.Helper()
	tsText, sig := runpod.Sign(secret, []byte(body), ts)
	return do(t, h, "POST", "/api/transcoding/webhook", strings.NewReader(body),
		"Content-Type", "application/json", runpod.HeaderTimestamp, tsText, runpod.HeaderSignature, sig)
}

// signedTrigger calls the internal trigger as another service would.
func signedTrigger(t *testing.T, e *testEnv, h http.Handler, id, body string, key []byte) response {
	t.Helper()
	req := httptest.NewRequest("POST", "/internal/media/"+id+"/transcode", strings.NewReader(body))
	transcode.SignWorkerRequest(req, key, []byte(body), time.Now())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return response{rec.Result(), b}
}

func TestRunPodTriggerCallbackRetryAndStatus(t *testing.T) {
	is := is.New(t)
	rp := &fakeRunPod{}
	api := httptest.NewServer(rp)
	defer api.Close()
	e := newEnv(t, codex.Config{
		Transcoder: "runpod", RunpodAPIKey: "rp-key", RunpodEndpointID: "ep-1",
		RunpodWebhookSecret: hookSecret, RunpodAPIBase: api.URL, PublicURL: "https://media.example.com",
	})
	h := e.srv.Handler(Media, Content)
	is.Equal(e.c.Adapters()["transcoder"], "runpod:ep-1")
	ownerTok, owner := e.user(t, "creator@example.com", store.RoleCreator)
	otherTok, _ := e.user(t, "other@example.com", store.RoleCreator)
	poTok, _ := e.user(t, "po@example.com", store.RolePlatformOwner)
	ctx := context.Background()
	newItem := func(status store.MediaStatus) string {
		m := &store.MediaItem{CreatorID: owner.ID, Title: "T", MediaType: store.MediaVideo, Status: status, R2Key: owner.ID + "/originals/x/clip.mp4", TranscodingPriority: 2}
		is.NoErr(e.c.Store().Media().Create(ctx, m))
		return m.ID.String()
	}
	id := newItem(store.MediaUploaded)
	key := e.c.WorkerKey()

	// The internal trigger needs a valid signature over method, path and body.
	res := do(t, h, "POST", "/internal/media/"+id+"/transcode", strings.NewReader(`{}`))
	is.Equal(res.StatusCode, http.StatusUnauthorized)
	is.Equal(res.errorBody(t)["message"], "Missing authentication headers")
	res = signedTrigger(t, e, h, id, `{}`, []byte("not-the-key-not-the-key-not-the-key"))
	is.Equal(res.StatusCode, http.StatusUnauthorized)
	is.Equal(res.errorBody(t)["message"], "Invalid signature")
	res = signedTrigger(t, e, h, uuid.NewString(), `{}`, key)
	is.Equal(res.StatusCode, http.StatusNotFound)
	res = signedTrigger(t, e, h, id, `{"priority":9}`, key)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	res = signedTrigger(t, e, h, id, `{"priority":0}`, key)
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(dataOf(t, res)["message"], "Transcoding job triggered")
	res = signedTrigger(t, e, h, id, `{}`, key)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity) // one job per item
	is.Equal(errCodeOf(t, res), "INVALID_MEDIA_STATE")

	rp.mu.Lock()
	is.Equal(len(rp.jobs), 1)
	job := rp.jobs[0]
	is.Equal(rp.auth[0], "Bearer rp-key")
	rp.mu.Unlock()
	is.Equal(job["mediaId"], id)
	is.Equal(job["type"], "video")
	is.Equal(job["creatorId"], owner.ID)
	is.Equal(job["webhookUrl"], "https://media.example.com/api/transcoding/webhook") // our own surface (Oddity 16)
	is.Equal(job["priority"], 0.0)
	is.Equal(job["outputPrefix"], owner.ID+"/hls/"+id+"/")
	is.Equal(len(job["ladder"].([]any)), 4)

	// Status while the remote job runs.
	res = do(t, h, "GET", "/api/transcoding/status/"+id, nil, bearer(ownerTok)...)
	is.Equal(res.StatusCode, http.StatusOK)
	st := dataOf(t, res)
	is.Equal(st["status"], "transcoding")
	is.Equal(st["transcodingPriority"], 0.0)
	_, doubled := st["data"]
	is.True(!doubled) // single-wrapped (Oddity 14)
	is.Equal(do(t, h, "GET", "/api/transcoding/status/"+id, nil, bearer(otherTok)...).StatusCode, http.StatusNotFound)
	is.Equal(do(t, h, "GET", "/api/transcoding/status/"+id, nil, bearer(poTok)...).StatusCode, http.StatusOK)
	is.Equal(do(t, h, "GET", "/api/transcoding/status/"+id, nil).StatusCode, http.StatusUnauthorized)

	// Callbacks: unsigned, forged, stale, then the real one.
	k := transcode.KeysFor(owner.ID, uuid.MustParse(id))
	done := fmt.Sprintf(`{"jobId":"job-1","status":"completed","output":{"mediaId":%q,"type":"video","hlsMasterKey":%q,"hlsPreviewKey":%q,"thumbnailKey":%q,"durationSeconds":61,"width":1920,"height":1080,"readyVariants":["1080p","720p","480p","360p"]}}`,
		id, k.Master, k.Preview, k.Thumbnail)
	res = do(t, h, "POST", "/api/transcoding/webhook", strings.NewReader(done))
	is.Equal(res.StatusCode, http.StatusUnauthorized)
	is.Equal(errCodeOf(t, res), "MISSING_SIGNATURE")
	res = signedHook(t, h, done, time.Now(), "forged-secret")
	is.Equal(res.StatusCode, http.StatusForbidden)
	is.Equal(errCodeOf(t, res), "INVALID_SIGNATURE")
	res = signedHook(t, h, done, time.Now().Add(-301*time.Second), hookSecret)
	is.Equal(res.StatusCode, http.StatusUnauthorized)
	is.Equal(errCodeOf(t, res), "TIMESTAMP_EXPIRED")
	res = signedHook(t, h, done, time.Now().Add(61*time.Second), hookSecret)
	is.Equal(errCodeOf(t, res), "TIMESTAMP_FUTURE")
	ts, sig := runpod.Sign(hookSecret, []byte(done), time.Now())
	res = do(t, h, "POST", "/api/transcoding/webhook", strings.NewReader(done), runpod.HeaderTimestamp, ts+"abc", runpod.HeaderSignature, sig)
	is.Equal(errCodeOf(t, res), "INVALID_TIMESTAMP") // strict parse (Oddity 25)
	res = signedHook(t, h, `{"jobId":"job-1","status":"completed","extra":1}`, time.Now(), hookSecret)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	res = signedHook(t, h, done, time.Now(), hookSecret)
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(string(bytes.TrimSpace(res.body)), `{"received":true}`)
	res = do(t, h, "GET", "/api/transcoding/status/"+id, nil, bearer(ownerTok)...)
	st = dataOf(t, res)
	is.Equal(st["status"], "ready")
	is.Equal(st["progress"], 100.0)
	is.Equal(st["readyVariants"], []any{"1080p", "720p", "480p", "360p"})
	res = signedHook(t, h, `{"jobId":"job-1","status":"failed","error":"late"}`, time.Now(), hookSecret)
	is.Equal(res.StatusCode, http.StatusOK) // stale: acknowledged, ignored
	is.Equal(dataOf(t, do(t, h, "GET", "/api/transcoding/status/"+id, nil, bearer(ownerTok)...))["status"], "ready")
	res = signedHook(t, h, `{"jobId":"job-404","status":"failed"}`, time.Now(), hookSecret)
	is.Equal(res.StatusCode, http.StatusNotFound)

	// Retry: only the owner, only from failed, at most three times.
	res = do(t, h, "POST", "/api/transcoding/retry/"+id, nil, bearer(ownerTok)...)
	is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "INVALID_MEDIA_STATE") // ready cannot be retried
	failed := newItem(store.MediaUploaded)
	is.Equal(signedTrigger(t, e, h, failed, `{}`, key).StatusCode, http.StatusOK)
	for attempt := 1; ; attempt++ {
		rp.mu.Lock()
		jobID := fmt.Sprintf("job-%d", len(rp.jobs))
		rp.mu.Unlock()
		res = signedHook(t, h, fmt.Sprintf(`{"jobId":%q,"status":"failed","error":"input is not a media file: moov atom not found"}`, jobID), time.Now(), hookSecret)
		is.Equal(res.StatusCode, http.StatusOK)
		st = dataOf(t, do(t, h, "GET", "/api/transcoding/status/"+failed, nil, bearer(ownerTok)...))
		is.Equal(st["status"], "failed")
		is.Equal(st["transcodingError"], "input is not a media file: moov atom not found")
		is.Equal(do(t, h, "POST", "/api/transcoding/retry/"+failed, nil, bearer(otherTok)...).StatusCode, http.StatusNotFound)
		res = do(t, h, "POST", "/api/transcoding/retry/"+failed, nil, bearer(ownerTok)...)
		if attempt == 4 {
			is.Equal(res.StatusCode, http.StatusUnprocessableEntity)
			is.Equal(errCodeOf(t, res), "MAX_RETRIES_EXCEEDED") // the fourth retry
			break
		}
		is.Equal(res.StatusCode, http.StatusOK)
		is.Equal(dataOf(t, res)["message"], "Transcoding retry triggered")
		st = dataOf(t, do(t, h, "GET", "/api/transcoding/status/"+failed, nil, bearer(ownerTok)...))
		is.Equal(st["status"], "transcoding")
		is.Equal(st["transcodingAttempts"], float64(attempt))
	}

	// RunPod down: the trigger fails without leaking RunPod's answer, and
	// the item stays uploaded for another try.
	rp.mu.Lock()
	rp.fail = true
	rp.mu.Unlock()
	down := newItem(store.MediaUploaded)
	res = signedTrigger(t, e, h, down, `{}`, key)
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	is.Equal(errCodeOf(t, res), "RUNPOD_API_ERROR")
	is.True(!strings.Contains(string(res.body), "secret detail"))
	m, err := e.c.Store().Media().Get(ctx, uuid.MustParse(down))
	is.NoErr(err)
	is.Equal(m.Status, store.MediaUploaded)
}

func TestTranscodeWithoutTranscoder(t *testing.T) {
	is := is.New(t)
	e := newEnv(t, codex.Config{Transcoder: "none"})
	h := e.srv.Handler(Media)
	_, owner := e.user(t, "creator@example.com", store.RoleCreator)
	m := &store.MediaItem{CreatorID: owner.ID, Title: "T", MediaType: store.MediaAudio, Status: store.MediaUploaded, R2Key: owner.ID + "/originals/x/a.mp3", TranscodingPriority: 2}
	is.NoErr(e.c.Store().Media().Create(context.Background(), m))
	res := signedTrigger(t, e, h, m.ID.String(), `{}`, e.c.WorkerKey())
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	is.Equal(errCodeOf(t, res), "TRANSCODER_UNAVAILABLE")
	// Without a webhook secret every callback is refused.
	res = signedHook(t, h, `{"jobId":"j","status":"failed"}`, time.Now(), hookSecret)
	is.Equal(res.StatusCode, http.StatusServiceUnavailable)
	is.Equal(errCodeOf(t, res), "CONFIGURATION_ERROR")
}

func TestInternalTriggerRunsFFmpegFromBlobs(t *testing.T) {
	requireFFmpeg(t)
	is := is.New(t)
	e := newEnv(t, codex.Config{})
	h := e.srv.Handler(Media)
	_, owner := e.user(t, "creator@example.com", store.RoleCreator)
	ctx := context.Background()

	// An audio original already in Blobs, the item uploaded.
	tone := filepath.Join(t.TempDir(), "tone.m4a")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100",
		"-t", "2", "-c:a", "aac", tone).CombinedOutput()
	if err != nil {
		t.Fatalf("generating the tone: %v\n%s", err, out)
	}
	f, err := os.Open(tone)
	is.NoErr(err)
	defer f.Close()
	m := &store.MediaItem{CreatorID: owner.ID, Title: "Tone", MediaType: store.MediaAudio, Status: store.MediaUploaded, TranscodingPriority: 2}
	m.ID = uuid.New()
	m.R2Key = owner.ID + "/originals/" + m.ID.String() + "/tone.m4a"
	is.NoErr(e.c.Blobs().Put(ctx, m.R2Key, f, -1, "audio/mp4"))
	is.NoErr(e.c.Store().Media().Create(ctx, m))

	res := signedTrigger(t, e, h, m.ID.String(), `{"priority":1}`, e.c.WorkerKey())
	is.Equal(res.StatusCode, http.StatusOK)
	deadline := time.Now().Add(60 * time.Second)
	var got *store.MediaItem
	for time.Now().Before(deadline) {
		got, err = e.c.Store().Media().Get(ctx, m.ID)
		is.NoErr(err)
		if got.Status != store.MediaTranscoding {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	is.Equal(got.Status, store.MediaReady)
	k := transcode.KeysFor(owner.ID, m.ID)
	is.Equal(*got.HLSMasterPlaylistKey, k.Master)
	is.Equal(*got.WaveformKey, k.Waveform)
	is.Equal(*got.WaveformImageKey, k.WaveformImage)
	is.Equal(got.ReadyVariants, []string{"audio"})
	is.Equal(got.TranscodingPriority, 1)
	for _, key := range []string{k.Master, k.HLSPrefix + "128k/index.m3u8", k.HLSPrefix + "64k/index.m3u8", k.Waveform, k.WaveformImage} {
		_, err := e.c.Blobs().Stat(ctx, key)
		is.NoErr(err) // every output is in Blobs
	}
}
