// Package ffmpeg is the local transcoder: ffmpeg and ffprobe found on PATH.
//
// A job downloads the original from Blobs to a temporary directory, probes
// it, and runs ONE ffmpeg process that decodes the input once and encodes
// every rendition of the ladder, the preview clip, the thumbnail and (for
// audio) the waveform from that single decode (see SinglePassArgs). The
// outputs are then uploaded to Blobs under the reference's key layout and
// the temporary directory is removed, also when the job is cancelled.
package ffmpeg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/transcode"
)

// Config configures the transcoder.
type Config struct {
	// Blobs holds the originals and receives the outputs.
	Blobs store.Blobs
	// FFmpeg and FFprobe are the programs (default: found on PATH).
	FFmpeg, FFprobe string
	// TempDir is where job directories are made (default os.TempDir()).
	TempDir string
	// Encoding is the x264 preset and quality (default veryfast, CRF 23).
	Encoding Encoding
	// PreviewSeconds is the preview clip's length (default 30).
	PreviewSeconds float64
	Log            *slog.Logger
}

// Transcoder is a transcode.Transcoder running ffmpeg locally.
type Transcoder struct {
	cfg     Config
	ffmpeg  string
	ffprobe string
}

var _ transcode.Transcoder = (*Transcoder)(nil)

// ErrNotInstalled is returned by New when ffmpeg or ffprobe is missing.
var ErrNotInstalled = errors.New("ffmpeg was not found on PATH")

// waitDelay bounds how long a killed ffmpeg may hold its pipes open.
const waitDelay = 5 * time.Second

