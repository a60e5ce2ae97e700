package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// fixture is what the scenarios need from the platform: customers who
// bought one paid, published video, and what a booking webhook names.
type fixture struct {
	tokens    []string // session tokens of customers who bought contentID
	contentID string
	// Webhook ingestion: the endpoint's signing secret and the parties a
	// checkout.session.completed names. The buyer is kept apart from the
	// library customers so that their pages keep one size during a run.
	webhookSecret string
	buyerID       string
	creatorID     string
	orgID         string
}

// scenario is one hot path. request builds the n-th request (n counts
// every request of the scenario, warm-up included) for a worker; check
// decides whether the answer is a success.
type scenario struct {
	name    string
	request func(worker int, n int64) (*http.Request, error)
	check   func(status int, body []byte) error
}

var scenarioNames = []string{"session", "grant", "library", "webhook"}

func scenarios(base string, fx *fixture, webhookDup int, runID string) map[string]scenario {
	bearer := func(worker int, method, path string) (*http.Request, error) {
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+fx.tokens[worker%len(fx.tokens)])
		return req, nil
	}
	want200 := func(status int, _ []byte) error {
		if status != http.StatusOK {
			return fmt.Errorf("status %d", status)
		}
		return nil
	}
	webhookDup = max(webhookDup, 1)
	return map[string]scenario{
		"session": {
			name: "session",
			request: func(w int, _ int64) (*http.Request, error) {
				return bearer(w, http.MethodGet, "/api/auth/get-session")
			},
			// No session is also a 200, with a null body: that must count
			// as a failure or an expired token would look like a fast run.
			check: func(status int, body []byte) error {
				if status != http.StatusOK {
					return fmt.Errorf("status %d", status)
				}
				if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
					return fmt.Errorf("no session")
				}
				return nil
			},
		},
		"grant": {
			name: "grant",
			request: func(w int, _ int64) (*http.Request, error) {
				return bearer(w, http.MethodGet, "/api/access/content/"+fx.contentID+"/stream")
			},
			check: want200,
		},
		"library": {
			name: "library",
			request: func(w int, _ int64) (*http.Request, error) {
				return bearer(w, http.MethodGet, "/api/access/user/library")
			},
			check: want200,
		},
		"webhook": {
			name: "webhook",
			request: func(_ int, n int64) (*http.Request, error) {
				// webhookDup consecutive requests carry the same event, so
				// with enough workers they race as Stripe's retries and
				// duplicates do.
				return signedBooking(base, fx.webhookSecret, bookingEvent(fx, fmt.Sprintf("pi_load_%s_%d", runID, n/int64(webhookDup))))
			},
			check: want200,
		},
	}
}

// signedBooking is a delivery to the booking endpoint, signed the way
// Stripe signs (t=…,v1=HMAC-SHA256 of "t.payload").
func signedBooking(base, secret string, payload []byte) (*http.Request, error) {
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()})
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/stripe/booking", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", sp.Header)
	return req, nil
}

// bookingEvent is a paid checkout.session.completed as Stripe sends it
// for a purchase made through Codex's checkout.
func bookingEvent(fx *fixture, paymentIntent string) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "evt_" + paymentIntent, "object": "event", "type": "checkout.session.completed",
		"api_version": "2025-10-29.clover", "created": time.Now().Unix(),
		"data": map[string]any{"object": map[string]any{
			"id": "cs_" + paymentIntent, "object": "checkout.session", "payment_intent": paymentIntent,
			"payment_status": "paid", "amount_total": 999, "currency": "usd", "client_reference_id": fx.buyerID,
			"metadata": map[string]string{"contentId": fx.contentID, "customerId": fx.buyerID,
				"organizationId": fx.orgID, "creatorId": fx.creatorID},
		}},
	})
	return b
}

type loadConfig struct {
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	// maxRequests bounds the measured requests (0 = only the duration).
	maxRequests int64
}

