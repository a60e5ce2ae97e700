package transcode

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Config configures the service. Set at most one of Transcoder and Remote;
// with neither, every trigger answers 503 TRANSCODER_UNAVAILABLE with
// Unavailable as the reason.
type Config struct {
	Transcoder Transcoder
	Remote     Remote
	// Callbacks authenticates remote callbacks; nil refuses them all.
	Callbacks CallbackVerifier
	// Unavailable says why there is no transcoder ("ffmpeg was not found
	// on PATH"), for the 503.
	Unavailable string
	// Workers bounds concurrent local jobs (default 1: one ffmpeg already
	// uses every core).
	Workers int
	// Notifier tells creators about finished and failed jobs (optional).
	Notifier Notifier
	// HeartbeatInterval is how often a local job (queued or running)
	// touches its row so that other instances know it is alive (default
	// 15 s); a local job whose row is untouched for StaleAfter (default 4
	// heartbeats) has lost its worker and is taken over.
	HeartbeatInterval time.Duration
	StaleAfter        time.Duration
	// SweepInterval is how often abandoned jobs are looked for (default 30 s).
	SweepInterval time.Duration
	// RemoteTimeout is how long a remote job may go without a callback
	// before it is failed (default 6 h: the GPU worker allows itself up to
	// an hour per rendition).
	RemoteTimeout time.Duration
	Now           func() time.Time
	Log           *slog.Logger
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 15 * time.Second
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = 4 * c.HeartbeatInterval
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = 30 * time.Second
	}
	if c.RemoteTimeout <= 0 {
		c.RemoteTimeout = 6 * time.Hour
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Service runs transcoding jobs and owns the media items' transcoding
// state. Build it with New; Close it to stop its workers.
type Service struct {
	cfg Config
	db  store.Store

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	wake    *sync.Cond
	queue   jobQueue
	jobs    map[uuid.UUID]*entry // local jobs of this instance, queued or running
	seq     uint64
	closed  bool
	onState func(store.MediaItem) // test hook: every state this service writes
}

// entry is one local job on this instance.
type entry struct {
	job      Job
	seq      uint64
	index    int // in the queue; -1 once taken
	running  bool
	progress float64
	cancel   context.CancelCauseFunc
}

var (
	errShutdown   = errors.New("transcode: service closing")
	errSuperseded = errors.New("transcode: job superseded")
)

// New returns the service and starts its workers and background loops.
// Call Recover once the platform is up to pick up work left by a previous
// run.
func New(db store.Store, cfg Config) *Service {
	cfg.defaults()
	ctx, stop := context.WithCancel(context.Background())
	s := &Service{cfg: cfg, db: db, ctx: ctx, stop: stop, jobs: map[uuid.UUID]*entry{}}
	s.wake = sync.NewCond(&s.mu)
	if cfg.Transcoder != nil {
		for range cfg.Workers {
			s.wg.Go(s.worker)
		}
	}
	s.wg.Go(s.loop)
	return s
}

// Available reports why jobs cannot run, or nil.
func (s *Service) Available() error {
	if s.cfg.Transcoder != nil || s.cfg.Remote != nil {
		return nil
	}
	msg := "Transcoding is unavailable"
	if s.cfg.Unavailable != "" {
		msg += ": " + s.cfg.Unavailable
	}
	return fault.New(fault.Unavailable, CodeUnavailable, msg)
}

// Enqueue starts transcoding an item that is in the uploaded state (the
// upload-complete hook). Of several concurrent calls for one item exactly
// one starts a job; the others get 422 INVALID_MEDIA_STATE.
func (s *Service) Enqueue(ctx context.Context, m store.MediaItem) error {
	_, err := s.start(ctx, m.ID, nil)
	return err
}

// Trigger is the internal (service-to-service) trigger: the item must be
// uploaded; priority (0 urgent .. 4 backlog) replaces the stored one when
// given.
func (s *Service) Trigger(ctx context.Context, id uuid.UUID, priority *int) (*store.MediaItem, error) {
	if priority != nil && (*priority < 0 || *priority > 4) {
		return nil, fault.InvalidField("body.priority", "Must be between 0 and 4")
	}
	return s.start(ctx, id, priority)
}

// start moves an uploaded item to transcoding and hands it to the machine.
func (s *Service) start(ctx context.Context, id uuid.UUID, priority *int) (*store.MediaItem, error) {
	if err := s.Available(); err != nil {
		return nil, err
	}
	m, err := s.db.Media().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMediaNotFound
	}
	if err != nil {
		return nil, err
	}
	if m.Status != store.MediaUploaded {
		return nil, invalidState(m, store.MediaUploaded, "transcode")
	}
	claim := store.MediaPatch{
		IfStatus:         []store.MediaStatus{store.MediaUploaded},
		Status:           store.Some(store.MediaTranscoding),
		TranscodingError: store.Some[*string](nil),
	}
	if priority != nil {
		claim.TranscodingPriority = store.Some(*priority)
	}
	if s.cfg.Remote != nil {
		return s.submitRemote(ctx, id, claim)
	}
	jobID := "local-" + uuid.NewString()
	claim.RunpodJobID = store.Some(&jobID)
	m, err = s.claim(ctx, id, claim)
	if err != nil {
		return nil, err
	}
	job := NewJob(*m)
	job.ID = jobID
	if !s.push(job) {
		// Closing: hand the item back so the next start picks it up.
		s.release(context.WithoutCancel(ctx), id, jobID)
		return nil, fault.New(fault.Unavailable, CodeUnavailable, "Transcoding is shutting down; try again shortly")
	}
	return m, nil
}

