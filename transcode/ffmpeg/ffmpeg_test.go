package ffmpeg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/transcode"
	"github.com/codexforgo/codex/transcode/ffmpeg"
)

// requireFFmpeg skips without ffmpeg, except under CI where it must exist.
func requireFFmpeg(t testing.TB) {
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

// generate runs ffmpeg with its own test sources.
func generate(t testing.TB, out string, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generating %s: %v\n%s", out, err, b)
	}
}

// videoClip writes seconds of testsrc2 at size with a sine tone.
func videoClip(t testing.TB, dir, size string, seconds int) string {
	p := filepath.Join(dir, "clip-"+size+".mp4")
	generate(t, p, "-f", "lavfi", "-i", "testsrc2=size="+size+":rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", fmt.Sprint(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest")
	return p
}

func audioClip(t testing.TB, dir string, seconds int) string {
	p := filepath.Join(dir, "tone.m4a")
	generate(t, p, "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:beep_factor=4", "-t", fmt.Sprint(seconds), "-c:a", "aac")
	return p
}

type fixture struct {
	is    *is.I
	blobs *disk.Blobs
	tmp   string
	tc    *ffmpeg.Transcoder
	dir   string
}

func newFixture(t *testing.T) *fixture {
	requireFFmpeg(t)
	is := is.New(t)
	root := t.TempDir()
	blobs, err := disk.New(filepath.Join(root, "blobs"))
	is.NoErr(err)
	tmp := filepath.Join(root, "tmp")
	is.NoErr(os.Mkdir(tmp, 0o750))
	tc, err := ffmpeg.New(ffmpeg.Config{Blobs: blobs, TempDir: tmp, Encoding: ffmpeg.Encoding{Preset: "ultrafast"}})
	is.NoErr(err)
	return &fixture{is: is, blobs: blobs, tmp: tmp, tc: tc, dir: root}
}

// job uploads the file as an original and returns the job for it.
func (f *fixture) job(file string, typ store.MediaType) transcode.Job {
	id := uuid.New()
	key := "creator1/originals/" + id.String() + "/" + filepath.Base(file)
	fh, err := os.Open(file)
	f.is.NoErr(err)
	defer fh.Close()
	f.is.NoErr(f.blobs.Put(context.Background(), key, fh, -1, "application/octet-stream"))
	return transcode.NewJob(store.MediaItem{ID: id, CreatorID: "creator1", MediaType: typ, R2Key: key, TranscodingPriority: 2})
}

// fetch copies every blob under prefix into dir, keeping relative paths.
func (f *fixture) fetch(t *testing.T, prefix string, names ...string) string {
	dir := t.TempDir()
	for _, n := range names {
		rc, _, err := f.blobs.Get(context.Background(), prefix+n)
		f.is.NoErr(err)
		p := filepath.Join(dir, filepath.FromSlash(n))
		f.is.NoErr(os.MkdirAll(filepath.Dir(p), 0o750))
		b, err := io.ReadAll(rc)
		rc.Close()
		f.is.NoErr(err)
		f.is.NoErr(os.WriteFile(p, b, 0o640))
	}
	return dir
}

func (f *fixture) tempEmpty(t *testing.T) {
	t.Helper()
	left, err := os.ReadDir(f.tmp)
	f.is.NoErr(err)
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

// playlistEntries lists the URIs of a playlist (non-comment lines).
func playlistEntries(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func (f *fixture) blob(key string) []byte {
	rc, _, err := f.blobs.Get(context.Background(), key)
	f.is.NoErr(err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	f.is.NoErr(err)
	return b
}

type probeStreams struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Profile   string `json:"profile"`
		PixFmt    string `json:"pix_fmt"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func ffprobe(t *testing.T, path string) probeStreams {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p probeStreams
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVideoLadderInOnePass(t *testing.T) {
	f := newFixture(t)
	is := f.is
	job := f.job(videoClip(t, f.dir, "1280x720", 3), store.MediaVideo)

	var mu sync.Mutex
	var seen []float64
	res, err := f.tc.Transcode(context.Background(), job, func(p float64) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	})
	is.NoErr(err)
	f.tempEmpty(t)

	keys := transcode.KeysFor("creator1", job.MediaID)
	is.Equal(res.MasterKey, keys.Master)
	is.Equal(res.ThumbnailKey, keys.Thumbnail)
	is.Equal(res.PreviewKey, keys.Preview)
	is.Equal(res.ReadyVariants, []string{"720p", "480p", "360p"}) // never above the 720p source
	is.Equal(res.DurationSeconds, 3)
	is.Equal(res.Width, 1280)
	is.Equal(res.Height, 720)
	is.True(len(seen) > 1)
	is.Equal(seen[len(seen)-1], 100.0)

	master := f.blob(keys.Master)
	is.Equal(playlistEntries(master), []string{"720p/index.m3u8", "480p/index.m3u8", "360p/index.m3u8"})
	for _, want := range []string{"RESOLUTION=1280x720", "RESOLUTION=854x480", "RESOLUTION=640x360"} {
		is.True(bytes.Contains(master, []byte(want))) // master lists each size
	}
	inf := regexp.MustCompile(`#EXT-X-STREAM-INF:BANDWIDTH=(\d+),.*CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"`)
	is.Equal(len(inf.FindAll(master, -1)), 3) // BANDWIDTH and CODECS on every variant

	names := []string{"master.m3u8"}
	for _, v := range res.ReadyVariants {
		pl := f.blob(keys.HLSPrefix + v + "/index.m3u8")
		segs := playlistEntries(pl)
		is.True(len(segs) > 0)                                          // variant has segments
		is.True(bytes.Contains(pl, []byte("#EXT-X-PLAYLIST-TYPE:VOD"))) // vod playlist
		names = append(names, v+"/index.m3u8")
		for _, s := range segs {
			names = append(names, v+"/"+s)
		}
	}
	dir := f.fetch(t, keys.HLSPrefix, names...)
	for _, v := range res.ReadyVariants {
		p := ffprobe(t, filepath.Join(dir, v, "index.m3u8"))
		var video, audio bool
		for _, s := range p.Streams {
			switch s.CodecType {
			case "video":
				video = true
				is.Equal(s.CodecName, "h264")
				is.Equal(s.PixFmt, "yuv420p")
			case "audio":
				audio = true
				is.Equal(s.CodecName, "aac")
			}
		}
		is.True(video && audio) // every variant plays with sound
	}
	whole := ffprobe(t, filepath.Join(dir, "master.m3u8"))
	is.True(len(whole.Streams) >= 6) // ffprobe reads all three variants through the master

	thumb := f.blob(keys.Thumbnail)
	is.True(bytes.HasPrefix(thumb, []byte{0xff, 0xd8})) // a JPEG
	preview := f.blob(keys.Preview)
	is.True(len(playlistEntries(preview)) > 0) // the preview was uploaded, not just named (Oddity 6)
}

func TestAudioLadderAndWaveform(t *testing.T) {
	f := newFixture(t)
	is := f.is
	job := f.job(audioClip(t, f.dir, 3), store.MediaAudio)
	res, err := f.tc.Transcode(context.Background(), job, nil)
	is.NoErr(err)
	f.tempEmpty(t)

	keys := transcode.KeysFor("creator1", job.MediaID)
	is.Equal(res.ReadyVariants, []string{"audio"})
	is.Equal(res.WaveformKey, keys.Waveform)
	is.Equal(res.WaveformImageKey, keys.WaveformImage)
	is.Equal(res.ThumbnailKey, "")
	is.Equal(res.DurationSeconds, 3)
	master := f.blob(keys.Master)
	is.Equal(playlistEntries(master), []string{"128k/index.m3u8", "64k/index.m3u8"})
	is.True(bytes.Contains(master, []byte(`CODECS="mp4a.40.2"`)))

	var w ffmpeg.Waveform
	is.NoErr(json.Unmarshal(f.blob(keys.Waveform), &w))
	is.Equal(w.Bits, 8)
	is.True(w.Length >= 30 && w.Length <= 31) // 3 s at 10 pixels per second (+ AAC padding)
	is.Equal(len(w.Data), 2*w.Length)
	var loud, quiet int
	for i := 0; i < len(w.Data); i += 2 {
		if w.Data[i+1]-w.Data[i] > 20 {
			loud++
		} else {
			quiet++
		}
	}
	is.True(loud > 0 && quiet > 0) // the beeps show as peaks between silences
	png := f.blob(keys.WaveformImage)
	is.True(bytes.HasPrefix(png, []byte("\x89PNG")))
}

func TestCorruptInputFailsReadably(t *testing.T) {
	f := newFixture(t)
	is := f.is
	bad := filepath.Join(f.dir, "notes.mp4")
	is.NoErr(os.WriteFile(bad, bytes.Repeat([]byte("this is not a video\n"), 200), 0o640))
	_, err := f.tc.Transcode(context.Background(), f.job(bad, store.MediaVideo), nil)
	is.True(err != nil)
	var fe *fault.Error
	is.True(errors.As(err, &fe))
	is.Equal(fe.Kind, fault.Unprocessable)
	is.True(strings.HasPrefix(fe.Message, "input is not a media file: ")) // readable reason
	is.True(!strings.Contains(fe.Message, f.tmp))                         // no server paths
	is.True(len(fe.Message) <= transcode.MaxErrorLen)
	f.tempEmpty(t)

	// An audio file submitted as video says what is missing.
	_, err = f.tc.Transcode(context.Background(), f.job(audioClip(t, f.dir, 1), store.MediaVideo), nil)
	is.True(errors.As(err, &fe))
	is.Equal(fe.Message, "input has no video stream")
}

func TestCancelLeavesNothingBehind(t *testing.T) {
	f := newFixture(t)
	is := f.is
	job := f.job(videoClip(t, f.dir, "1280x720", 4), store.MediaVideo)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	start := time.Now()
	_, err := f.tc.Transcode(ctx, job, func(p float64) {
		if p > 0 {
			once.Do(cancel) // ffmpeg is running and reporting
		}
	})
	is.True(errors.Is(err, context.Canceled))
	is.True(time.Since(start) < 30*time.Second)
	f.tempEmpty(t)
	_, err = f.blobs.Stat(context.Background(), transcode.KeysFor("creator1", job.MediaID).Master)
	is.True(errors.Is(err, store.ErrNotFound)) // nothing half-uploaded
}

func TestNewReportsMissingFFmpeg(t *testing.T) {
	is := is.New(t)
	blobs, err := disk.New(t.TempDir())
	is.NoErr(err)
	_, err = ffmpeg.New(ffmpeg.Config{Blobs: blobs, FFmpeg: "codex-no-such-ffmpeg"})
	is.True(errors.Is(err, ffmpeg.ErrNotInstalled))
}