// New finds ffmpeg and ffprobe and returns the transcoder.
func New(cfg Config) (*Transcoder, error) {
	if cfg.Blobs == nil {
		return nil, errors.New("ffmpeg: Config.Blobs is required")
	}
	find := func(name, given string) (string, error) {
		if given == "" {
			given = name
		}
		p, err := exec.LookPath(given)
		if err != nil {
			return "", fmt.Errorf("%w (%s: %v)", ErrNotInstalled, name, err)
		}
		return p, nil
	}
	ff, err := find("ffmpeg", cfg.FFmpeg)
	if err != nil {
		return nil, err
	}
	fp, err := find("ffprobe", cfg.FFprobe)
	if err != nil {
		return nil, err
	}
	if cfg.PreviewSeconds <= 0 {
		cfg.PreviewSeconds = 30
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Encoding = cfg.Encoding.withDefaults()
	return &Transcoder{cfg: cfg, ffmpeg: ff, ffprobe: fp}, nil
}

// Path is the ffmpeg program in use.
func (t *Transcoder) Path() string { return t.ffmpeg }

// Share of the progress bar the encode takes; uploading fills the rest.
const encodeShare = 95.0

// Transcode runs job: see the package documentation.
func (t *Transcoder) Transcode(ctx context.Context, job transcode.Job, progress func(float64)) (transcode.Result, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	tmp, err := os.MkdirTemp(t.cfg.TempDir, "codex-transcode-")
	if err != nil {
		return transcode.Result{}, fault.Internalf(err, "ffmpeg: temp dir")
	}
	defer os.RemoveAll(tmp)
	// Messages shown to creators must not reveal server paths.
	scrub := func(s string) string {
		s = strings.ReplaceAll(s, tmp+string(filepath.Separator), "")
		return strings.ReplaceAll(s, tmp, "")
	}

	input := filepath.Join(tmp, "input"+inputExt(job.InputKey))
	if err := t.download(ctx, job.InputKey, input); err != nil {
		return transcode.Result{}, err
	}
	src, err := t.probe(ctx, input, scrub)
	if err != nil {
		return transcode.Result{}, err
	}
	plan, err := t.plan(job, src)
	if err != nil {
		return transcode.Result{}, err
	}
	out := filepath.Join(tmp, "out")
	// The HLS muxer makes the %v directories itself, not the preview's.
	if err := os.MkdirAll(filepath.Join(out, hlsDir, "preview"), 0o750); err != nil {
		return transcode.Result{}, fault.Internalf(err, "ffmpeg: output dir")
	}
	if err := t.run(ctx, SinglePassArgs(input, out, plan, t.cfg.Encoding), src.Duration, progress, scrub); err != nil {
		return transcode.Result{}, err
	}
	res, err := t.upload(ctx, job, plan, src, out)
	if err != nil {
		return transcode.Result{}, err
	}
	progress(100)
	return res, nil
}

// inputExt keeps the original's extension (some demuxers probe better with
// it), and only a plain one.
func inputExt(key string) string {
	ext := path.Ext(key)
	if len(ext) < 2 || len(ext) > 8 {
		return ""
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return ext
}

func (t *Transcoder) download(ctx context.Context, key, dst string) error {
	if key == "" {
		return transcode.InputError("the media item has no uploaded original")
	}
	rc, _, err := t.cfg.Blobs.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return transcode.InputError("the uploaded original was not found in storage")
	}
	if err != nil {
		return fault.Unavailablef(err, "Could not read the original from storage")
	}
	defer rc.Close()
	f, err := os.Create(dst)
	if err != nil {
		return fault.Internalf(err, "ffmpeg: create input file")
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fault.Unavailablef(err, "Could not read the original from storage")
	}
	return nil
}

// plan decides the outputs for a probed source.
func (t *Transcoder) plan(job transcode.Job, src Source) (Plan, error) {
	if job.Type == store.MediaAudio {
		if !src.HasAudio {
			return Plan{}, transcode.InputError("input has no audio stream")
		}
		return Plan{Audio: true, HasAudio: true, Variants: transcode.PlanAudio(job.Ladder), Waveform: true}, nil
	}
	if !src.HasVideo {
		return Plan{}, transcode.InputError("input has no video stream")
	}
	vs := transcode.PlanVideo(job.Ladder, src.Width, src.Height)
	p := Plan{HasAudio: src.HasAudio, Variants: vs, Thumbnail: true, ThumbnailAt: src.Duration * 0.1}
	if src.Duration > 0 {
		// The preview is the best rendition up to 720p (never above the source).
		pv := vs[len(vs)-1]
		for _, v := range vs {
			if min(v.Width, v.Height) <= 720 {
				pv = v
				break
			}
		}
		pv.Name = "preview"
		start := math.Floor(src.Duration * 0.1)
		p.Preview = &pv
		p.PreviewStart = start
		p.PreviewLength = math.Min(t.cfg.PreviewSeconds, src.Duration-start)
	}
	return p, nil
}

// run executes ffmpeg, feeding progress from its -progress output. A
// failure that is not a cancellation is reported as the input's fault with
// ffmpeg's last error lines: the source probed as media, so what breaks
// the encode is almost always damage inside it.
func (t *Transcoder) run(ctx context.Context, args []string, duration float64, progress func(float64), scrub func(string) string) error {
	cmd := exec.CommandContext(ctx, t.ffmpeg, args...)
	cmd.WaitDelay = waitDelay
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fault.Internalf(err, "ffmpeg: stdout pipe")
	}
	if err := cmd.Start(); err != nil {
		return fault.Internalf(err, "ffmpeg: start")
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k != "out_time_us" || duration <= 0 {
			continue
		}
		if us, err := strconv.ParseInt(v, 10, 64); err == nil && us > 0 {
			progress(math.Min(float64(us)/1e6/duration, 1) * encodeShare)
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return inputError("transcoding failed", scrub(stderr.String()))
	}
	return nil
}

// upload stores the outputs under the item's layout, replacing whatever an
// earlier attempt left there.
func (t *Transcoder) upload(ctx context.Context, job transcode.Job, p Plan, src Source, out string) (transcode.Result, error) {
	keys := job.Keys
	if keys.HLSPrefix == "" {
		keys = transcode.KeysFor(job.CreatorID, job.MediaID)
	}
	res := transcode.Result{DurationSeconds: max(1, int(math.Ceil(src.Duration)))}
	if !p.Audio {
		res.Width, res.Height = src.Width, src.Height
	}
	for _, prefix := range []string{keys.HLSPrefix, keys.ThumbnailsPrefix, keys.WaveformPrefix} {
		if err := t.cfg.Blobs.DeletePrefix(ctx, prefix); err != nil {
			return res, fault.Unavailablef(err, "Could not write the transcoded media to storage")
		}
	}
	hls := filepath.Join(out, hlsDir)
	if _, err := os.Stat(filepath.Join(hls, "master.m3u8")); err != nil {
		return res, inputError("transcoding failed", "no playlist was produced")
	}
	err := filepath.WalkDir(hls, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(hls, p)
		if err != nil {
			return err
		}
		return t.put(ctx, p, keys.HLSPrefix+filepath.ToSlash(rel))
	})
	if err != nil {
		return res, err
	}
	res.MasterKey = keys.Master
	for _, v := range p.Variants {
		if !p.Audio {
			res.ReadyVariants = append(res.ReadyVariants, v.Name)
		}
	}
	if p.Audio {
		res.ReadyVariants = []string{transcode.AudioVariant}
	}
	if p.Preview != nil {
		if _, err := os.Stat(filepath.Join(hls, "preview", "preview.m3u8")); err == nil {
			res.PreviewKey = keys.Preview
		} else {
			t.cfg.Log.WarnContext(ctx, "ffmpeg: preview was not produced", "mediaId", job.MediaID)
		}
	}
	if p.Thumbnail {
		if err := t.putIfProduced(ctx, filepath.Join(out, thumbnailFile), keys.Thumbnail, "a thumbnail"); err != nil {
			return res, err
		}
		res.ThumbnailKey = keys.Thumbnail
	}
	if p.Waveform {
		peaks, err := waveformJSON(filepath.Join(out, waveformPCM))
		if err != nil {
			return res, err
		}
		jsonPath := filepath.Join(out, "waveform.json")
		if err := os.WriteFile(jsonPath, peaks, 0o640); err != nil {
			return res, fault.Internalf(err, "ffmpeg: write waveform")
		}
		if err := t.put(ctx, jsonPath, keys.Waveform); err != nil {
			return res, err
		}
		res.WaveformKey = keys.Waveform
		if err := t.putIfProduced(ctx, filepath.Join(out, waveformPNG), keys.WaveformImage, "a waveform image"); err != nil {
			return res, err
		}
		res.WaveformImageKey = keys.WaveformImage
	}
	return res, nil
}

