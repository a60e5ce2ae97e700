package transcode

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// SegmentSeconds is the target HLS segment length.
const SegmentSeconds = 6

// KeyframeSeconds is the forced keyframe interval. It divides SegmentSeconds
// so every rendition cuts segments at the same instants and a player can
// switch renditions at any segment boundary.
const KeyframeSeconds = 2

// Rendition is one rung of a ladder. Video rungs are named after their
// nominal short side (1080p is 1920x1080 landscape or 1080x1920 portrait).
type Rendition struct {
	Name         string `json:"name"`
	ShortSide    int    `json:"shortSide,omitempty"` // 0 for audio-only rungs
	VideoKbps    int    `json:"videoKbps,omitempty"` // cap (maxrate); bufsize is twice this
	AudioKbps    int    `json:"audioKbps"`
	VideoProfile string `json:"videoProfile,omitempty"` // H.264 profile
}

// VideoLadder is the reference ladder, highest first (media-notify §5.2.1).
var VideoLadder = []Rendition{
	{Name: "1080p", ShortSide: 1080, VideoKbps: 5000, AudioKbps: 192, VideoProfile: "high"},
	{Name: "720p", ShortSide: 720, VideoKbps: 3000, AudioKbps: 128, VideoProfile: "high"},
	{Name: "480p", ShortSide: 480, VideoKbps: 1500, AudioKbps: 96, VideoProfile: "main"},
	{Name: "360p", ShortSide: 360, VideoKbps: 800, AudioKbps: 64, VideoProfile: "main"},
}

// AudioLadder is the audio-only ladder (media-notify §5.2.2).
var AudioLadder = []Rendition{
	{Name: "128k", AudioKbps: 128},
	{Name: "64k", AudioKbps: 64},
}

// AudioVariant is what readyVariants holds for audio-only media: the data
// model allows only 1080p/720p/480p/360p/audio there, so the two audio
// bitrates (directories 128k and 64k) are reported as one "audio" entry.
const AudioVariant = "audio"

// Variant is a rendition planned for one source: the rung and the exact
// output size.
type Variant struct {
	Rendition
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// PlanVideo picks the rungs for a source of w x h display pixels: every rung
// whose short side does not exceed the source's (never upscale), and for a
// source smaller than the smallest rung that rung's bitrates at the source's
// own size, so every video gets at least one rendition. Sizes keep the
// aspect ratio and are even, as H.264 4:2:0 requires.
func PlanVideo(ladder []Rendition, w, h int) []Variant {
	if w <= 0 || h <= 0 || len(ladder) == 0 {
		return nil
	}
	short := min(w, h)
	var out []Variant
	for _, r := range ladder {
		if r.ShortSide <= short {
			out = append(out, sized(r, w, h, r.ShortSide))
		}
	}
	if len(out) == 0 {
		out = append(out, sized(ladder[len(ladder)-1], w, h, short))
	}
	return out
}

// sized scales w x h so its short side is target, both sides even and at
// least 2.
func sized(r Rendition, w, h, target int) Variant {
	even := func(v float64) int { return max(2, int(v/2+0.5)*2) }
	v := Variant{Rendition: r}
	if w >= h {
		v.Height = even(float64(target))
		v.Width = even(float64(w) * float64(v.Height) / float64(h))
	} else {
		v.Width = even(float64(target))
		v.Height = even(float64(h) * float64(v.Width) / float64(w))
	}
	return v
}

// PlanAudio returns the audio-only variants.
func PlanAudio(ladder []Rendition) []Variant {
	out := make([]Variant, len(ladder))
	for i, r := range ladder {
		out[i] = Variant{Rendition: r}
	}
	return out
}

// Layout is where a media item's outputs live in Blobs (data-model §3.1).
type Layout struct {
	HLSPrefix        string // {creatorId}/hls/{mediaId}/
	Master           string // {HLSPrefix}master.m3u8; variants at {HLSPrefix}{variant}/index.m3u8
	Preview          string // {HLSPrefix}preview/preview.m3u8
	Thumbnail        string // {creatorId}/thumbnails/{mediaId}/auto-generated.jpg
	WaveformPrefix   string // {creatorId}/waveforms/{mediaId}/
	Waveform         string // {WaveformPrefix}waveform.json
	WaveformImage    string // {WaveformPrefix}waveform.png
	ThumbnailsPrefix string // {creatorId}/thumbnails/{mediaId}/
}

// KeysFor returns the key layout of a media item's outputs.
func KeysFor(creatorID string, mediaID uuid.UUID) Layout {
	hls := fmt.Sprintf("%s/hls/%s/", creatorID, mediaID)
	thumbs := fmt.Sprintf("%s/thumbnails/%s/", creatorID, mediaID)
	waves := fmt.Sprintf("%s/waveforms/%s/", creatorID, mediaID)
	return Layout{
		HLSPrefix:        hls,
		Master:           hls + "master.m3u8",
		Preview:          hls + "preview/preview.m3u8",
		Thumbnail:        thumbs + "auto-generated.jpg",
		ThumbnailsPrefix: thumbs,
		WaveformPrefix:   waves,
		Waveform:         waves + "waveform.json",
		WaveformImage:    waves + "waveform.png",
	}
}

// owns reports whether key is one of the layout's outputs, so a callback
// cannot point an item at another item's (or another creator's) objects.
func (l Layout) owns(key string) bool {
	for _, p := range []string{l.HLSPrefix, l.ThumbnailsPrefix, l.WaveformPrefix} {
		if strings.HasPrefix(key, p) && len(key) > len(p) && !strings.Contains(key, "..") {
			return true
		}
	}
	return false
}

// ContentType is the content type outputs are stored with, by file name.
func ContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".m3u8"):
		return "application/vnd.apple.mpegurl"
	case strings.HasSuffix(name, ".ts"):
		return "video/mp2t"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".jpg"), strings.HasSuffix(name, ".jpeg"):
		return "image/jpeg"
	}
	return "application/octet-stream"
}
