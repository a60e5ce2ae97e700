package transcode

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// machine is a scripted Transcoder: each job waits for a verdict on
// release (nil error = success) unless ctx ends first.
type machine struct {
	started chan Job
	release chan error
	calls   atomic.Int32
	running atomic.Int32
}

func newMachine() *machine {
	return &machine{started: make(chan Job, 16), release: make(chan error, 16)}
}

func (m *machine) Transcode(ctx context.Context, job Job, progress func(float64)) (Result, error) {
	m.calls.Add(1)
	m.running.Add(1)
	defer m.running.Add(-1)
	progress(42)
	m.started <- job
	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case err := <-m.release:
		if err != nil {
			return Result{}, err
		}
	}
	k := job.Keys
	return Result{MasterKey: k.Master, ThumbnailKey: k.Thumbnail, PreviewKey: k.Preview, DurationSeconds: 3,
		Width: 1280, Height: 720, ReadyVariants: []string{"720p", "480p", "360p"}}, nil
}

type notes struct {
	mu       sync.Mutex
	finished []uuid.UUID
	failed   map[uuid.UUID]string
}

func (n *notes) TranscodeFinished(_ context.Context, m store.MediaItem) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.finished = append(n.finished, m.ID)
}

func (n *notes) TranscodeFailed(_ context.Context, m store.MediaItem, reason string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failed == nil {
		n.failed = map[uuid.UUID]string{}
	}
	n.failed[m.ID] = reason
}

type env struct {
	is    *is.I
	db    store.Store
	svc   *Service
	m     *machine
	notes *notes
	owner *actor.Actor
}

func newEnv(t *testing.T, cfg Config) *env {
	is := is.New(t)
	db := memory.New()
	t.Cleanup(func() { db.Close() })
	m := newMachine()
	n := &notes{}
	if cfg.Transcoder == nil && cfg.Remote == nil && cfg.Unavailable == "" {
		cfg.Transcoder = m
	}
	cfg.Notifier = n
	cfg.Log = slog.New(slog.DiscardHandler)
	svc := New(db, cfg)
	t.Cleanup(func() { svc.Close() })
	u := &store.User{Email: "creator@example.com", Name: "C", Role: store.RoleCreator}
	is.NoErr(db.Users().Create(context.Background(), u))
	return &env{is: is, db: db, svc: svc, m: m, notes: n, owner: &actor.Actor{UserID: u.ID, Role: store.RoleCreator}}
}

func (e *env) item(status store.MediaStatus, patch ...store.MediaPatch) store.MediaItem {
	m := &store.MediaItem{CreatorID: e.owner.UserID, Title: "clip", MediaType: store.MediaVideo, Status: status,
		R2Key: e.owner.UserID + "/originals/x/clip.mp4", TranscodingPriority: 2}
	e.is.NoErr(e.db.Media().Create(context.Background(), m))
	for _, p := range patch {
		upd, err := e.db.Media().Update(context.Background(), m.ID, p)
		e.is.NoErr(err)
		m = upd
	}
	return *m
}

func (e *env) get(id uuid.UUID) store.MediaItem {
	m, err := e.db.Media().Get(context.Background(), id)
	e.is.NoErr(err)
	return *m
}