func (t *Transcoder) putIfProduced(ctx context.Context, file, key, what string) error {
	if st, err := os.Stat(file); err != nil || st.Size() == 0 {
		return inputError("transcoding failed", "no "+strings.TrimPrefix(what, "a ")+" was produced")
	}
	return t.put(ctx, file, key)
}

func (t *Transcoder) put(ctx context.Context, file, key string) error {
	f, err := os.Open(file)
	if err != nil {
		return fault.Internalf(err, "ffmpeg: open output")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fault.Internalf(err, "ffmpeg: stat output")
	}
	if err := t.cfg.Blobs.Put(ctx, key, f, st.Size(), transcode.ContentType(key)); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fault.Unavailablef(err, "Could not write the transcoded media to storage")
	}
	return nil
}

// inputError is a creator-facing failure: "<what>: <detail>", where detail
// is the tool's last few error lines on one line, bounded so the stored
// text stays within transcoding_error's 2000 characters.
func inputError(what, detail string) error {
	var lines []string
	for _, l := range strings.Split(detail, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 4 {
		lines = lines[len(lines)-4:]
	}
	d := strings.Join(lines, "; ")
	if len(d) > 1500 {
		d = d[len(d)-1500:]
	}
	if d == "" {
		d = "unknown error"
	}
	return transcode.InputError("%s: %s", what, d)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