// claim applies the uploaded → transcoding update; losing the race to
// another trigger is the invalid-state answer the loser would have got had
// it come second.
func (s *Service) claim(ctx context.Context, id uuid.UUID, p store.MediaPatch) (*store.MediaItem, error) {
	m, err := s.db.Media().Update(ctx, id, p)
	if errors.Is(err, store.ErrPrecondition) {
		cur, gerr := s.db.Media().Get(ctx, id)
		if gerr != nil {
			return nil, errMediaNotFound
		}
		return nil, invalidState(cur, store.MediaUploaded, "transcode")
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMediaNotFound
	}
	if err != nil {
		return nil, err
	}
	s.observe(*m)
	return m, nil
}

// submitRemote claims the item before submitting, so a second trigger
// cannot submit a second job (reference Oddity 17), and hands it back to
// uploaded when the submission fails, so nothing is stuck (Oddity 11).
func (s *Service) submitRemote(ctx context.Context, id uuid.UUID, claim store.MediaPatch) (*store.MediaItem, error) {
	claim.RunpodJobID = store.Some[*string](nil)
	m, err := s.claim(ctx, id, claim)
	if err != nil {
		return nil, err
	}
	jobID, err := s.cfg.Remote.Submit(ctx, NewJob(*m))
	if err != nil {
		if _, rerr := s.db.Media().Update(context.WithoutCancel(ctx), id, store.MediaPatch{
			IfStatus: []store.MediaStatus{store.MediaTranscoding},
			Status:   store.Some(store.MediaUploaded),
		}); rerr != nil && !errors.Is(rerr, store.ErrPrecondition) {
			s.cfg.Log.Error("transcode: handing item back after failed submission", "mediaId", id, "err", rerr)
		}
		return nil, err
	}
	// A callback may already have finished the item (it finds it by media
	// id while the job id is unset); then this update is refused, rightly.
	upd, err := s.db.Media().Update(context.WithoutCancel(ctx), id, store.MediaPatch{
		IfStatus:    []store.MediaStatus{store.MediaTranscoding},
		RunpodJobID: store.Some(&jobID),
	})
	switch {
	case err == nil:
		m = upd
	case errors.Is(err, store.ErrPrecondition):
	default:
		return nil, err
	}
	s.cfg.Log.Info("transcode: remote job submitted", "mediaId", id, "jobId", jobID)
	return m, nil
}