// waitStatus polls until the item reaches want.
func (e *env) waitStatus(t *testing.T, id uuid.UUID, want store.MediaStatus) store.MediaItem {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := e.get(id); m.Status == want {
			return m
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("item never reached %s (is %s)", want, e.get(id).Status)
	return store.MediaItem{}
}

func code(err error) string { return fault.From(err).Code }

func TestConcurrentTriggersSubmitOneJob(t *testing.T) {
	e := newEnv(t, Config{})
	m := e.item(store.MediaUploaded)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if err := e.svc.Enqueue(context.Background(), m); err == nil {
				ok.Add(1)
			} else if code(err) != CodeInvalidState {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	wg.Wait()
	e.is.Equal(ok.Load(), int32(1)) // exactly one trigger wins
	<-e.m.started
	st, err := e.svc.Status(context.Background(), e.owner, m.ID)
	e.is.NoErr(err)
	e.is.Equal(st.Status, store.MediaTranscoding)
	e.is.Equal(st.Progress, 42.0) // progress of the running job
	e.m.release <- nil
	got := e.waitStatus(t, m.ID, store.MediaReady)
	e.is.Equal(e.m.calls.Load(), int32(1))
	e.is.Equal(*got.HLSMasterPlaylistKey, KeysFor(m.CreatorID, m.ID).Master)
	e.is.Equal(*got.DurationSeconds, 3)
	e.is.Equal(got.ReadyVariants, []string{"720p", "480p", "360p"})
	st, _ = e.svc.Status(context.Background(), e.owner, m.ID)
	e.is.Equal(st.Progress, 100.0)
	e.notes.mu.Lock()
	e.is.Equal(e.notes.finished, []uuid.UUID{m.ID}) // creator notified
	e.notes.mu.Unlock()
}

func TestFailureRetriesAreCapped(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	m := e.item(store.MediaUploaded)
	e.is.NoErr(e.svc.Enqueue(ctx, m))
	for attempt := 0; ; attempt++ {
		<-e.m.started
		e.m.release <- InputError("input is not a media file: Invalid data found when processing input")
		got := e.waitStatus(t, m.ID, store.MediaFailed)
		e.is.Equal(*got.TranscodingError, "input is not a media file: Invalid data found when processing input")
		e.is.Equal(got.TranscodingAttempts, attempt)
		if attempt == store.MaxTranscodingAttempts {
			break
		}
		_, err := e.svc.Retry(ctx, e.owner, m.ID)
		e.is.NoErr(err)
	}
	_, err := e.svc.Retry(ctx, e.owner, m.ID)
	e.is.Equal(code(err), CodeMaxRetries) // a fourth retry is refused
	e.is.Equal(fault.KindOf(err), fault.Unprocessable)
	e.is.Equal(e.m.calls.Load(), int32(4))
	e.notes.mu.Lock()
	e.is.True(e.notes.failed[m.ID] != "")
	e.notes.mu.Unlock()

	stranger := &actor.Actor{UserID: "someone-else", Role: store.RoleCreator}
	_, err = e.svc.Retry(ctx, stranger, m.ID)
	e.is.Equal(fault.KindOf(err), fault.NotFound) // foreign media does not leak
	_, err = e.svc.Status(ctx, stranger, m.ID)
	e.is.Equal(fault.KindOf(err), fault.NotFound)
	_, err = e.svc.Status(ctx, &actor.Actor{UserID: "po", Role: store.RolePlatformOwner}, m.ID)
	e.is.NoErr(err) // platform owners may look

	ready := e.item(store.MediaUploading, store.MediaPatch{Status: store.Some(store.MediaReady), HLSMasterPlaylistKey: store.Some(ptr("k")), DurationSeconds: store.Some(intPtr(1)), ThumbnailKey: store.Some(ptr("t"))})
	_, err = e.svc.Retry(ctx, e.owner, ready.ID)
	e.is.Equal(code(err), CodeInvalidState)
}

func TestUnavailableKeepsItemUploaded(t *testing.T) {
	e := newEnv(t, Config{Unavailable: "ffmpeg was not found on PATH"})
	m := e.item(store.MediaUploaded)
	err := e.svc.Enqueue(context.Background(), m)
	e.is.Equal(fault.KindOf(err), fault.Unavailable)
	e.is.Equal(code(err), CodeUnavailable)
	e.is.Equal(fault.From(err).Message, "Transcoding is unavailable: ffmpeg was not found on PATH")
	e.is.Equal(e.get(m.ID).Status, store.MediaUploaded)
}

func TestCloseHandsRunningAndQueuedJobsBack(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	a, b := e.item(store.MediaUploaded), e.item(store.MediaUploaded)
	e.is.NoErr(e.svc.Enqueue(ctx, a))
	e.is.NoErr(e.svc.Enqueue(ctx, b)) // queued behind a (one worker)
	<-e.m.started
	e.is.NoErr(e.svc.Close())
	e.is.Equal(e.m.running.Load(), int32(0)) // Close waited for the job to stop
	for _, id := range []uuid.UUID{a.ID, b.ID} {
		got := e.get(id)
		e.is.Equal(got.Status, store.MediaUploaded) // not stuck in transcoding
		e.is.Equal(got.TranscodingAttempts, 0)
	}
}

func TestRecoverAfterCrash(t *testing.T) {
	// The clock runs an hour ahead: every heartbeat looks stale.
	e := newEnv(t, Config{Now: func() time.Time { return time.Now().Add(time.Hour) }, RemoteTimeout: 2 * time.Hour})
	ctx := context.Background()
	local := "local-" + uuid.NewString()
	remote := "rp-123"
	orphan := e.item(store.MediaTranscoding, store.MediaPatch{RunpodJobID: store.Some(&local), TranscodingAttempts: store.Some(1)})
	spent := e.item(store.MediaTranscoding, store.MediaPatch{RunpodJobID: store.Some(&local), TranscodingAttempts: store.Some(3)})
	away := e.item(store.MediaTranscoding, store.MediaPatch{RunpodJobID: store.Some(&remote)})
	waiting := e.item(store.MediaUploaded)

	e.is.NoErr(e.svc.Recover(ctx))
	started := map[uuid.UUID]bool{}
	for range 2 {
		started[(<-e.m.started).MediaID] = true
		e.m.release <- nil
	}
	e.is.True(started[orphan.ID] && started[waiting.ID]) // both picked up
	got := e.waitStatus(t, orphan.ID, store.MediaReady)
	e.is.Equal(got.TranscodingAttempts, 2) // the interrupted run consumed an attempt
	e.waitStatus(t, waiting.ID, store.MediaReady)
	got = e.get(spent.ID)
	e.is.Equal(got.Status, store.MediaFailed)
	e.is.Equal(*got.TranscodingError, "Transcoding was interrupted by restart")
	e.is.Equal(e.get(away.ID).Status, store.MediaTranscoding) // remote job left to its callback
}

func TestRemoteJobTimesOut(t *testing.T) {
	e := newEnv(t, Config{Now: func() time.Time { return time.Now().Add(7 * time.Hour) }})
	remote := "rp-9"
	m := e.item(store.MediaTranscoding, store.MediaPatch{RunpodJobID: store.Some(&remote)})
	e.is.NoErr(e.svc.Recover(context.Background()))
	got := e.get(m.ID)
	e.is.Equal(got.Status, store.MediaFailed)
	e.is.Equal(*got.TranscodingError, "Transcoding job timed out: no result after 6h0m0s")
}

func TestDeletedItemCancelsItsJob(t *testing.T) {
	e := newEnv(t, Config{HeartbeatInterval: 10 * time.Millisecond})
	m := e.item(store.MediaUploaded)
	e.is.NoErr(e.svc.Enqueue(context.Background(), m))
	<-e.m.started
	e.is.NoErr(e.db.Media().SoftDelete(context.Background(), m.ID))
	deadline := time.Now().Add(5 * time.Second)
	for e.m.running.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	e.is.Equal(e.m.running.Load(), int32(0)) // the heartbeat noticed and cancelled
}

// remote is a Remote that records submissions.
type remote struct {
	mu   sync.Mutex
	jobs []Job
	err  error
}

func (r *remote) Submit(_ context.Context, job Job) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return "", r.err
	}
	r.jobs = append(r.jobs, job)
	return "rp-" + job.MediaID.String()[:8], nil
}

