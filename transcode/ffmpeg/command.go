package ffmpeg

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/codexforgo/codex/transcode"
)

// Plan is everything one ffmpeg run produces for a source.
type Plan struct {
	Audio    bool // audio-only media: audio ladder and waveform, no video
	HasAudio bool // the source has an audio stream to carry into video renditions
	Variants []transcode.Variant

	// Preview is a short clip of a video (nil: none), cut at PreviewStart
	// for PreviewLength seconds.
	Preview       *transcode.Variant
	PreviewStart  float64
	PreviewLength float64
	// Thumbnail, when set, grabs one frame at ThumbnailAt seconds.
	Thumbnail   bool
	ThumbnailAt float64
	// Waveform, for audio, writes mono 8 kHz PCM (for the peaks) and a PNG.
	Waveform bool
}

// Encoding is the encoder settings shared by every rendition.
type Encoding struct {
	Preset string // x264 preset; default veryfast
	CRF    int    // quality target under each rung's bitrate cap; default 23
}

func (e Encoding) withDefaults() Encoding {
	if e.Preset == "" {
		e.Preset = "veryfast"
	}
	if e.CRF == 0 {
		e.CRF = 23
	}
	return e
}

// Output file names inside the output directory.
const (
	hlsDir        = "hls"
	thumbnailFile = "thumbnail.jpg"
	waveformPNG   = "waveform.png"
	waveformPCM   = "waveform.pcm"
	pcmRate       = 8000
)

// loudness normalises to the reference's target (-16 LUFS); the resample
// after it undoes loudnorm's internal 192 kHz so AAC gets 48 kHz (Oddity 8).
const loudness = "loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000"