// Retry restarts a failed item for its creator. The attempt counts only
// when a job really starts: a refused submission puts the item back to
// failed with its attempts unchanged.
func (s *Service) Retry(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.MediaItem, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	m, err := s.owned(ctx, a, id, false)
	if err != nil {
		return nil, err
	}
	if m.Status != store.MediaFailed {
		return nil, invalidState(m, store.MediaFailed, "retry")
	}
	if m.TranscodingAttempts >= store.MaxTranscodingAttempts {
		return nil, fault.New(fault.Unprocessable, CodeMaxRetries, "Maximum transcoding retry attempts exceeded").
			WithDetails(map[string]any{"mediaId": m.ID, "attempts": m.TranscodingAttempts, "maxAttempts": store.MaxTranscodingAttempts})
	}
	if err := s.Available(); err != nil {
		return nil, err
	}
	prevErr := m.TranscodingError
	_, err = s.db.Media().Update(ctx, id, store.MediaPatch{
		IfStatus:            []store.MediaStatus{store.MediaFailed},
		Status:              store.Some(store.MediaUploaded),
		TranscodingAttempts: store.Some(m.TranscodingAttempts + 1),
		TranscodingError:    store.Some[*string](nil),
		RunpodJobID:         store.Some[*string](nil),
	})
	if errors.Is(err, store.ErrPrecondition) {
		cur, gerr := s.db.Media().Get(ctx, id)
		if gerr != nil {
			return nil, errMediaNotFound
		}
		return nil, invalidState(cur, store.MediaFailed, "retry")
	}
	if err != nil {
		return nil, err
	}
	started, err := s.start(ctx, id, nil)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) && fe.Code == CodeInvalidState {
			// Something else (Recover on another instance) started it.
			return s.db.Media().Get(ctx, id)
		}
		if _, rerr := s.db.Media().Update(context.WithoutCancel(ctx), id, store.MediaPatch{
			IfStatus:            []store.MediaStatus{store.MediaUploaded},
			Status:              store.Some(store.MediaFailed),
			TranscodingAttempts: store.Some(m.TranscodingAttempts),
			TranscodingError:    store.Some(prevErr),
		}); rerr != nil && !errors.Is(rerr, store.ErrPrecondition) {
			s.cfg.Log.Error("transcode: restoring failed state after refused retry", "mediaId", id, "err", rerr)
		}
		return nil, err
	}
	return started, nil
}

// State is what the status route shows.
type State struct {
	Status              store.MediaStatus `json:"status"`
	TranscodingAttempts int               `json:"transcodingAttempts"`
	TranscodingError    *string           `json:"transcodingError"`
	TranscodingPriority int               `json:"transcodingPriority"`
	ReadyVariants       []string          `json:"readyVariants"`
	// Progress is 0..100: 100 once ready, the running job's progress while
	// transcoding on this instance, 0 otherwise (queued, remote, or
	// running on another instance).
	Progress float64 `json:"progress"`
}

// Status returns an item's transcoding state to its creator or a platform
// owner.
func (s *Service) Status(ctx context.Context, a *actor.Actor, id uuid.UUID) (State, error) {
	if err := actor.RequireAuth(a); err != nil {
		return State{}, err
	}
	m, err := s.owned(ctx, a, id, true)
	if err != nil {
		return State{}, err
	}
	st := State{
		Status:              m.Status,
		TranscodingAttempts: m.TranscodingAttempts,
		TranscodingError:    m.TranscodingError,
		TranscodingPriority: m.TranscodingPriority,
		ReadyVariants:       m.ReadyVariants,
	}
	switch m.Status {
	case store.MediaReady:
		st.Progress = 100
	case store.MediaTranscoding:
		st.Progress, _ = s.Progress(id)
	}
	return st, nil
}

