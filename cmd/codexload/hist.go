package main

import (
	"math"
	"math/bits"
	"time"
)

// histogram records latencies in log-linear buckets, the HDR histogram
// layout: every power of two is split into subCount equal buckets, so a
// reported percentile is within 1/subCount (under 1%) of the true value
// while memory stays fixed however long the run is. Sorting every sample
// would be exact but grows with the run; a load tool must not.
type histogram struct {
	counts []uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
	min    time.Duration
}

const (
	subBits  = 7
	subCount = 1 << subBits
	// maxBits bounds the recordable range to 2^40 ns (about 18 minutes),
	// far beyond any request timeout; longer values land in the top bucket
	// and max still holds them exactly.
	maxBits    = 40
	numBuckets = (maxBits - subBits + 1) * subCount
)

func newHistogram() *histogram { return &histogram{counts: make([]uint64, numBuckets)} }

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	i := (shift+1)<<subBits + int(v>>uint(shift)) - subCount
	return min(i, numBuckets-1)
}

// bucketHigh is the largest value bucket i holds.
func bucketHigh(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	shift := uint(i>>subBits - 1)
	m := uint64(i&(subCount-1) + subCount)
	return (m+1)<<shift - 1
}

func (h *histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) Merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

func (h *histogram) Count() uint64      { return h.n }
func (h *histogram) Max() time.Duration { return h.max }

func (h *histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the value at or below which the fraction q of samples
// fall (nearest rank), as the top of its bucket: it never understates a
// latency, and never exceeds the observed maximum.
func (h *histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	if rank >= h.n {
		return h.max
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketHigh(i)), h.max)
		}
	}
	return h.max
}