func TestRemoteFailureDoesNotStrandTheItem(t *testing.T) {
	r := &remote{err: fault.New(fault.Unavailable, CodeRemoteError, "down")}
	e := newEnv(t, Config{Remote: r})
	ctx := context.Background()
	m := e.item(store.MediaUploaded)
	err := e.svc.Enqueue(ctx, m)
	e.is.Equal(code(err), CodeRemoteError)
	e.is.Equal(e.get(m.ID).Status, store.MediaUploaded) // can be triggered again

	failed := e.item(store.MediaFailed, store.MediaPatch{TranscodingError: store.Some(ptr("boom")), TranscodingAttempts: store.Some(1)})
	_, err = e.svc.Retry(ctx, e.owner, failed.ID)
	e.is.Equal(code(err), CodeRemoteError)
	got := e.get(failed.ID)
	e.is.Equal(got.Status, store.MediaFailed) // the refused retry costs no attempt (Oddity 11)
	e.is.Equal(got.TranscodingAttempts, 1)
	e.is.Equal(*got.TranscodingError, "boom")

	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	upd, err := e.svc.Trigger(ctx, m.ID, new(0))
	e.is.NoErr(err)
	e.is.Equal(upd.Status, store.MediaTranscoding)
	e.is.Equal(upd.TranscodingPriority, 0)
	jobID := *upd.RunpodJobID

	// A stale callback (other job id) changes nothing; the right one finishes.
	k := KeysFor(m.CreatorID, m.ID)
	out := &CallbackOutput{MediaID: m.ID, Type: store.MediaVideo, HLSMasterKey: &k.Master, ThumbnailKey: &k.Thumbnail, DurationSeconds: new(12), ReadyVariants: []string{"720p"}}
	e.is.NoErr(e.svc.HandleCallback(ctx, Callback{JobID: "rp-old", Status: CallbackFailed, Output: out}))
	e.is.Equal(e.get(m.ID).Status, store.MediaTranscoding)
	evil := "other-creator/hls/x/master.m3u8"
	err = e.svc.HandleCallback(ctx, Callback{JobID: jobID, Status: CallbackCompleted, Output: &CallbackOutput{MediaID: m.ID, Type: store.MediaVideo, HLSMasterKey: &evil, ThumbnailKey: &k.Thumbnail, DurationSeconds: new(12)}})
	e.is.Equal(fault.KindOf(err), fault.Invalid) // keys outside the item's prefixes
	e.is.NoErr(e.svc.HandleCallback(ctx, Callback{JobID: jobID, Status: CallbackCompleted, Output: out}))
	got = e.get(m.ID)
	e.is.Equal(got.Status, store.MediaReady)
	e.is.Equal(*got.DurationSeconds, 12)
	e.is.NoErr(e.svc.HandleCallback(ctx, Callback{JobID: jobID, Status: CallbackFailed})) // replay: ignored
	e.is.Equal(e.get(m.ID).Status, store.MediaReady)
	err = e.svc.HandleCallback(ctx, Callback{JobID: "nope", Status: CallbackFailed})
	e.is.Equal(code(err), CodeJobNotFound)
}