// Progress returns the progress (0..100) of a local job for the item, and
// whether this instance runs one.
func (s *Service) Progress(id uuid.UUID) (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[id]
	if !ok {
		return 0, false
	}
	return math.Round(e.progress*10) / 10, true
}

// owned returns the live item when a is its creator (or, with owners, a
// platform owner); anything else is a 404 so ids of other creators' media
// do not leak.
func (s *Service) owned(ctx context.Context, a *actor.Actor, id uuid.UUID, owners bool) (*store.MediaItem, error) {
	m, err := s.db.Media().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMediaNotFound
	}
	if err != nil {
		return nil, err
	}
	if m.CreatorID != a.UserID && !(owners && a.IsPlatformOwner()) {
		return nil, errMediaNotFound
	}
	return m, nil
}

func invalidState(m *store.MediaItem, required store.MediaStatus, op string) *fault.Error {
	return fault.New(fault.Unprocessable, CodeInvalidState,
		fmt.Sprintf("Media must be in '%s' status to perform this operation", required)).
		WithDetails(map[string]any{"mediaId": m.ID, "currentStatus": m.Status, "requiredStatus": required, "operation": op})
}

// ---- the local worker pool ----

// Jobs reports this instance's local jobs waiting in the queue and running,
// for monitoring.
func (s *Service) Jobs() (queued, running int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue.Len(), len(s.jobs) - s.queue.Len()
}

func (s *Service) push(job Job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.seq++
	e := &entry{job: job, seq: s.seq}
	s.jobs[job.MediaID] = e
	heap.Push(&s.queue, e)
	s.wake.Signal()
	return true
}

// next blocks until a job is queued (urgent priorities first) or the
// service closes (nil).
func (s *Service) next() *entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.queue.Len() == 0 && !s.closed {
		s.wake.Wait()
	}
	if s.closed {
		return nil
	}
	e := heap.Pop(&s.queue).(*entry)
	e.running = true
	return e
}

func (s *Service) worker() {
	for {
		e := s.next()
		if e == nil {
			return
		}
		s.run(e)
	}
}

func (s *Service) run(e *entry) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	s.mu.Lock()
	e.cancel = cancel
	s.mu.Unlock()
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer wcancel()
	defer s.forget(e)
	log := s.cfg.Log.With("mediaId", e.job.MediaID, "jobId", e.job.ID)

	// A cancel (deletion, takeover) may have come while the job was queued.
	cur, err := s.db.Media().Get(ctx, e.job.MediaID)
	if ctx.Err() == nil && (err != nil || cur.Status != store.MediaTranscoding || !jobIs(cur, e.job.ID)) {
		return
	}
	var res Result
	began := time.Now()
	if ctx.Err() == nil {
		log.Info("transcode: job started", "type", e.job.Type)
		res, err = s.cfg.Transcoder.Transcode(ctx, e.job, func(p float64) {
			s.mu.Lock()
			e.progress = max(e.progress, min(max(p, 0), 100))
			s.mu.Unlock()
		})
	}
	if ctx.Err() != nil {
		// Only a takeover or deletion (errSuperseded) or shutdown cancels a
		// job; after shutdown the item goes back to uploaded for the next run.
		if cause := context.Cause(ctx); cause == errSuperseded {
			log.Info("transcode: job cancelled: item deleted or taken over")
		} else {
			log.Info("transcode: job interrupted by shutdown; handed back")
			s.release(wctx, e.job.MediaID, e.job.ID)
		}
		return
	}
	if err != nil {
		log.Warn("transcode: job failed", "err", err, "elapsed", time.Since(began))
		s.finish(wctx, e.job.MediaID, e.job.ID, nil, failureReason(err))
		return
	}
	log.Info("transcode: job finished", "elapsed", time.Since(began), "variants", res.ReadyVariants)
	s.finish(wctx, e.job.MediaID, e.job.ID, &res, "")
}

