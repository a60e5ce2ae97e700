// Command transcodebench measures what the single-pass ladder buys: the
// wall time to encode a generated clip through the full HLS ladder in ONE
// ffmpeg process (decode once, scale and encode every rendition from it;
// what transcode/ffmpeg runs) against the same renditions produced the way
// the reference worker does it, one ffmpeg process per rendition, one after
// another, each decoding the whole input again. Both sides use the same
// encoder settings.
//
//	go run ./cmd/transcodebench                 # 60 s of 1080p30, preset veryfast
//	go run ./cmd/transcodebench -seconds 10 -runs 3
//
// It prints both times, the speed-up and the real-time factor (seconds of
// media per second of wall time), plus the CPU time (user+system) each side
// spent: on a machine shared with other work the wall times wander, the
// CPU time much less. Runs of the two sides alternate and the best of
// -runs is kept.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/codexforgo/codex/transcode"
	"github.com/codexforgo/codex/transcode/ffmpeg"
)

func main() {
	seconds := flag.Int("seconds", 60, "length of the generated clip")
	size := flag.String("size", "1920x1080", "source size WxH")
	preset := flag.String("preset", "veryfast", "x264 preset for both sides")
	runs := flag.Int("runs", 1, "measurements per side (the best is reported)")
	keep := flag.Bool("keep", false, "keep the work directory")
	flag.Parse()
	if err := run(*seconds, *size, *preset, *runs, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "transcodebench:", err)
		os.Exit(1)
	}
}

func run(seconds int, size, preset string, runs int, keep bool) error {
	w, h, ok := strings.Cut(size, "x")
	width, err1 := strconv.Atoi(w)
	height, err2 := strconv.Atoi(h)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("bad -size %q", size)
	}
	dir, err := os.MkdirTemp("", "transcodebench-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	// A camera-like source: H.264 at high quality with AAC, 2 s GOP.
	src := filepath.Join(dir, "source.mp4")
	fmt.Printf("generating %d s of %s@30fps H.264 + AAC ...\n", seconds, size)
	if _, err := ffmpegRun("-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=30", size),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.Itoa(seconds), "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-g", "60",
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-shortest", src); err != nil {
		return err
	}

	plan := ffmpeg.Plan{HasAudio: true, Variants: transcode.PlanVideo(transcode.VideoLadder, width, height)}
	var names []string
	for _, v := range plan.Variants {
		names = append(names, fmt.Sprintf("%s(%dx%d)", v.Name, v.Width, v.Height))
	}
	enc := ffmpeg.Encoding{Preset: preset}
	fmt.Printf("ladder: %s; preset %s; %d run(s) per side\n", strings.Join(names, " "), preset, runs)

	singleRun := func(i int) (time.Duration, error) {
		out := filepath.Join(dir, fmt.Sprintf("single-%d", i))
		return ffmpegRun(ffmpeg.SinglePassArgs(src, out, plan, enc)...)
	}
	separateRun := func(i int) (time.Duration, error) {
		out := filepath.Join(dir, fmt.Sprintf("separate-%d", i))
		for _, v := range plan.Variants {
			if err := os.MkdirAll(filepath.Join(out, "hls", v.Name), 0o750); err != nil {
				return 0, err
			}
		}
		var cpu time.Duration
		for _, args := range ffmpeg.SeparateArgs(src, out, plan, enc) {
			c, err := ffmpegRun(args...)
			if err != nil {
				return 0, err
			}
			cpu += c
		}
		return cpu, nil
	}
	var single, separate result
	for i := range max(1, runs) {
		single.add(measure(i, singleRun))
		separate.add(measure(i, separateRun))
	}
	// What a real job runs: the ladder plus preview and thumbnail, still one pass.
	full := plan
	pv := plan.Variants[min(1, len(plan.Variants)-1)]
	full.Preview, full.PreviewStart, full.PreviewLength = &pv, float64(seconds)/10, min(30, float64(seconds)*0.9)
	full.Thumbnail, full.ThumbnailAt = true, float64(seconds)/10
	complete := measure(0, func(i int) (time.Duration, error) {
		out := filepath.Join(dir, fmt.Sprintf("full-%d", i))
		if err := os.MkdirAll(filepath.Join(out, "hls", "preview"), 0o750); err != nil {
			return 0, err
		}
		return ffmpegRun(ffmpeg.SinglePassArgs(src, out, full, enc)...)
	})
	for _, r := range []result{single, separate, complete} {
		if r.err != nil {
			return r.err
		}
	}

	media := float64(seconds)
	line := func(name string, r result) {
		fmt.Printf("%-32s wall %7.2f s (real-time factor %.2fx)  cpu %7.2f s\n", name, r.wall.Seconds(), media/r.wall.Seconds(), r.cpu.Seconds())
	}
	line("single pass (ladder):", single)
	line("separate processes (ladder):", separate)
	fmt.Printf("%-32s wall %.2fx  cpu %.2fx  (goal >= 1.5x)\n", "single pass speed-up:", separate.wall.Seconds()/single.wall.Seconds(), separate.cpu.Seconds()/single.cpu.Seconds())
	line("single pass + preview + thumb:", complete)
	return nil
}

// result is the best wall time and the best CPU time over the runs.
type result struct {
	wall, cpu time.Duration
	err       error
}

func (r *result) add(o result) {
	if o.err != nil {
		r.err = o.err
	}
	if r.wall == 0 || o.wall < r.wall {
		r.wall = o.wall
	}
	if r.cpu == 0 || o.cpu < r.cpu {
		r.cpu = o.cpu
	}
}

func measure(i int, f func(int) (time.Duration, error)) result {
	start := time.Now()
	cpu, err := f(i)
	return result{wall: time.Since(start), cpu: cpu, err: err}
}

// ffmpegRun runs ffmpeg and returns the CPU time it used.
func ffmpegRun(args ...string) (time.Duration, error) {
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("ffmpeg %s: %w", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}