// result is one scenario's measurement. Latencies are in the JSON as
// microseconds.
type result struct {
	Scenario string           `json:"scenario"`
	Requests int64            `json:"requests"`
	Errors   int64            `json:"errors"`
	Seconds  float64          `json:"seconds"`
	RPS      float64          `json:"rps"`
	MeanUS   float64          `json:"mean_us"`
	P50US    float64          `json:"p50_us"`
	P90US    float64          `json:"p90_us"`
	P99US    float64          `json:"p99_us"`
	MaxUS    float64          `json:"max_us"`
	Failures map[string]int64 `json:"failures,omitempty"`
	Note     string           `json:"note,omitempty"`

	hist *histogram
	sent int64 // requests begun, warm-up included
}

// maxFailureKinds bounds the distinct failure messages kept: a broken
// server answering with a new message per request must not grow memory.
const maxFailureKinds = 8

type failures map[string]int64

func (f failures) add(err error) {
	k := err.Error()
	if i := strings.IndexByte(k, '\n'); i >= 0 {
		k = k[:i]
	}
	if _, ok := f[k]; !ok && len(f) >= maxFailureKinds {
		k = "other"
	}
	f[k]++
}

// runScenario warms up, then measures. Both phases end by themselves at
// their deadline, at maxRequests, or when ctx ends, whichever comes first.
func runScenario(ctx context.Context, client *http.Client, sc scenario, cfg loadConfig) result {
	var seq atomic.Int64
	if cfg.warmup > 0 {
		drive(ctx, client, sc, cfg.concurrency, cfg.warmup, 0, &seq)
	}
	r := drive(ctx, client, sc, cfg.concurrency, cfg.duration, cfg.maxRequests, &seq)
	r.sent = seq.Load()
	return r
}

func drive(ctx context.Context, client *http.Client, sc scenario, conc int, d time.Duration, maxReq int64, seq *atomic.Int64) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu     sync.Mutex
		hist   = newHistogram()
		fails  = failures{}
		errs   int64
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	start := time.Now()
	for w := range conc {
		wg.Go(func() {
			h := newHistogram()
			f := failures{}
			var bad int64
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				if maxReq > 0 && issued.Add(1) > maxReq {
					break
				}
				req, err := sc.request(w, seq.Add(1)-1)
				if err != nil {
					bad++
					f.add(err)
					break // a request that cannot be built never will be
				}
				t0 := time.Now()
				err = roundTrip(client, req.WithContext(ctx), sc.check, buf)
				lat := time.Since(t0)
				// A request cut by the end of the run is not a result.
				if ctx.Err() != nil && err != nil {
					break
				}
				h.Record(lat)
				if err != nil {
					bad++
					f.add(err)
				}
			}
			mu.Lock()
			hist.Merge(h)
			errs += bad
			for k, v := range f {
				if _, ok := fails[k]; !ok && len(fails) >= maxFailureKinds {
					k = "other"
				}
				fails[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	r := result{
		Scenario: sc.name, Requests: int64(hist.Count()), Errors: errs, Seconds: elapsed.Seconds(),
		MeanUS: us(hist.Mean()), P50US: us(hist.Quantile(0.50)), P90US: us(hist.Quantile(0.90)),
		P99US: us(hist.Quantile(0.99)), MaxUS: us(hist.Max()), hist: hist,
	}
	if elapsed > 0 {
		r.RPS = float64(r.Requests) / elapsed.Seconds()
	}
	if len(fails) > 0 {
		r.Failures = fails
	}
	return r
}

// roundTrip sends req and reads the whole answer (so the connection is
// reused and the server's full work is measured); buf holds up to its size
// of the body for check.
func roundTrip(client *http.Client, req *http.Request, check func(int, []byte) error, buf []byte) error {
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	n, err := io.ReadFull(res.Body, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	return check(res.StatusCode, buf[:n])
}

// newClient returns a client with one kept-alive connection per worker,
// that never follows redirects (a redirect is an answer to measure, and
// following it could leave loopback) and, unless allowRemote, dials
// loopback only.
func newClient(conc int, timeout time.Duration, allowRemote bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowRemote {
		d.Control = loopbackOnly
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     conc,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func sortedFailures(f map[string]int64) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return f[keys[i]] > f[keys[j]] || (f[keys[i]] == f[keys[j]] && keys[i] < keys[j]) })
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s ×%d", k, f[k])
	}
	return out
}
