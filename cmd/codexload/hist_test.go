package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/matryer/is"
)

// exact is the nearest-rank percentile of sorted samples.
func exact(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func TestHistogramPercentilesWithinOnePercent(t *testing.T) {
	is := is.New(t)
	r := rand.New(rand.NewPCG(1, 2))
	h := newHistogram()
	var all []time.Duration
	for range 100_000 {
		// Log-normal-ish: mostly hundreds of µs, a tail into tens of ms.
		d := time.Duration(50_000 + r.ExpFloat64()*300_000)
		if r.IntN(100) == 0 {
			d *= 40
		}
		h.Record(d)
		all = append(all, d)
	}
	slices.Sort(all)
	is.Equal(h.Count(), uint64(len(all)))
	is.Equal(h.Max(), all[len(all)-1])
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		got, want := h.Quantile(q), exact(all, q)
		// Reported as the top of the bucket: never below, at most 1/128 above.
		if got < want || float64(got-want) > float64(want)/subCount {
			t.Errorf("p%v = %v, exact %v", q*100, got, want)
		}
	}
	is.Equal(h.Quantile(1), all[len(all)-1])
}

func TestHistogramSmallValuesExact(t *testing.T) {
	is := is.New(t)
	h := newHistogram()
	for v := 1; v <= 100; v++ {
		h.Record(time.Duration(v))
	}
	is.Equal(h.Quantile(0.5), time.Duration(50))
	is.Equal(h.Quantile(0.9), time.Duration(90))
	is.Equal(h.Quantile(0.99), time.Duration(99))
	is.Equal(h.Quantile(0.01), time.Duration(1))
	is.Equal(h.Mean(), time.Duration(50)) // 5050/100, truncated
}

func TestHistogramEmptyAndMerge(t *testing.T) {
	is := is.New(t)
	a, b := newHistogram(), newHistogram()
	is.Equal(a.Quantile(0.99), time.Duration(0))
	is.Equal(a.Mean(), time.Duration(0))
	for range 99 {
		a.Record(time.Millisecond)
	}
	b.Record(time.Second)
	a.Merge(b)
	a.Merge(newHistogram())
	is.Equal(a.Count(), uint64(100))
	is.Equal(a.Max(), time.Second)
	p50 := a.Quantile(0.5)
	is.True(p50 >= time.Millisecond && p50 <= time.Millisecond+time.Millisecond/subCount)
	is.Equal(a.Quantile(0.999), time.Second)
}

func TestHistogramBucketsCoverTheRange(t *testing.T) {
	is := is.New(t)
	// Every value maps to a bucket whose top is at least the value and
	// within 1/128 of it; beyond the range the last bucket takes it.
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<30 + 12345, 1<<40 - 1} {
		i := bucketOf(v)
		is.True(i >= 0 && i < numBuckets)
		hi := bucketHigh(i)
		is.True(hi >= v)
		is.True(hi-v <= v/subCount)
	}
	is.Equal(bucketOf(1<<50), numBuckets-1)
	h := newHistogram()
	h.Record(2 * time.Hour)
	is.Equal(h.Quantile(0.5), 2*time.Hour) // clamped bucket, exact max
	h.Record(-time.Second)
	is.Equal(h.Quantile(0.01), time.Duration(0))
}
