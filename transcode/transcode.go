// Package transcode turns uploaded originals into HLS: jobs, the media state
// machine, progress, and the seams for the machines that do the work.
//
// States (data-model §10.2), every transition a guarded update so that two
// triggers racing for one item submit one job:
//
//	uploaded --Enqueue/Trigger--> transcoding --done--> ready
//	                                          --error-> failed --Retry (attempts<3)--> uploaded --> transcoding
//	transcoding --shutdown--> uploaded (picked up again by Recover)
//	transcoding --worker died (no heartbeat)--> uploaded (attempts+1) or failed "interrupted by restart"
//
// Two kinds of machine do the work. A Transcoder (transcode/ffmpeg) runs in
// this process on a bounded worker pool; a Remote (transcode/runpod) is
// handed the job and reports back through a signed callback that
// HandleCallback maps onto the same state machine.
package transcode

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Job is one transcoding request: everything a machine needs, nothing it
// must look up.
type Job struct {
	ID        string          `json:"jobId"` // "local-<uuid>" for local jobs; the remote id otherwise
	MediaID   uuid.UUID       `json:"mediaId"`
	CreatorID string          `json:"creatorId"`
	Type      store.MediaType `json:"type"`
	InputKey  string          `json:"inputKey"` // the original in Blobs
	Keys      Layout          `json:"-"`
	Ladder    []Rendition     `json:"ladder"`
	Priority  int             `json:"priority"`
}

// NewJob builds the job for a media item.
func NewJob(m store.MediaItem) Job {
	ladder := VideoLadder
	if m.MediaType == store.MediaAudio {
		ladder = AudioLadder
	}
	return Job{
		MediaID:   m.ID,
		CreatorID: m.CreatorID,
		Type:      m.MediaType,
		InputKey:  m.R2Key,
		Keys:      KeysFor(m.CreatorID, m.ID),
		Ladder:    ladder,
		Priority:  m.TranscodingPriority,
	}
}

// Result is what a finished job produced. Keys are Blobs keys; empty means
// not produced.
type Result struct {
	MasterKey        string   `json:"hlsMasterKey,omitempty"`
	PreviewKey       string   `json:"hlsPreviewKey,omitempty"`
	ThumbnailKey     string   `json:"thumbnailKey,omitempty"`
	WaveformKey      string   `json:"waveformKey,omitempty"`
	WaveformImageKey string   `json:"waveformImageKey,omitempty"`
	DurationSeconds  int      `json:"durationSeconds,omitempty"`
	Width            int      `json:"width,omitempty"`
	Height           int      `json:"height,omitempty"`
	ReadyVariants    []string `json:"readyVariants,omitempty"`
	// Loudness (LUFS, dBTP, LU, each x100), when the machine measured it.
	LoudnessIntegrated *int `json:"loudnessIntegrated,omitempty"`
	LoudnessPeak       *int `json:"loudnessPeak,omitempty"`
	LoudnessRange      *int `json:"loudnessRange,omitempty"`
}

// Transcoder runs a job to completion in this process, reading the original
// from and writing outputs to Blobs. progress receives 0..100 while it runs.
// It must stop promptly, leaving no temporary files, when ctx is cancelled.
// An error that is a *fault.Error with kind Unprocessable is the input's
// fault (its message is shown to the creator); others are the machine's.
type Transcoder interface {
	Transcode(ctx context.Context, job Job, progress func(percent float64)) (Result, error)
}

// Remote hands a job to a machine elsewhere that reports back through
// HandleCallback. Submit returns the remote job id.
type Remote interface {
	Submit(ctx context.Context, job Job) (jobID string, err error)
}

// CallbackVerifier authenticates a remote machine's callback from its
// headers and raw body (before the body is parsed).
type CallbackVerifier interface {
	VerifyCallback(h http.Header, body []byte) error
}

// Notifier tells a creator that their media finished or failed. It must not
// block on delivery.
type Notifier interface {
	TranscodeFinished(ctx context.Context, m store.MediaItem)
	TranscodeFailed(ctx context.Context, m store.MediaItem, reason string)
}

// Error codes.
const (
	CodeUnavailable      = "TRANSCODER_UNAVAILABLE"
	CodeInvalidState     = "INVALID_MEDIA_STATE"
	CodeMaxRetries       = "MAX_RETRIES_EXCEEDED"
	CodeJobNotFound      = "TRANSCODING_JOB_NOT_FOUND"
	CodeRemoteError      = "RUNPOD_API_ERROR"
	CodeConfiguration    = "CONFIGURATION_ERROR"
	CodeInvalidSignature = "INVALID_SIGNATURE"
)

// MaxErrorLen bounds stored error text (transcoding_error varchar(2000)).
const MaxErrorLen = 2000

var errMediaNotFound = fault.New(fault.NotFound, fault.CodeMediaNotFound, "Media item not found")

// InputError marks a failure caused by the input (not a media file, no
// video stream, ...). Its message is what the creator sees.
func InputError(format string, args ...any) *fault.Error {
	return fault.Unprocessablef("INVALID_MEDIA_INPUT", format, args...)
}
