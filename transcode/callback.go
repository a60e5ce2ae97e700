package transcode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Callback is the one schema a remote machine reports a job's outcome in
// (the reference had two incompatible ones, Oddity 3). Optional fields may
// be absent or null.
type Callback struct {
	JobID  string          `json:"jobId"`
	Status string          `json:"status"` // completed | failed
	Output *CallbackOutput `json:"output,omitempty"`
	Error  *string         `json:"error,omitempty"`
}

// CallbackOutput is what a completed job produced. Keys must lie under the
// item's own output prefixes (Layout).
type CallbackOutput struct {
	MediaID            uuid.UUID       `json:"mediaId"`
	Type               store.MediaType `json:"type"`
	HLSMasterKey       *string         `json:"hlsMasterKey,omitempty"`
	HLSPreviewKey      *string         `json:"hlsPreviewKey,omitempty"`
	ThumbnailKey       *string         `json:"thumbnailKey,omitempty"`
	WaveformKey        *string         `json:"waveformKey,omitempty"`
	WaveformImageKey   *string         `json:"waveformImageKey,omitempty"`
	DurationSeconds    *int            `json:"durationSeconds,omitempty"`
	Width              *int            `json:"width,omitempty"`
	Height             *int            `json:"height,omitempty"`
	ReadyVariants      []string        `json:"readyVariants,omitempty"`
	LoudnessIntegrated *int            `json:"loudnessIntegrated,omitempty"`
	LoudnessPeak       *int            `json:"loudnessPeak,omitempty"`
	LoudnessRange      *int            `json:"loudnessRange,omitempty"`
}

// Callback statuses.
const (
	CallbackCompleted = "completed"
	CallbackFailed    = "failed"
)

var validVariants = []string{"1080p", "720p", "480p", "360p", AudioVariant}

func invalidPayload(path, msg string) *fault.Error {
	e := fault.InvalidField(path, msg)
	e.Message = "Invalid webhook payload"
	return e
}

// ParseCallback decodes and validates a callback body (reference §5.3
// limits). Unknown fields are refused.
func ParseCallback(body []byte) (Callback, error) {
	var cb Callback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cb); err != nil {
		return Callback{}, invalidPayload("body", "Invalid JSON in request body").Wrap(err)
	}
	if dec.More() {
		return Callback{}, invalidPayload("body", "Request body must contain a single JSON value")
	}
	switch {
	case cb.JobID == "" || len(cb.JobID) > 255:
		return Callback{}, invalidPayload("body.jobId", "Must be 1 to 255 characters")
	case cb.Status != CallbackCompleted && cb.Status != CallbackFailed:
		return Callback{}, invalidPayload("body.status", "Must be completed or failed")
	case cb.Error != nil && len(*cb.Error) > 10*MaxErrorLen:
		return Callback{}, invalidPayload("body.error", "Too long")
	}
	if o := cb.Output; o != nil {
		inRange := func(p *int, lo, hi int) bool { return p == nil || (*p >= lo && *p <= hi) }
		switch {
		case o.MediaID == uuid.Nil:
			return Callback{}, invalidPayload("body.output.mediaId", "Required")
		case !o.Type.Valid():
			return Callback{}, invalidPayload("body.output.type", "Must be video or audio")
		case !inRange(o.DurationSeconds, 0, 86400):
			return Callback{}, invalidPayload("body.output.durationSeconds", "Must be between 0 and 86400")
		case !inRange(o.Width, 1, 7680):
			return Callback{}, invalidPayload("body.output.width", "Must be between 1 and 7680")
		case !inRange(o.Height, 1, 4320):
			return Callback{}, invalidPayload("body.output.height", "Must be between 1 and 4320")
		case len(o.ReadyVariants) > 10:
			return Callback{}, invalidPayload("body.output.readyVariants", "At most 10 variants")
		case !inRange(o.LoudnessIntegrated, -10000, 0), !inRange(o.LoudnessPeak, -10000, 200), !inRange(o.LoudnessRange, 0, 10000):
			return Callback{}, invalidPayload("body.output", "Loudness out of range")
		}
		for i, v := range o.ReadyVariants {
			if !slices.Contains(validVariants, v) {
				return Callback{}, invalidPayload(fmt.Sprintf("body.output.readyVariants.%d", i), "Unknown variant")
			}
		}
		for _, k := range []*string{o.HLSMasterKey, o.HLSPreviewKey, o.ThumbnailKey, o.WaveformKey, o.WaveformImageKey} {
			if k != nil && len(*k) > 500 {
				return Callback{}, invalidPayload("body.output", "Object keys are at most 500 characters")
			}
		}
	}
	return cb, nil
}

