package ffmpeg

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"

	"github.com/codexforgo/codex/fault"
)

// Waveform is peak data in the audiowaveform JSON format (version 2) the
// reference's worker produced and players such as peaks.js read: for each
// pixel, the minimum and maximum 8-bit sample of SamplesPerPixel samples.
type Waveform struct {
	Version         int    `json:"version"`
	Channels        int    `json:"channels"`
	SampleRate      int    `json:"sample_rate"`
	SamplesPerPixel int    `json:"samples_per_pixel"`
	Bits            int    `json:"bits"`
	Length          int    `json:"length"`
	Data            []int8 `json:"data"`
}

// PixelsPerSecond is the waveform's resolution (the reference's
// audiowaveform --pixels-per-second 10).
const PixelsPerSecond = 10

// waveformJSON computes the peaks from the mono 16-bit PCM ffmpeg wrote.
func waveformJSON(pcmPath string) ([]byte, error) {
	f, err := os.Open(pcmPath)
	if err != nil {
		return nil, inputError("transcoding failed", "no audio samples were produced for the waveform")
	}
	defer f.Close()
	w, err := Peaks(bufio.NewReaderSize(f, 64<<10), pcmRate, pcmRate/PixelsPerSecond)
	if err != nil {
		return nil, fault.Internalf(err, "ffmpeg: reading waveform samples")
	}
	if w.Length == 0 {
		return nil, inputError("transcoding failed", "the audio stream decoded to no samples")
	}
	return json.Marshal(w)
}

// Peaks reads little-endian signed 16-bit mono samples from r and returns
// the min/max pairs of every samplesPerPixel samples (a trailing partial
// pixel included).
func Peaks(r io.Reader, sampleRate, samplesPerPixel int) (Waveform, error) {
	w := Waveform{Version: 2, Channels: 1, SampleRate: sampleRate, SamplesPerPixel: samplesPerPixel, Bits: 8, Data: []int8{}}
	var buf [2]byte
	n := 0
	var lo, hi int8
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return w, err
		}
		v := int8(int16(binary.LittleEndian.Uint16(buf[:])) >> 8)
		if n == 0 || v < lo {
			lo = v
		}
		if n == 0 || v > hi {
			hi = v
		}
		n++
		if n == samplesPerPixel {
			w.Data = append(w.Data, lo, hi)
			n = 0
		}
	}
	if n > 0 {
		w.Data = append(w.Data, lo, hi)
	}
	w.Length = len(w.Data) / 2
	return w, nil
}
