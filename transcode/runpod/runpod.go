// Package runpod hands transcoding jobs to a RunPod serverless endpoint (a
// GPU worker running the same ladder) and authenticates the worker's
// signed callbacks.
//
// The job input carries everything the worker needs — media id and type,
// creator, input key, output keys, the ladder, segment length, priority and
// the callback URL on this platform's media surface — and no storage
// credentials: the worker holds its own (RunPod secrets), as does the
// callback secret. The worker reports with transcode.Callback, POSTed with
//
//	X-Runpod-Timestamp: <unix seconds>
//	X-Runpod-Signature: hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))
package runpod

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/transcode"
)

// DefaultBaseURL is RunPod's API.
const DefaultBaseURL = "https://api.runpod.ai"

// Callback headers.
const (
	HeaderSignature = "X-Runpod-Signature"
	HeaderTimestamp = "X-Runpod-Timestamp"
)

// Config configures the client.
type Config struct {
	APIKey     string
	EndpointID string
	// WebhookSecret signs callbacks (shared with the worker).
	WebhookSecret string
	// WebhookURL is where the worker reports: this platform's
	// /api/transcoding/webhook (media-api's own address, Oddity 16).
	WebhookURL string
	// BaseURL is the API base (default DefaultBaseURL; tests point it at
	// an httptest server).
	BaseURL string
	// Timeout bounds a submission (default 30 s).
	Timeout    time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
}

// Client is a transcode.Remote and transcode.CallbackVerifier.
type Client struct {
	cfg Config
}

var (
	_ transcode.Remote           = (*Client)(nil)
	_ transcode.CallbackVerifier = (*Client)(nil)
)

// New validates cfg and returns the client.
func New(cfg Config) (*Client, error) {
	var missing []string
	for name, v := range map[string]string{"APIKey": cfg.APIKey, "EndpointID": cfg.EndpointID, "WebhookSecret": cfg.WebhookSecret, "WebhookURL": cfg.WebhookURL} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("runpod: missing %s", strings.Join(missing, ", "))
	}
	if strings.ContainsAny(cfg.EndpointID, "/?#") {
		return nil, errors.New("runpod: EndpointID must be a bare id")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}, nil
}

// Input is the job input the worker receives.
type Input struct {
	MediaID        string                `json:"mediaId"`
	Type           string                `json:"type"`
	CreatorID      string                `json:"creatorId"`
	InputKey       string                `json:"inputKey"`
	OutputPrefix   string                `json:"outputPrefix"`
	Outputs        Outputs               `json:"outputs"`
	Ladder         []transcode.Rendition `json:"ladder"`
	SegmentSeconds int                   `json:"segmentSeconds"`
	KeyframeSecs   int                   `json:"keyframeSeconds"`
	WebhookURL     string                `json:"webhookUrl"`
	Priority       int                   `json:"priority"`
}

// Outputs are the exact keys the worker must write.
type Outputs struct {
	Master        string `json:"hlsMasterKey"`
	Preview       string `json:"hlsPreviewKey,omitempty"`
	Thumbnail     string `json:"thumbnailKey,omitempty"`
	Waveform      string `json:"waveformKey,omitempty"`
	WaveformImage string `json:"waveformImageKey,omitempty"`
}