func TestPlanVideo(t *testing.T) {
	is := is.New(t)
	names := func(vs []Variant) (out []string) {
		for _, v := range vs {
			out = append(out, v.Name)
		}
		return out
	}
	is.Equal(names(PlanVideo(VideoLadder, 1920, 1080)), []string{"1080p", "720p", "480p", "360p"})
	is.Equal(names(PlanVideo(VideoLadder, 1280, 720)), []string{"720p", "480p", "360p"})
	tiny := PlanVideo(VideoLadder, 320, 240)
	is.Equal(len(tiny), 1) // at least the smallest rung, never upscaled
	is.Equal([3]int{tiny[0].Width, tiny[0].Height, tiny[0].VideoKbps}, [3]int{320, 240, 800})
	portrait := PlanVideo(VideoLadder, 1080, 1920)
	is.Equal([2]int{portrait[0].Width, portrait[0].Height}, [2]int{1080, 1920})
	is.Equal([2]int{portrait[3].Width, portrait[3].Height}, [2]int{360, 640})
	for _, v := range PlanVideo(VideoLadder, 1000, 562) {
		is.True(v.Width%2 == 0 && v.Height%2 == 0) // even, for 4:2:0
	}
	wide := PlanVideo(VideoLadder, 1920, 800)
	is.Equal([2]int{wide[0].Width, wide[0].Height}, [2]int{1728, 720}) // 2.4:1 keeps its shape
}

func TestWorkerSignature(t *testing.T) {
	is := is.New(t)
	secret := []byte("s3cret")
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"priority":1}`)
	sig := WorkerSignature(secret, "POST", "/internal/media/x/transcode", now.Unix(), body)
	h := map[string][]string{HeaderWorkerSignature: {sig}, HeaderWorkerTimestamp: {"1700000000"}}
	is.NoErr(VerifyWorkerRequest(secret, "POST", "/internal/media/x/transcode", h, body, now))
	msg := func(err error) string { return fault.From(err).Message }
	is.Equal(msg(VerifyWorkerRequest(secret, "POST", "/internal/media/y/transcode", h, body, now)), "Invalid signature") // path is signed
	is.Equal(msg(VerifyWorkerRequest(secret, "POST", "/internal/media/x/transcode", h, []byte(`{}`), now)), "Invalid signature")
	is.Equal(msg(VerifyWorkerRequest(secret, "POST", "/internal/media/x/transcode", h, body, now.Add(301*time.Second))), "Request timestamp expired")
	is.Equal(msg(VerifyWorkerRequest(secret, "POST", "/internal/media/x/transcode", h, body, now.Add(-61*time.Second))), "Request timestamp in future")
	h[HeaderWorkerTimestamp] = []string{"1700000000abc"}
	is.Equal(msg(VerifyWorkerRequest(secret, "POST", "/internal/media/x/transcode", h, body, now)), "Invalid timestamp format")
	is.Equal(msg(VerifyWorkerRequest(nil, "POST", "/p", h, body, now)), "Worker authentication not configured")
}