func (s *Service) forget(e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs[e.job.MediaID] == e {
		delete(s.jobs, e.job.MediaID)
	}
}

// release hands an interrupted local job's item back to uploaded (no
// attempt consumed: nothing went wrong with it).
func (s *Service) release(ctx context.Context, id uuid.UUID, jobID string) {
	cur, err := s.db.Media().Get(ctx, id)
	if err != nil || cur.Status != store.MediaTranscoding || !jobIs(cur, jobID) {
		return
	}
	m, err := s.db.Media().Update(ctx, id, store.MediaPatch{
		IfStatus:    []store.MediaStatus{store.MediaTranscoding},
		Status:      store.Some(store.MediaUploaded),
		RunpodJobID: store.Some[*string](nil),
	})
	if err == nil {
		s.observe(*m)
	} else if !errors.Is(err, store.ErrPrecondition) {
		s.cfg.Log.Error("transcode: handing back interrupted job", "mediaId", id, "err", err)
	}
}

func jobIs(m *store.MediaItem, jobID string) bool {
	return m.RunpodJobID != nil && *m.RunpodJobID == jobID
}

// failureReason is the text stored in transcoding_error: the message of
// classified errors (already free of paths and internals), a generic line
// for anything else (whose cause goes to the logs).
func failureReason(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind != fault.Internal {
		return fe.Message
	}
	return "Transcoding failed because of an internal error"
}

// clip trims s to MaxErrorLen characters on a rune boundary.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= MaxErrorLen {
		return s
	}
	s = s[:MaxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// finish records a job's outcome: ready with res, or failed with reason.
// It writes only while the item is still transcoding under jobID (jobID ""
// accepts an item whose remote job id was not saved yet), so stale outcomes
// change nothing. It reports whether it wrote.
func (s *Service) finish(ctx context.Context, id uuid.UUID, jobID string, res *Result, reason string) bool {
	cur, err := s.db.Media().Get(ctx, id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.cfg.Log.Error("transcode: loading item to record outcome", "mediaId", id, "err", err)
		}
		return false
	}
	if cur.Status != store.MediaTranscoding || (cur.RunpodJobID != nil && *cur.RunpodJobID != jobID) {
		s.cfg.Log.Warn("transcode: stale outcome ignored", "mediaId", id, "jobId", jobID, "status", cur.Status)
		return false
	}
	if res != nil {
		if miss := missingOutputs(cur.MediaType, *res); miss != "" {
			res, reason = nil, "Transcoder finished without producing "+miss
		}
	}
	guard := []store.MediaStatus{store.MediaTranscoding}
	var p store.MediaPatch
	if res != nil {
		dur := max(res.DurationSeconds, 1)
		p = store.MediaPatch{
			IfStatus:             guard,
			Status:               store.Some(store.MediaReady),
			HLSMasterPlaylistKey: store.Some(ptr(res.MasterKey)),
			HLSPreviewKey:        store.Some(ptr(res.PreviewKey)),
			ThumbnailKey:         store.Some(ptr(res.ThumbnailKey)),
			WaveformKey:          store.Some(ptr(res.WaveformKey)),
			WaveformImageKey:     store.Some(ptr(res.WaveformImageKey)),
			DurationSeconds:      store.Some(&dur),
			Width:                store.Some(intPtr(res.Width)),
			Height:               store.Some(intPtr(res.Height)),
			ReadyVariants:        store.Some(res.ReadyVariants),
			TranscodingError:     store.Some[*string](nil),
		}
		if res.LoudnessIntegrated != nil {
			p.LoudnessIntegrated = store.Some(res.LoudnessIntegrated)
			p.LoudnessPeak = store.Some(res.LoudnessPeak)
			p.LoudnessRange = store.Some(res.LoudnessRange)
		}
	} else {
		msg := clip(reason)
		if msg == "" {
			msg = "Unknown transcoding error"
		}
		p = store.MediaPatch{IfStatus: guard, Status: store.Some(store.MediaFailed), TranscodingError: store.Some(&msg)}
		reason = msg
	}
	m, err := s.db.Media().Update(ctx, id, p)
	if errors.Is(err, store.ErrPrecondition) {
		return false
	}
	if err != nil {
		s.cfg.Log.Error("transcode: recording outcome", "mediaId", id, "err", err)
		if res != nil {
			return s.finish(ctx, id, jobID, nil, "Transcoding produced outputs that could not be recorded")
		}
		return false
	}
	s.observe(*m)
	if s.cfg.Notifier != nil {
		if res != nil {
			s.cfg.Notifier.TranscodeFinished(ctx, *m)
		} else {
			s.cfg.Notifier.TranscodeFailed(ctx, *m, reason)
		}
	}
	return true
}