// Submit posts the job to /v2/{endpoint}/run and returns RunPod's job id.
// RunPod's answer body is logged by the caller through the error's cause,
// never shown to clients (Oddity 13).
func (c *Client) Submit(ctx context.Context, job transcode.Job) (string, error) {
	keys := job.Keys
	if keys.HLSPrefix == "" {
		keys = transcode.KeysFor(job.CreatorID, job.MediaID)
	}
	in := Input{
		MediaID: job.MediaID.String(), Type: string(job.Type), CreatorID: job.CreatorID, InputKey: job.InputKey,
		OutputPrefix: keys.HLSPrefix, Ladder: job.Ladder, SegmentSeconds: transcode.SegmentSeconds,
		KeyframeSecs: transcode.KeyframeSeconds, WebhookURL: c.cfg.WebhookURL, Priority: job.Priority,
		Outputs: Outputs{Master: keys.Master},
	}
	if job.Type == "audio" {
		in.Outputs.Waveform, in.Outputs.WaveformImage = keys.Waveform, keys.WaveformImage
	} else {
		in.Outputs.Preview, in.Outputs.Thumbnail = keys.Preview, keys.Thumbnail
	}
	body, err := json.Marshal(map[string]any{"input": in})
	if err != nil {
		return "", fault.Internalf(err, "runpod: encode job")
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	url := c.cfg.BaseURL + "/v2/" + c.cfg.EndpointID + "/run"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", fault.Internalf(err, "runpod: build request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", apiError(fmt.Errorf("runpod: submit: %w", err))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return "", apiError(fmt.Errorf("runpod: submit: HTTP %d: %s", res.StatusCode, bytes.TrimSpace(raw[:min(len(raw), 500)])))
	}
	var out struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.ID == "" || len(out.ID) > 255 {
		return "", apiError(fmt.Errorf("runpod: submit: unexpected answer: %.200s", raw))
	}
	return out.ID, nil
}

func apiError(cause error) error {
	return fault.New(fault.Unavailable, transcode.CodeRemoteError, "The transcoding service did not accept the job; try again shortly").Wrap(cause)
}

// Sign returns the callback headers' values for body at now (what the
// worker computes; tests and Go workers use it).
func Sign(secret string, body []byte, now time.Time) (timestamp, signature string) {
	ts := strconv.FormatInt(now.Unix(), 10)
	return ts, sign(secret, ts, body)
}

func sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func unauthorized(code, msg string, details any) error {
	e := fault.New(fault.Unauthenticated, code, msg)
	if details != nil {
		e = e.WithDetails(details)
	}
	return e
}

// VerifyCallback checks a callback's signature before its body is parsed:
// missing or malformed headers and stale or future timestamps are 401 with
// the reference's codes; a signature that does not match is a forgery, 403
// INVALID_SIGNATURE. The comparison is constant-time.
func (c *Client) VerifyCallback(h http.Header, body []byte) error {
	return Verify(c.cfg.WebhookSecret, h, body, c.cfg.Now())
}

// Verify is VerifyCallback with an explicit secret and clock.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return fault.New(fault.Unavailable, transcode.CodeConfiguration, "Transcoder callbacks are not configured")
	}
	sig, ts := h.Get(HeaderSignature), h.Get(HeaderTimestamp)
	if sig == "" {
		return unauthorized("MISSING_SIGNATURE", "Missing webhook signature", map[string]string{"required": HeaderSignature})
	}
	if ts == "" {
		return unauthorized("MISSING_TIMESTAMP", "Missing webhook timestamp", map[string]string{"required": HeaderTimestamp})
	}
	n, ok := transcode.ParseTimestamp(ts)
	if !ok {
		return unauthorized("INVALID_TIMESTAMP", "Invalid webhook timestamp", nil)
	}
	age := now.Unix() - n
	if age > int64(transcode.MaxSignatureAge/time.Second) {
		return unauthorized("TIMESTAMP_EXPIRED", "Webhook timestamp too old",
			map[string]int64{"maxAge": int64(transcode.MaxSignatureAge / time.Second), "age": age})
	}
	if age < -int64(transcode.MaxSignatureFuture/time.Second) {
		return unauthorized("TIMESTAMP_FUTURE", "Webhook timestamp is in the future", nil)
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(sign(secret, ts, body))
	if err != nil || len(got) != sha256.Size || !hmac.Equal(got, want) {
		return fault.New(fault.Forbidden, transcode.CodeInvalidSignature, "Invalid webhook signature")
	}
	return nil
}