// VerifyCallback authenticates a callback with the configured verifier;
// without one every callback is refused.
func (s *Service) VerifyCallback(h http.Header, body []byte) error {
	if s.cfg.Callbacks == nil {
		return fault.New(fault.Unavailable, CodeConfiguration, "Transcoder callbacks are not configured")
	}
	return s.cfg.Callbacks.VerifyCallback(h, body)
}

// HandleCallback records a verified callback. The item is found by job id,
// or by output.mediaId while its job id is not saved yet (a callback faster
// than the submission's answer). Callbacks for an item that is no longer
// transcoding under that job are stale and ignored without error.
func (s *Service) HandleCallback(ctx context.Context, cb Callback) error {
	m, err := s.db.Media().GetByJobID(ctx, cb.JobID)
	if errors.Is(err, store.ErrNotFound) && cb.Output != nil {
		m, err = s.db.Media().Get(ctx, cb.Output.MediaID)
		if err == nil && m.RunpodJobID != nil && *m.RunpodJobID != cb.JobID {
			s.cfg.Log.Warn("transcode: callback for a superseded job ignored", "mediaId", m.ID, "jobId", cb.JobID)
			return nil
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return fault.New(fault.NotFound, CodeJobNotFound, "Transcoding job not found").
			WithDetails(map[string]any{"jobId": cb.JobID})
	}
	if err != nil {
		return err
	}

	if cb.Status == CallbackFailed {
		reason := "Unknown transcoding error"
		if cb.Error != nil && *cb.Error != "" {
			reason = *cb.Error
		}
		s.finish(ctx, m.ID, cb.JobID, nil, reason)
		return nil
	}
	o := cb.Output
	if o == nil {
		s.finish(ctx, m.ID, cb.JobID, nil, "Transcoder reported completion without outputs")
		return nil
	}
	if o.MediaID != m.ID {
		return invalidPayload("body.output.mediaId", "Does not match the job's media item")
	}
	if o.Type != m.MediaType {
		s.finish(ctx, m.ID, cb.JobID, nil, fmt.Sprintf("Transcoder produced %s outputs for %s media", o.Type, m.MediaType))
		return nil
	}
	keys := KeysFor(m.CreatorID, m.ID)
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	res := Result{
		MasterKey:          val(o.HLSMasterKey),
		PreviewKey:         val(o.HLSPreviewKey),
		ThumbnailKey:       val(o.ThumbnailKey),
		WaveformKey:        val(o.WaveformKey),
		WaveformImageKey:   val(o.WaveformImageKey),
		ReadyVariants:      o.ReadyVariants,
		LoudnessIntegrated: o.LoudnessIntegrated,
		LoudnessPeak:       o.LoudnessPeak,
		LoudnessRange:      o.LoudnessRange,
	}
	for _, k := range []string{res.MasterKey, res.PreviewKey, res.ThumbnailKey, res.WaveformKey, res.WaveformImageKey} {
		if k != "" && !keys.owns(k) {
			return invalidPayload("body.output", "Output keys must lie under the media item's own prefixes")
		}
	}
	if o.DurationSeconds != nil {
		res.DurationSeconds = *o.DurationSeconds
	}
	if o.Width != nil {
		res.Width = *o.Width
	}
	if o.Height != nil {
		res.Height = *o.Height
	}
	s.finish(ctx, m.ID, cb.JobID, &res, "")
	return nil
}