// missingOutputs names what status_ready_requires_keys needs but res lacks.
func missingOutputs(t store.MediaType, res Result) string {
	switch {
	case res.MasterKey == "":
		return "a master playlist"
	case t == store.MediaVideo && res.ThumbnailKey == "":
		return "a thumbnail"
	case t == store.MediaAudio && res.WaveformKey == "":
		return "a waveform"
	}
	return ""
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func intPtr(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

func (s *Service) observe(m store.MediaItem) {
	s.mu.Lock()
	hook := s.onState
	s.mu.Unlock()
	if hook != nil {
		hook(m)
	}
}

// ---- heartbeats, sweeping, recovery ----

func (s *Service) loop() {
	beat := time.NewTicker(s.cfg.HeartbeatInterval)
	sweep := time.NewTicker(s.cfg.SweepInterval)
	defer beat.Stop()
	defer sweep.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-beat.C:
			s.heartbeat(s.ctx)
		case <-sweep.C:
			if err := s.sweep(s.ctx); err != nil && s.ctx.Err() == nil {
				s.cfg.Log.Warn("transcode: sweep failed", "err", err)
			}
		}
	}
}

// heartbeat touches the row of every local job so other instances see it
// alive, and cancels jobs whose item was deleted or taken over.
func (s *Service) heartbeat(ctx context.Context) {
	s.mu.Lock()
	entries := make([]*entry, 0, len(s.jobs))
	for _, e := range s.jobs {
		entries = append(entries, e)
	}
	s.mu.Unlock()
	for _, e := range entries {
		cur, err := s.db.Media().Get(ctx, e.job.MediaID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (cur.Status != store.MediaTranscoding || !jobIs(cur, e.job.ID))) {
			s.cancel(e)
			continue
		}
		if err != nil {
			continue
		}
		// Any write moves updated_at; the priority is rewritten unchanged.
		_, _ = s.db.Media().Update(ctx, e.job.MediaID, store.MediaPatch{
			IfStatus:            []store.MediaStatus{store.MediaTranscoding},
			TranscodingPriority: store.Some(cur.TranscodingPriority),
		})
	}
}

// cancel stops a job that must not write its outcome.
func (s *Service) cancel(e *entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.cancel != nil {
		e.cancel(errSuperseded)
		return
	}
	if e.index >= 0 && e.index < s.queue.Len() && s.queue[e.index] == e {
		heap.Remove(&s.queue, e.index)
	}
	if s.jobs[e.job.MediaID] == e {
		delete(s.jobs, e.job.MediaID)
	}
}

// Recover picks up work a previous run left behind: items in uploaded (a
// trigger that never reached a transcoder) are started, and items in
// transcoding whose worker is gone are re-queued (or failed once out of
// attempts). A local job counts as gone when its heartbeat is older than
// StaleAfter, so a job another live instance runs is left alone; a restart
// sooner than that is caught by the periodic sweep. Remote jobs are left to
// their callback until RemoteTimeout.
func (s *Service) Recover(ctx context.Context) error {
	if err := s.sweep(ctx); err != nil {
		return err
	}
	if s.Available() != nil {
		return nil
	}
	waiting, err := s.db.Media().ListByStatus(ctx, store.MediaUploaded)
	if err != nil {
		return err
	}
	for _, m := range waiting {
		if _, err := s.start(ctx, m.ID, nil); err != nil {
			s.cfg.Log.Warn("transcode: could not start waiting item", "mediaId", m.ID, "err", err)
		}
	}
	return nil
}