// SinglePassArgs is the ffmpeg command line (without the program name)
// that decodes input once and writes, under outDir: the HLS ladder with a
// master playlist (hls/master.m3u8, hls/<variant>/index.m3u8 and
// segment_NNN.ts), the preview (hls/preview/preview.m3u8), the thumbnail
// and the waveform inputs, as the plan asks. Progress goes to stdout in
// -progress format.
func SinglePassArgs(input, outDir string, p Plan, enc Encoding) []string {
	enc = enc.withDefaults()
	n := len(p.Variants)
	var graph []string
	var args []string
	args = append(args, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-i", input)

	// Audio branches: one per rendition, plus preview and waveform taps.
	var audioOut []string
	if p.Audio || p.HasAudio {
		var taps []string
		norm := make([]string, 0, n+1)
		for i := range n {
			norm = append(norm, fmt.Sprintf("[a%d]", i))
		}
		if p.Preview != nil {
			norm = append(norm, "[ap0]")
		}
		src := "[0:a:0]"
		if p.Waveform {
			taps = []string{"[an]", "[aw]", "[apcm0]"}
			graph = append(graph, src+"asplit=3"+strings.Join(taps, ""))
			graph = append(graph, "[aw]showwavespic=s=1800x140:split_channels=0:colors=0x3b82f6[wpic]")
			graph = append(graph, fmt.Sprintf("[apcm0]aresample=%d,aformat=sample_fmts=s16:channel_layouts=mono[pcm]", pcmRate))
			src = "[an]"
		}
		graph = append(graph, fmt.Sprintf("%s%s,asplit=%d%s", src, loudness, len(norm), strings.Join(norm, "")))
		if p.Preview != nil {
			graph = append(graph, fmt.Sprintf("[ap0]atrim=start=%s:duration=%s,asetpts=PTS-STARTPTS[ap]", sec(p.PreviewStart), sec(p.PreviewLength)))
		}
		audioOut = norm[:n]
	}

	// Video branches: one scaler per rendition, plus preview and thumbnail.
	if !p.Audio {
		outs := make([]string, 0, n+2)
		for i := range n {
			outs = append(outs, fmt.Sprintf("[s%d]", i))
		}
		if p.Preview != nil {
			outs = append(outs, "[sp]")
		}
		if p.Thumbnail {
			outs = append(outs, "[st]")
		}
		graph = append(graph, fmt.Sprintf("[0:v:0]split=%d%s", len(outs), strings.Join(outs, "")))
		for i, v := range p.Variants {
			graph = append(graph, fmt.Sprintf("[s%d]scale=%d:%d,setsar=1,format=yuv420p[v%d]", i, v.Width, v.Height, i))
		}
		if p.Preview != nil {
			graph = append(graph, fmt.Sprintf("[sp]trim=start=%s:duration=%s,setpts=PTS-STARTPTS,scale=%d:%d,setsar=1,format=yuv420p[pv]",
				sec(p.PreviewStart), sec(p.PreviewLength), p.Preview.Width, p.Preview.Height))
		}
		if p.Thumbnail {
			// trim ends the branch after one frame, so split stops feeding it.
			graph = append(graph, fmt.Sprintf("[st]select='gte(t\\,%s)',trim=end_frame=1,setsar=1,format=yuvj420p[th]", sec(p.ThumbnailAt)))
		}
	}
	args = append(args, "-filter_complex", strings.Join(graph, ";"))

	// Output 1: the ladder.
	var streamMap []string
	for i, v := range p.Variants {
		var entry []string
		if !p.Audio {
			args = append(args, "-map", fmt.Sprintf("[v%d]", i))
			entry = append(entry, fmt.Sprintf("v:%d", i))
		}
		if audioOut != nil {
			args = append(args, "-map", audioOut[i])
			entry = append(entry, fmt.Sprintf("a:%d", i))
		}
		streamMap = append(streamMap, strings.Join(append(entry, "name:"+v.Name), ","))
	}
	for i, v := range p.Variants {
		if !p.Audio {
			args = append(args, videoRate(i, v, enc)...)
		}
		if audioOut != nil {
			args = append(args, fmt.Sprintf("-b:a:%d", i), fmt.Sprintf("%dk", v.AudioKbps))
		}
	}
	if !p.Audio {
		args = append(args, videoCommon(enc)...)
	}
	if audioOut != nil {
		args = append(args, audioCommon()...)
	}
	hls := filepath.Join(outDir, hlsDir)
	args = append(args, hlsCommon()...)
	args = append(args,
		"-master_pl_name", "master.m3u8",
		"-hls_segment_filename", filepath.Join(hls, "%v", "segment_%03d.ts"),
		"-var_stream_map", strings.Join(streamMap, " "),
		filepath.Join(hls, "%v", "index.m3u8"))

	// Output 2: the preview clip, a single-rendition HLS stream.
	if p.Preview != nil {
		args = append(args, "-map", "[pv]")
		if audioOut != nil {
			args = append(args, "-map", "[ap]")
		}
		args = append(args, videoRate(0, *p.Preview, enc)...)
		args = append(args, videoCommon(enc)...)
		if audioOut != nil {
			args = append(args, "-b:a:0", "128k")
			args = append(args, audioCommon()...)
		}
		args = append(args, hlsCommon()...)
		args = append(args, "-hls_segment_filename", filepath.Join(hls, "preview", "segment_%03d.ts"),
			filepath.Join(hls, "preview", "preview.m3u8"))
	}
	// Output 3: the thumbnail.
	if p.Thumbnail {
		args = append(args, "-map", "[th]", "-frames:v", "1", "-q:v", "2", "-update", "1", filepath.Join(outDir, thumbnailFile))
	}
	// Outputs 4 and 5: the waveform picture and the samples for its peaks.
	if p.Waveform {
		args = append(args, "-map", "[wpic]", "-frames:v", "1", "-update", "1", filepath.Join(outDir, waveformPNG))
		args = append(args, "-map", "[pcm]", "-c:a", "pcm_s16le", "-f", "s16le", filepath.Join(outDir, waveformPCM))
	}
	return args
}

// SeparateArgs is the same ladder as SinglePassArgs without extras, run
// the way the reference does: one ffmpeg process per rendition, each
// decoding the whole input again. It exists for the benchmark that
// justifies the single pass.
func SeparateArgs(input, outDir string, p Plan, enc Encoding) [][]string {
	enc = enc.withDefaults()
	var out [][]string
	for _, v := range p.Variants {
		dir := filepath.Join(outDir, hlsDir, v.Name)
		args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats", "-i", input}
		if !p.Audio {
			args = append(args, "-map", "0:v:0", "-vf", fmt.Sprintf("scale=%d:%d,setsar=1,format=yuv420p", v.Width, v.Height))
			args = append(args, videoRate(0, v, enc)...)
			args = append(args, videoCommon(enc)...)
		}
		if p.Audio || p.HasAudio {
			args = append(args, "-map", "0:a:0", "-af", loudness, "-b:a:0", fmt.Sprintf("%dk", v.AudioKbps))
			args = append(args, audioCommon()...)
		}
		args = append(args, hlsCommon()...)
		args = append(args, "-hls_segment_filename", filepath.Join(dir, "segment_%03d.ts"), filepath.Join(dir, "index.m3u8"))
		out = append(out, args)
	}
	return out
}

// videoRate caps output video stream i at the rung's bitrate.
func videoRate(i int, v transcode.Variant, enc Encoding) []string {
	profile := v.VideoProfile
	if profile == "" {
		profile = "main"
	}
	return []string{
		fmt.Sprintf("-maxrate:v:%d", i), fmt.Sprintf("%dk", v.VideoKbps),
		fmt.Sprintf("-bufsize:v:%d", i), fmt.Sprintf("%dk", 2*v.VideoKbps),
		fmt.Sprintf("-profile:v:%d", i), profile,
	}
}

// videoCommon: H.264 8-bit 4:2:0 (10-bit sources would otherwise become
// High10, which most players refuse, Oddity 19), keyframes forced every
// KeyframeSeconds and none inserted at scene cuts, so all renditions share
// segment boundaries.
func videoCommon(enc Encoding) []string {
	return []string{
		"-c:v", "libx264", "-preset", enc.Preset, "-crf", strconv.Itoa(enc.CRF),
		"-pix_fmt", "yuv420p",
		"-force_key_frames:v", fmt.Sprintf("expr:gte(t,n_forced*%d)", transcode.KeyframeSeconds),
		"-sc_threshold", "0",
	}
}

func audioCommon() []string {
	return []string{"-c:a", "aac", "-ac", "2", "-ar", "48000"}
}

func hlsCommon() []string {
	return []string{
		"-max_muxing_queue_size", "4096",
		"-f", "hls", "-hls_time", strconv.Itoa(transcode.SegmentSeconds),
		"-hls_playlist_type", "vod", "-hls_segment_type", "mpegts",
		"-hls_flags", "independent_segments",
	}
}

// sec formats seconds for filter arguments.
func sec(s float64) string {
	return strconv.FormatFloat(math.Max(s, 0), 'f', 3, 64)
}
