package stripe_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/purchase"
	stripepay "github.com/codexforgo/codex/purchase/stripe"
)

// stripeMock starts the stripe-mock binary (from PATH or GOPATH/bin) on a
// free local port and returns its base URL.
func stripeMock(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
				gopath = strings.TrimSpace(string(out))
			}
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			msg := "stripe-mock not found (go install github.com/stripe/stripe-mock@v0.203.0)"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not start")
		return ""
	}
}

// recorder keeps the requests the client sends.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	path   string
	header http.Header
	form   url.Values
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.URL.Path, req.Header.Clone(), form})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) last() recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

func checkoutRequest() purchase.CheckoutRequest {
	return purchase.CheckoutRequest{
		ContentID:      uuid.New(),
		CustomerID:     "user123",
		OrganizationID: uuid.New(),
		CreatorID:      "creator456",
		Title:          "Film",
		Description:    "A film",
		ImageURL:       "https://img.example/f.jpg",
		AmountCents:    2999,
		Currency:       "usd",
		SuccessURL:     "https://app.example.com/ok",
		CancelURL:      "https://app.example.com/no",
		IdempotencyKey: "codex-checkout-test-" + uuid.NewString(),
	}
}

func TestCheckoutOnStripeMock(t *testing.T) {
	is := is.New(t)
	rec := &recorder{}
	c, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", APIBase: stripeMock(t), HTTPClient: &http.Client{Transport: rec}})
	is.NoErr(err)
	r := checkoutRequest()
	s, err := c.CreateCheckout(context.Background(), r)
	is.NoErr(err)
	is.True(strings.HasPrefix(s.SessionID, "cs_"))
	is.True(s.SessionURL != "")

	sent := rec.last()
	is.Equal(sent.path, "/v1/checkout/sessions")
	is.Equal(sent.header.Get("Idempotency-Key"), r.IdempotencyKey)
	want := map[string]string{
		"mode":                                                 "payment",
		"payment_method_types[0]":                              "card",
		"line_items[0][price_data][currency]":                  "usd",
		"line_items[0][price_data][unit_amount]":               "2999",
		"line_items[0][price_data][product_data][name]":        "Film",
		"line_items[0][price_data][product_data][description]": "A film",
		"line_items[0][price_data][product_data][images][0]":   "https://img.example/f.jpg",
		"line_items[0][quantity]":                              "1",
		"success_url":                                          r.SuccessURL,
		"cancel_url":                                           r.CancelURL,
		"client_reference_id":                                  "user123",
		"metadata[contentId]":                                  r.ContentID.String(),
		"metadata[customerId]":                                 "user123",
		"metadata[organizationId]":                             r.OrganizationID.String(),
		"metadata[creatorId]":                                  "creator456",
		"payment_intent_data[metadata][contentId]":             r.ContentID.String(),
	}
	for k, v := range want {
		if got := sent.form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// Optional product fields are left out when empty.
	r.Description, r.ImageURL = "", ""
	_, err = c.CreateCheckout(context.Background(), r)
	is.NoErr(err)
	is.Equal(rec.last().form.Has("line_items[0][price_data][product_data][description]"), false)
	is.Equal(rec.last().form.Has("line_items[0][price_data][product_data][images][0]"), false)
}

func TestRefundOnStripeMock(t *testing.T) {
	is := is.New(t)
	rec := &recorder{}
	c, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", APIBase: stripeMock(t), HTTPClient: &http.Client{Transport: rec}})
	is.NoErr(err)
	res, err := c.Refund(context.Background(), purchase.RefundRequest{PaymentIntentID: "pi_123", AmountCents: 500,
		Reason: purchase.RefundReasonRequested, IdempotencyKey: "codex-refund-x"})
	is.NoErr(err)
	is.True(strings.HasPrefix(res.RefundID, "re_"))
	is.Equal(res.Event, nil) // the state changes when the webhook arrives
	sent := rec.last()
	is.Equal(sent.path, "/v1/refunds")
	is.Equal(sent.form.Get("payment_intent"), "pi_123")
	is.Equal(sent.form.Get("amount"), "500")
	is.Equal(sent.form.Get("reason"), "requested_by_customer")
	is.Equal(sent.header.Get("Idempotency-Key"), "codex-refund-x")
}

func TestStripeFailuresAreClassified(t *testing.T) {
	is := is.New(t)
	base := stripeMock(t)
	c, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", APIBase: base})
	is.NoErr(err)
	// stripe-mock refuses an unknown parameter value: our request is wrong.
	_, err = c.Refund(context.Background(), purchase.RefundRequest{PaymentIntentID: "pi_1", AmountCents: 1, Reason: "because"})
	is.True(errors.Is(err, fault.Internal))
	is.Equal(fault.From(err).Code, purchase.CodePaymentProcessing)

	// Nobody listening: a transient failure, 503.
	down, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", APIBase: "http://127.0.0.1:1", MaxNetworkRetries: 1})
	is.NoErr(err)
	_, err = down.CreateCheckout(context.Background(), checkoutRequest())
	is.True(errors.Is(err, fault.Unavailable))
	is.Equal(fault.From(err).Code, purchase.CodePaymentProcessing)

	_, err = stripepay.New(stripepay.Config{})
	is.True(err != nil)
	_, err = stripepay.New(stripepay.Config{SecretKey: "sk", APIBase: "not a url"})
	is.True(err != nil)
}

// signed builds a Stripe event around object and signs it.
func signed(t *testing.T, secret, typ string, object any, at time.Time) ([]byte, string) {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"id": "evt_" + uuid.NewString()[:8], "object": "event", "type": typ,
		// Endpoints may be pinned to a newer API version than stripe-go's.
		"api_version": "2025-10-29.clover", "created": at.Unix(), "livemode": false,
		"data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	return payload, sp.Header
}

func session(meta map[string]string) map[string]any {
	return map[string]any{
		"id": "cs_test_1", "object": "checkout.session", "payment_intent": "pi_test_1", "payment_status": "paid",
		"amount_total": 2999, "currency": "usd", "client_reference_id": "user123", "metadata": meta,
	}
}

func TestVerifier(t *testing.T) {
	is := is.New(t)
	v := stripepay.NewVerifier(map[purchase.Endpoint]string{
		purchase.EndpointBooking: "whsec_booking",
		purchase.EndpointPayment: "whsec_payment",
	}, 0)
	is.Equal(v.Configured(), []purchase.Endpoint{purchase.EndpointBooking, purchase.EndpointPayment})
	now := time.Now()
	meta := map[string]string{"contentId": uuid.NewString(), "customerId": "user123"}

	payload, sig := signed(t, "whsec_booking", "checkout.session.completed", session(meta), now)
	ev, err := v.Verify(purchase.EndpointBooking, payload, sig)
	is.NoErr(err)
	is.Equal(ev.Type, purchase.EventCheckoutCompleted)
	is.Equal(ev.Session.PaymentIntentID, "pi_test_1")
	is.Equal(ev.Session.PaymentStatus, "paid")
	is.Equal(*ev.Session.AmountTotal, int64(2999))
	is.Equal(ev.Session.Metadata, meta)
	is.Equal(ev.Session.ClientReferenceID, "user123")

	// Each endpoint has its own secret.
	_, err = v.Verify(purchase.EndpointPayment, payload, sig)
	is.True(errors.Is(err, fault.Unauthenticated))
	// Unconfigured endpoint: a server misconfiguration, 500 with a clear code.
	_, err = v.Verify(purchase.EndpointDispute, payload, sig)
	is.Equal(fault.From(err).Code, "WEBHOOK_SECRET_NOT_CONFIGURED")
	is.Equal(fault.KindOf(err).Status(), 500)
	// Missing, forged, tampered and stale.
	_, err = v.Verify(purchase.EndpointBooking, payload, "")
	is.Equal(fault.KindOf(err).Status(), 400)
	_, forged := signed(t, "whsec_other", "checkout.session.completed", session(meta), now)
	_, err = v.Verify(purchase.EndpointBooking, payload, forged)
	is.Equal(fault.From(err).Code, "INVALID_SIGNATURE")
	_, err = v.Verify(purchase.EndpointBooking, bytes.Replace(payload, []byte("2999"), []byte("0001"), 1), sig)
	is.Equal(fault.From(err).Code, "INVALID_SIGNATURE")
	stale, staleSig := signed(t, "whsec_booking", "checkout.session.completed", session(meta), now.Add(-10*time.Minute))
	_, err = v.Verify(purchase.EndpointBooking, stale, staleSig)
	is.Equal(fault.From(err).Code, "INVALID_SIGNATURE")
	_, err = v.Verify(purchase.EndpointBooking, payload, "garbage")
	is.Equal(fault.From(err).Code, "INVALID_SIGNATURE")

	// A null amount stays unknown rather than becoming free.
	obj := session(meta)
	obj["amount_total"] = nil
	payload, sig = signed(t, "whsec_booking", "checkout.session.completed", obj, now)
	ev, err = v.Verify(purchase.EndpointBooking, payload, sig)
	is.NoErr(err)
	is.Equal(ev.Session.AmountTotal, nil)

	// An expanded payment intent reads the same.
	obj = session(meta)
	obj["payment_intent"] = map[string]any{"id": "pi_expanded", "object": "payment_intent"}
	payload, sig = signed(t, "whsec_booking", "checkout.session.completed", obj, now)
	ev, err = v.Verify(purchase.EndpointBooking, payload, sig)
	is.NoErr(err)
	is.Equal(ev.Session.PaymentIntentID, "pi_expanded")

	// Authentic but malformed: 400, not a purchase.
	obj = session(meta)
	obj["amount_total"] = "lots"
	payload, sig = signed(t, "whsec_booking", "checkout.session.completed", obj, now)
	_, err = v.Verify(purchase.EndpointBooking, payload, sig)
	is.Equal(fault.From(err).Code, purchase.CodeMalformedEvent)

	// Refunds and disputes.
	payload, sig = signed(t, "whsec_payment", "charge.refunded", map[string]any{
		"id": "ch_1", "object": "charge", "payment_intent": "pi_test_1", "amount": 2999, "amount_refunded": 1000,
		"refunded": false, "currency": "usd", "metadata": meta,
		"refunds": map[string]any{"object": "list", "data": []any{
			map[string]any{"id": "re_old", "object": "refund", "created": 1, "reason": "duplicate"},
			map[string]any{"id": "re_new", "object": "refund", "created": 2, "reason": "requested_by_customer"},
		}},
	}, now)
	ev, err = v.Verify(purchase.EndpointPayment, payload, sig)
	is.NoErr(err)
	is.Equal(*ev.Charge, purchase.Charge{ID: "ch_1", PaymentIntentID: "pi_test_1", Currency: "usd", Amount: 2999,
		AmountRefunded: 1000, RefundID: "re_new", RefundReason: "requested_by_customer", Metadata: meta})

	vd := stripepay.NewVerifier(map[purchase.Endpoint]string{purchase.EndpointDispute: "whsec_dispute"}, time.Minute)
	payload, sig = signed(t, "whsec_dispute", "charge.dispute.closed", map[string]any{
		"id": "dp_1", "object": "dispute", "charge": "ch_1", "payment_intent": "pi_test_1", "status": "lost",
		"reason": "fraudulent", "amount": 2999, "currency": "usd",
	}, now)
	ev, err = vd.Verify(purchase.EndpointDispute, payload, sig)
	is.NoErr(err)
	is.Equal(*ev.Dispute, purchase.Dispute{ID: "dp_1", ChargeID: "ch_1", PaymentIntentID: "pi_test_1", Status: "lost",
		Reason: "fraudulent", Amount: 2999, Currency: "usd"})
	// The shorter tolerance applies.
	payload, sig = signed(t, "whsec_dispute", "charge.dispute.closed", map[string]any{"id": "dp_2"}, now.Add(-2*time.Minute))
	_, err = vd.Verify(purchase.EndpointDispute, payload, sig)
	is.Equal(fault.From(err).Code, "INVALID_SIGNATURE")

	// Other types keep only id and type.
	payload, sig = signed(t, "whsec_payment", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}, now)
	ev, err = v.Verify(purchase.EndpointPayment, payload, sig)
	is.NoErr(err)
	is.Equal(ev.Type, "customer.created")
	is.True(ev.Session == nil && ev.Charge == nil && ev.Dispute == nil)
}
