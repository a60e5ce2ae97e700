package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// requireFFmpeg: the platform transcodes with ffmpeg and the journey plays
// the result with it, so without ffmpeg there is no journey to run.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	for _, p := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(p); err != nil {
			missing(t, "%s is not on PATH: the journey transcodes and plays video with it", p)
		}
	}
}

// makeClip generates a 2 s test pattern with a tone: small (~100 KB),
// small enough to transcode in a moment, real enough to exercise the
// whole ladder and the audio track.
func makeClip(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.mp4")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=854x480:rate=24:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
		"-shortest", "-movflags", "+faststart", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generating the clip with ffmpeg: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// play is a real HLS client watching a stream: ffmpeg fetches the master
// playlist, every rendition's playlist and every segment, and decodes all
// of it to the end. Any error, or anything it has to complain about,
// fails the step. ffprobe then confirms the master offers exactly the
// renditions transcoding reported, so "every rendition" means all of them.
func play(t *testing.T, streamingURL string, renditions []string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-i", streamingURL, "-map", "0", "-f", "null", "-")
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg could not play %s: %v\n%s", streamingURL, err, out)
	}
	out, err = exec.CommandContext(t.Context(), "ffprobe", "-v", "error", "-select_streams", "v",
		"-show_entries", "stream=height", "-of", "csv=p=0", streamingURL).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", streamingURL, err)
	}
	var got []string
	for _, h := range strings.Fields(string(out)) {
		got = append(got, strings.TrimSuffix(h, ",")+"p")
	}
	// Each stream is listed under its program as well as on its own.
	slices.Sort(got)
	got = slices.Compact(got)
	want := slices.Sorted(slices.Values(renditions))
	if !slices.Equal(got, want) {
		t.Fatalf("the stream offers video renditions %v, want %v", got, want)
	}
}
