package ffmpeg

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"strconv"
)

// Source is what ffprobe says about an original.
type Source struct {
	Duration float64 // seconds; 0 when unknown
	// Width and Height are the display size: coded size with a 90/270
	// degree rotation applied, as ffmpeg's autorotate will show it.
	Width, Height int
	Rotation      int
	HasVideo      bool
	HasAudio      bool
	FrameRate     float64
}

type probeOutput struct {
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		Duration     string            `json:"duration"`
		AvgFrameRate string            `json:"avg_frame_rate"`
		Tags         map[string]string `json:"tags"`
		Disposition  struct {
			AttachedPic int `json:"attached_pic"`
		} `json:"disposition"`
		SideData []struct {
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
}

// probe runs ffprobe on path. A file ffprobe cannot read is the input's
// fault: the error is an input error carrying ffprobe's own explanation.
func (t *Transcoder) probe(ctx context.Context, path string, scrub func(string) string) (Source, error) {
	cmd := exec.CommandContext(ctx, t.ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path)
	cmd.WaitDelay = waitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Source{}, ctx.Err()
		}
		return Source{}, inputError("input is not a media file", scrub(stderr.String()))
	}
	var out probeOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return Source{}, inputError("input is not a media file", "unreadable probe output")
	}
	var src Source
	src.Duration = parseFloat(out.Format.Duration)
	for _, st := range out.Streams {
		switch st.CodecType {
		case "video":
			if src.HasVideo || st.Disposition.AttachedPic == 1 || st.Width <= 0 || st.Height <= 0 {
				continue
			}
			src.HasVideo = true
			src.Width, src.Height = st.Width, st.Height
			src.FrameRate = parseRate(st.AvgFrameRate)
			for _, sd := range st.SideData {
				if sd.Rotation != nil {
					src.Rotation = int(math.Round(*sd.Rotation))
				}
			}
			if src.Rotation == 0 {
				src.Rotation, _ = strconv.Atoi(st.Tags["rotate"])
			}
			if r := ((src.Rotation % 360) + 360) % 360; r == 90 || r == 270 {
				src.Width, src.Height = src.Height, src.Width
			}
			if src.Duration == 0 {
				src.Duration = parseFloat(st.Duration)
			}
		case "audio":
			if !src.HasAudio && src.Duration == 0 {
				src.Duration = parseFloat(st.Duration)
			}
			src.HasAudio = true
		}
	}
	if !src.HasVideo && !src.HasAudio {
		return Source{}, inputError("input is not a media file", "no audio or video streams found")
	}
	return src, nil
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	return f
}

func parseRate(s string) float64 {
	num, den, ok := bytes.Cut([]byte(s), []byte("/"))
	if !ok {
		return parseFloat(s)
	}
	n, d := parseFloat(string(num)), parseFloat(string(den))
	if d == 0 {
		return 0
	}
	return n / d
}