// sweep handles transcoding items that no live worker holds.
func (s *Service) sweep(ctx context.Context) error {
	items, err := s.db.Media().ListByStatus(ctx, store.MediaTranscoding)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, m := range items {
		s.mu.Lock()
		_, mine := s.jobs[m.ID]
		s.mu.Unlock()
		if mine {
			continue
		}
		age := now.Sub(m.UpdatedAt)
		jobID := ""
		if m.RunpodJobID != nil {
			jobID = *m.RunpodJobID
		}
		if jobID != "" && !strings.HasPrefix(jobID, "local-") {
			if age >= s.cfg.RemoteTimeout {
				msg := fmt.Sprintf("Transcoding job timed out: no result after %s", s.cfg.RemoteTimeout)
				s.finish(ctx, m.ID, jobID, nil, msg)
			}
			continue
		}
		if age < s.cfg.StaleAfter {
			continue
		}
		s.abandoned(ctx, m, jobID)
	}
	return nil
}

// abandoned re-queues an item whose local worker died, consuming an
// attempt, or fails it once attempts are used up. Going through uploaded
// keeps the claim guarded: of several instances sweeping at once, one wins.
func (s *Service) abandoned(ctx context.Context, m store.MediaItem, jobID string) {
	log := s.cfg.Log.With("mediaId", m.ID, "jobId", jobID)
	if m.TranscodingAttempts >= store.MaxTranscodingAttempts || s.Available() != nil {
		if s.finish(ctx, m.ID, jobID, nil, "Transcoding was interrupted by restart") {
			log.Warn("transcode: abandoned job failed")
		}
		return
	}
	upd, err := s.db.Media().Update(ctx, m.ID, store.MediaPatch{
		IfStatus:            []store.MediaStatus{store.MediaTranscoding},
		Status:              store.Some(store.MediaUploaded),
		TranscodingAttempts: store.Some(m.TranscodingAttempts + 1),
		RunpodJobID:         store.Some[*string](nil),
	})
	if err != nil {
		if !errors.Is(err, store.ErrPrecondition) {
			log.Error("transcode: re-queueing abandoned job", "err", err)
		}
		return
	}
	s.observe(*upd)
	log.Warn("transcode: abandoned job re-queued", "attempts", upd.TranscodingAttempts)
	if _, err := s.start(ctx, m.ID, nil); err != nil {
		log.Warn("transcode: restarting abandoned job", "err", err)
	}
}

// Close stops the workers: running jobs are cancelled (their temporary
// files removed) and, like queued ones, handed back to uploaded for the
// next Recover. It waits for the workers to exit.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var queued []*entry
	for _, e := range s.jobs {
		if e.cancel != nil {
			e.cancel(errShutdown)
		} else if !e.running {
			queued = append(queued, e)
		}
	}
	s.queue = nil
	s.wake.Broadcast()
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, e := range queued {
		s.release(ctx, e.job.MediaID, e.job.ID)
		s.forget(e)
	}
	s.stop()
	s.wg.Wait()
	return nil
}

// jobQueue orders local jobs by priority (0 urgent first), then arrival.
type jobQueue []*entry

func (q jobQueue) Len() int { return len(q) }
func (q jobQueue) Less(i, j int) bool {
	if q[i].job.Priority != q[j].job.Priority {
		return q[i].job.Priority < q[j].job.Priority
	}
	return q[i].seq < q[j].seq
}
func (q jobQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *jobQueue) Push(x any) {
	e := x.(*entry)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *jobQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*q = old[:len(old)-1]
	return e
}
