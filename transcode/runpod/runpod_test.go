package runpod_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/transcode"
	"github.com/codexforgo/codex/transcode/runpod"
)

func client(t *testing.T, h http.HandlerFunc, timeout time.Duration) *runpod.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := runpod.New(runpod.Config{APIKey: "k", EndpointID: "ep", WebhookSecret: "s", WebhookURL: "https://x/api/transcoding/webhook",
		BaseURL: srv.URL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSubmitAudioJob(t *testing.T) {
	is := is.New(t)
	var got struct {
		Input runpod.Input `json:"input"`
	}
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		is.Equal(r.URL.Path, "/v2/ep/run")
		is.Equal(r.Header.Get("Authorization"), "Bearer k")
		is.NoErr(json.NewDecoder(r.Body).Decode(&got))
		w.Write([]byte(`{"id":"abc","status":"IN_QUEUE"}`))
	}, 0)
	m := store.MediaItem{ID: uuid.New(), CreatorID: "cr", MediaType: store.MediaAudio, R2Key: "cr/originals/x/a.mp3", TranscodingPriority: 3}
	id, err := c.Submit(context.Background(), transcode.NewJob(m))
	is.NoErr(err)
	is.Equal(id, "abc")
	k := transcode.KeysFor("cr", m.ID)
	is.Equal(got.Input.Outputs, runpod.Outputs{Master: k.Master, Waveform: k.Waveform, WaveformImage: k.WaveformImage})
	is.Equal(len(got.Input.Ladder), 2) // the audio ladder
	is.Equal(got.Input.Priority, 3)
	is.Equal(got.Input.SegmentSeconds, 6)
}

func TestSubmitTimesOut(t *testing.T) {
	is := is.New(t)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}, 50*time.Millisecond)
	start := time.Now()
	_, err := c.Submit(context.Background(), transcode.NewJob(store.MediaItem{ID: uuid.New(), CreatorID: "cr", MediaType: store.MediaVideo}))
	is.Equal(fault.From(err).Code, transcode.CodeRemoteError)
	is.True(time.Since(start) < 2*time.Second)
}

func TestVerify(t *testing.T) {
	is := is.New(t)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"jobId":"j","status":"failed"}`)
	ts, sig := runpod.Sign("sec", body, now)
	h := http.Header{}
	h.Set(runpod.HeaderTimestamp, ts)
	h.Set(runpod.HeaderSignature, sig)
	is.NoErr(runpod.Verify("sec", h, body, now))
	is.NoErr(runpod.Verify("sec", h, body, now.Add(300*time.Second))) // edge of the window
	codeOf := func(err error) (string, fault.Kind) { f := fault.From(err); return f.Code, f.Kind }
	c, k := codeOf(runpod.Verify("sec", h, []byte(`{"jobId":"j","status":"completed"}`), now))
	is.Equal([2]any{c, k}, [2]any{"INVALID_SIGNATURE", fault.Forbidden}) // a changed body is a forgery
	h.Set(runpod.HeaderSignature, "zz")
	c, k = codeOf(runpod.Verify("sec", h, body, now))
	is.Equal([2]any{c, k}, [2]any{"INVALID_SIGNATURE", fault.Forbidden})
	h.Set(runpod.HeaderSignature, sig)
	h.Set(runpod.HeaderTimestamp, "0")
	c, _ = codeOf(runpod.Verify("sec", h, body, now))
	is.Equal(c, "INVALID_TIMESTAMP")
	h.Set(runpod.HeaderTimestamp, "-"+ts)
	c, _ = codeOf(runpod.Verify("sec", h, body, now))
	is.Equal(c, "INVALID_TIMESTAMP")
}
