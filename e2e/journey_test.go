package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
)

// The journey runs on each database with each way of taking payment: the
// local test payments a fresh install uses, and Stripe (stripe-mock plus
// webhooks signed the way Stripe signs them).
const (
	inMemory   = "memory"
	onPostgres = "postgres"
	viaLocal   = "local-payments"
	viaStripe  = "stripe"
)

type variant struct{ db, pay string }

// TestJourney is the platform's whole story told over HTTP: a creator
// signs up, builds an organization, uploads and sells a video; a customer
// signs up, watches the free one, buys the paid one, is refunded and loses
// access; the creator sees the money come and go.
func TestJourney(t *testing.T) {
	requireFFmpeg(t)
	clip := makeClip(t)
	for _, db := range []string{inMemory, onPostgres} {
		for _, pay := range []string{viaLocal, viaStripe} {
			v := variant{db, pay}
			t.Run(db+"/"+pay, func(t *testing.T) {
				j := &journey{p: startPlatform(t, v), v: v, clip: clip}
				step(t, "1 creator and customer sign up and verify their email", j.signUp)
				step(t, "2 creator creates an organization", j.createOrganization)
				step(t, "3 creator uploads a clip and it is transcoded", j.uploadAndTranscode)
				step(t, "4 creator publishes free and paid content", j.publish)
				step(t, "5 customer plays the free content", j.playFree)
				if pay == viaLocal {
					step(t, "6 customer buys on the local checkout page", j.buyLocally)
				} else {
					step(t, "6 customer buys on Stripe and the signed webhook records it", j.buyOnStripe)
				}
				step(t, "7 customer plays the paid content", j.playPaid)
				step(t, "8 customer is emailed a receipt", j.receipt)
				step(t, "9 creator sees the revenue", j.revenue)
				step(t, "10 creator refunds and the customer loses access", j.refund)
			})
		}
	}
}

// step runs one chapter; the story stops at the first that fails, since
// every later one builds on it.
func step(t *testing.T, name string, fn func(*testing.T)) {
	t.Helper()
	if !t.Run(name, fn) {
		t.Fatalf("step %q failed; the journey stops there", name)
	}
}

const (
	password   = "correct-horse-42"
	priceCents = 1999
	paidTitle  = "The Full Film"
)

// person is a signed-up user with the two ways clients reach the
// platform: a browser holding the session cookie the verification link
// set, and an app holding a bearer token from signing in.
type person struct {
	id, email string
	browser   *agent
	app       *agent
}

// journey carries what one step hands to the next.
type journey struct {
	p    *platform
	v    variant
	clip []byte

	creator, customer *person
	orgID             string
	mediaID           string
	renditions        []string // named by height: "480p", "360p"
	freeID, paidID    string
	purchase          store.Purchase
	// Stripe only: what the platform sent Stripe for the checkout.
	checkoutMeta map[string]string
	chargeMeta   map[string]string
}

// ---- 1. sign-up ----

func (j *journey) signUp(t *testing.T) {
	j.creator = j.signUpOne(t, "Casey Creator", "casey@creator.example", "creator")
	j.customer = j.signUpOne(t, "Quinn Customer", "quinn@customer.example", "")
}

// signUpOne signs up over the auth surface, follows the link of the
// verification email in a browser, and signs the person's app in.
func (j *journey) signUpOne(t *testing.T, name, email, role string) *person {
	t.Helper()
	pp := &person{email: email, browser: j.p.browser()}
	body := map[string]any{"name": name, "email": email, "password": password}
	if role != "" {
		body["role"] = role // honoured: the platform runs with CreatorSignup
	}
	r := pp.browser.json(t, "POST", "/api/auth/sign-up/email", body)
	expect(t, r, http.StatusOK, "sign-up of "+email)
	var up struct {
		User store.User `json:"user"`
	}
	decode(t, r, &up)
	pp.id = up.User.ID
	wantRole := store.RoleCustomer
	if role == "creator" {
		wantRole = store.RoleCreator
	}
	if up.User.Role != wantRole || up.User.EmailVerified {
		t.Fatalf("signed up %s as %q (verified %v), want an unverified %s", email, up.User.Role, up.User.EmailVerified, wantRole)
	}

	// Mail leaves through a worker, so it is waited for, not read at once.
	m, ok := j.p.outbox.Wait(email, auth.TemplateVerification, 15*time.Second)
	if !ok {
		t.Fatalf("no %s email reached %s", auth.TemplateVerification, email)
	}
	link := emailedLink(t, m.Text, "/api/auth/verify-email")
	r = pp.browser.do(t, "GET", link, nil)
	expect(t, r, http.StatusOK, "following the verification link")

	// The link signed the browser in.
	r = pp.browser.do(t, "GET", "/api/auth/get-session", nil)
	expect(t, r, http.StatusOK, "get-session after verification")
	var sess struct {
		User *store.User `json:"user"`
	}
	decode(t, r, &sess)
	if sess.User == nil || sess.User.ID != pp.id || !sess.User.EmailVerified {
		t.Fatalf("after the verification link the browser's session is %s, want %s verified", r.body, email)
	}

	r = j.p.anonymous().json(t, "POST", "/api/auth/sign-in/email", map[string]string{"email": email, "password": password})
	expect(t, r, http.StatusOK, "sign-in of "+email)
	var in struct {
		Token string `json:"token"`
	}
	decode(t, r, &in)
	if in.Token == "" {
		t.Fatalf("sign-in returned no token: %s", r.body)
	}
	pp.app = j.p.app(in.Token)
	return pp
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// emailedLink finds the link to path in an email body.
func emailedLink(t *testing.T, body, path string) string {
	t.Helper()
	for _, raw := range linkRE.FindAllString(body, -1) {
		if u, err := url.Parse(raw); err == nil && u.Path == path {
			return raw
		}
	}
	t.Fatalf("no link to %s in the email:\n%s", path, body)
	return ""
}

// ---- 2. organization ----

func (j *journey) createOrganization(t *testing.T) {
	r := j.creator.browser.json(t, "POST", "/api/organizations", map[string]string{"name": "Test Pattern Studio", "slug": "test-pattern-studio"})
	expect(t, r, http.StatusCreated, "creating the organization")
	var o store.Organization
	data(t, r, &o)
	j.orgID = o.ID.String()

	// The creator owns it: it lists among theirs.
	r = j.creator.browser.do(t, "GET", "/api/organizations", nil)
	expect(t, r, http.StatusOK, "listing the creator's organizations")
	var list struct {
		Items []store.Organization `json:"items"`
	}
	data(t, r, &list)
	if len(list.Items) != 1 || list.Items[0].ID != o.ID {
		t.Fatalf("the creator's organizations are %s, want just the new one", r.body)
	}
}

// ---- 3. upload and transcoding ----

func (j *journey) uploadAndTranscode(t *testing.T) {
	app := j.creator.app
	r := app.json(t, "POST", "/api/media", map[string]any{
		"title": "Test pattern", "mediaType": "video", "mimeType": "video/mp4",
		"fileSizeBytes": len(j.clip), "filename": "test-pattern.mp4",
	})
	expect(t, r, http.StatusCreated, "declaring the media item")
	var m struct {
		ID     string `json:"id"`
		Upload struct {
			URL     string            `json:"url"`
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		} `json:"upload"`
	}
	data(t, r, &m)
	j.mediaID = m.ID

	// The upload target is its own credential, as a presigned URL is.
	var hdr []string
	for k, v := range m.Upload.Headers {
		hdr = append(hdr, k, v)
	}
	r = j.p.anonymous().do(t, m.Upload.Method, m.Upload.URL, bytes.NewReader(j.clip), hdr...)
	expect(t, r, http.StatusOK, "uploading the clip to the upload target")

	r = app.do(t, "POST", "/api/media/"+j.mediaID+"/upload-complete", nil)
	expect(t, r, http.StatusOK, "completing the upload")

	// Transcoding takes however long the machine needs; the deadline only
	// stops a stuck job from hanging the run.
	deadline := time.Now().Add(2 * time.Minute)
	for ; ; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("media not ready after the deadline; last status: %d %s", r.status, r.body)
		}
		r = app.do(t, "GET", "/api/transcoding/status/"+j.mediaID, nil)
		if r.status == http.StatusTooManyRequests {
			continue // polled faster than the api limit allows; keep waiting
		}
		expect(t, r, http.StatusOK, "transcoding status")
		var st struct {
			Status        string   `json:"status"`
			ReadyVariants []string `json:"readyVariants"`
		}
		data(t, r, &st)
		switch st.Status {
		case "ready":
			if len(st.ReadyVariants) == 0 {
				t.Fatalf("media is ready with no renditions: %s", r.body)
			}
			j.renditions = st.ReadyVariants
			return
		case "failed":
			t.Fatalf("transcoding failed: %s", r.body)
		}
	}
}

// ---- 4. publishing ----

func (j *journey) publish(t *testing.T) {
	j.freeID = j.publishOne(t, map[string]any{"title": "Free Sample", "slug": "free-sample"}, store.VisibilityPublic)
	j.paidID = j.publishOne(t, map[string]any{"title": paidTitle, "slug": "the-full-film", "priceCents": priceCents},
		store.VisibilityPurchasedOnly)
}

func (j *journey) publishOne(t *testing.T, body map[string]any, want store.Visibility) string {
	t.Helper()
	body["contentType"] = "video"
	body["mediaItemId"] = j.mediaID
	body["organizationId"] = j.orgID
	r := j.creator.browser.json(t, "POST", "/api/content", body)
	expect(t, r, http.StatusCreated, fmt.Sprintf("creating %q", body["title"]))
	var c store.Content
	data(t, r, &c)
	if c.Visibility != want {
		t.Fatalf("%q is %s, want %s", c.Title, c.Visibility, want)
	}
	r = j.creator.browser.do(t, "POST", "/api/content/"+c.ID.String()+"/publish", nil)
	expect(t, r, http.StatusOK, fmt.Sprintf("publishing %q", c.Title))
	data(t, r, &c)
	if c.Status != store.ContentPublished {
		t.Fatalf("%q is %s after publishing", c.Title, c.Status)
	}
	return c.ID.String()
}

// ---- 5 and 7. streaming ----

// streamingURL asks for a grant as the customer's player app.
func (j *journey) streamingURL(t *testing.T, contentID string) string {
	t.Helper()
	r := j.customer.app.do(t, "GET", "/api/access/content/"+contentID+"/stream", nil)
	expect(t, r, http.StatusOK, "asking to stream "+contentID)
	var g struct {
		StreamingURL string `json:"streamingUrl"`
	}
	data(t, r, &g)
	if !strings.HasPrefix(g.StreamingURL, j.p.url+"/") {
		t.Fatalf("streaming URL %q is not on the platform %s", g.StreamingURL, j.p.url)
	}
	return g.StreamingURL
}

// denied checks the customer may not stream the content.
func (j *journey) denied(t *testing.T, contentID string) {
	t.Helper()
	r := j.customer.app.do(t, "GET", "/api/access/content/"+contentID+"/stream", nil)
	expect(t, r, http.StatusForbidden, "streaming content not owned")
	if code := errorCode(t, r); code != "ACCESS_DENIED" {
		t.Fatalf("streaming content not owned: code %q, want ACCESS_DENIED", code)
	}
}

func (j *journey) playFree(t *testing.T) {
	play(t, j.streamingURL(t, j.freeID), j.renditions)
	j.denied(t, j.paidID) // not bought yet
}

func (j *journey) playPaid(t *testing.T) { play(t, j.streamingURL(t, j.paidID), j.renditions) }

// ---- 6. buying ----

// checkout opens a checkout for the paid content from the customer's
// browser, as the content page's Buy button does.
func (j *journey) checkout(t *testing.T) purchase.CheckoutSession {
	t.Helper()
	r := j.customer.browser.json(t, "POST", "/checkout/create", map[string]string{
		"contentId":  j.paidID,
		"successUrl": j.p.url + "/purchased?session={CHECKOUT_SESSION_ID}",
		"cancelUrl":  j.p.url + "/content/" + j.paidID,
	})
	expect(t, r, http.StatusOK, "opening the checkout")
	var s purchase.CheckoutSession
	data(t, r, &s)
	if s.SessionID == "" || s.SessionURL == "" {
		t.Fatalf("checkout without session: %s", r.body)
	}
	return s
}

var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// buyLocally pays on the checkout page the platform itself serves when no
// payment provider is configured: the page, then its form's post.
func (j *journey) buyLocally(t *testing.T) {
	s := j.checkout(t)
	if !strings.HasPrefix(s.SessionURL, j.p.url+"/checkout/local/") {
		t.Fatalf("local checkout URL %q is not the platform's own page", s.SessionURL)
	}
	b := j.customer.browser
	r := b.do(t, "GET", s.SessionURL, nil)
	expect(t, r, http.StatusOK, "loading the checkout page")
	page := string(r.body)
	if !strings.Contains(page, paidTitle) || !strings.Contains(page, "Pay $19.99") {
		t.Fatalf("the checkout page does not offer %q for $19.99:\n%s", paidTitle, page)
	}
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no payment form on the checkout page:\n%s", page)
	}
	r = b.do(t, "POST", html.UnescapeString(m[1]), strings.NewReader(""), "Content-Type", "application/x-www-form-urlencoded")
	expect(t, r, http.StatusSeeOther, "paying on the checkout page")
	if want := j.p.url + "/purchased?session=" + url.QueryEscape(s.SessionID); r.header.Get("Location") != want {
		t.Fatalf("after paying the browser goes to %q, want %q", r.header.Get("Location"), want)
	}
	j.findPurchase(t)
}

// buyOnStripe opens a real Stripe checkout session (on stripe-mock), then
// plays Stripe's part once the buyer has paid: a checkout.session.completed
// event carrying what the platform put on the session, signed with the
// booking endpoint's secret.
func (j *journey) buyOnStripe(t *testing.T) {
	s := j.checkout(t)
	if !strings.HasPrefix(s.SessionID, "cs_") {
		t.Fatalf("Stripe session id %q", s.SessionID)
	}
	sent := j.p.stripe.last(t, "POST", "/v1/checkout/sessions").form
	j.checkoutMeta = metadata(sent, "metadata")
	j.chargeMeta = metadata(sent, "payment_intent_data[metadata]")
	for k, want := range map[string]string{
		purchase.MetaContentID: j.paidID, purchase.MetaCustomerID: j.customer.id,
		purchase.MetaOrganizationID: j.orgID, purchase.MetaCreatorID: j.creator.id,
	} {
		if j.checkoutMeta[k] != want || j.chargeMeta[k] != want {
			t.Fatalf("checkout metadata %s = %q (payment intent %q), want %q", k, j.checkoutMeta[k], j.chargeMeta[k], want)
		}
	}
	amount, err := strconv.Atoi(sent.Get("line_items[0][price_data][unit_amount]"))
	if err != nil || amount != priceCents {
		t.Fatalf("the checkout charges %q cents, want %d", sent.Get("line_items[0][price_data][unit_amount]"), priceCents)
	}

	pi := "pi_e2e_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	j.deliver(t, "booking", bookingSecret, "checkout.session.completed", map[string]any{
		"id": s.SessionID, "object": "checkout.session", "mode": "payment", "status": "complete",
		"payment_status": "paid", "payment_intent": pi, "amount_total": amount,
		"currency":            sent.Get("line_items[0][price_data][currency]"),
		"client_reference_id": sent.Get("client_reference_id"),
		"metadata":            j.checkoutMeta,
	})
	j.findPurchase(t)
	if j.purchase.StripePaymentIntentID != pi {
		t.Fatalf("purchase is keyed on %q, want the paid intent %q", j.purchase.StripePaymentIntentID, pi)
	}
}

// deliver posts a Stripe event to a webhook endpoint, signed as Stripe
// signs it, and expects it to be accepted.
func (j *journey) deliver(t *testing.T, endpoint, secret, typ string, object map[string]any) {
	t.Helper()
	now := time.Now()
	payload, err := json.Marshal(map[string]any{
		"id": "evt_e2e_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16], "object": "event", "type": typ,
		// What an endpoint pinned to a newer API version than stripe-go's receives.
		"api_version": "2025-10-29.clover", "created": now.Unix(), "livemode": false,
		"data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: now})
	r := j.p.anonymous().do(t, "POST", "/webhooks/stripe/"+endpoint, strings.NewReader(string(payload)),
		"Content-Type", "application/json", "Stripe-Signature", sig.Header)
	expect(t, r, http.StatusOK, typ+" delivered to /webhooks/stripe/"+endpoint)
}

// findPurchase reads the purchase from the customer's history.
func (j *journey) findPurchase(t *testing.T) {
	t.Helper()
	r := j.customer.app.do(t, "GET", "/purchases?contentId="+j.paidID, nil)
	expect(t, r, http.StatusOK, "the customer's purchase history")
	var list struct {
		Items []store.Purchase `json:"items"`
	}
	data(t, r, &list)
	if len(list.Items) != 1 {
		t.Fatalf("the customer has %d purchases of the paid content, want 1: %s", len(list.Items), r.body)
	}
	p := list.Items[0]
	if p.Status != store.PurchaseCompleted || p.AmountPaidCents != priceCents || p.CustomerID != j.customer.id || p.OrganizationID.String() != j.orgID {
		t.Fatalf("purchase is %s %d cents by %s in %s; want completed %d cents by %s in %s",
			p.Status, p.AmountPaidCents, p.CustomerID, p.OrganizationID, priceCents, j.customer.id, j.orgID)
	}
	j.purchase = p
}

// ---- 8. receipt ----

func (j *journey) receipt(t *testing.T) {
	m, ok := j.p.outbox.Wait(j.customer.email, notify.TemplatePurchaseReceipt, 15*time.Second)
	if !ok {
		t.Fatalf("no %s email reached %s", notify.TemplatePurchaseReceipt, j.customer.email)
	}
	for _, want := range []string{paidTitle, "$19.99", j.p.url + "/content/" + j.paidID} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the receipt does not mention %q:\n%s", want, m.Text)
		}
	}
}

// ---- 9. revenue ----

type revenue struct {
	TotalRevenueCents    int64 `json:"totalRevenueCents"`
	TotalPurchases       int64 `json:"totalPurchases"`
	PlatformFeeCents     int64 `json:"platformFeeCents"`
	OrganizationFeeCents int64 `json:"organizationFeeCents"`
	CreatorPayoutCents   int64 `json:"creatorPayoutCents"`
}

// orgRevenue is the creator's back-office view of their organization.
func (j *journey) orgRevenue(t *testing.T) revenue {
	t.Helper()
	r := j.creator.browser.do(t, "GET", "/api/admin/analytics/revenue?organizationId="+j.orgID, nil)
	expect(t, r, http.StatusOK, "the organization's revenue")
	var rev revenue
	data(t, r, &rev)
	return rev
}

func (j *journey) revenue(t *testing.T) {
	// No agreements were made, so the platform's default fee applies and
	// the organization takes nothing; the split is the platform's own rule.
	split, err := purchase.CalculateSplit(priceCents, store.DefaultPlatformFeeBps, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := revenue{TotalRevenueCents: priceCents, TotalPurchases: 1, PlatformFeeCents: split.PlatformFeeCents,
		OrganizationFeeCents: split.OrganizationFeeCents, CreatorPayoutCents: split.CreatorPayoutCents}
	if got := j.orgRevenue(t); got != want {
		t.Fatalf("revenue %+v, want %+v", got, want)
	}
	p := j.purchase
	if int64(p.PlatformFeeCents) != split.PlatformFeeCents || int64(p.OrganizationFeeCents) != split.OrganizationFeeCents ||
		int64(p.CreatorPayoutCents) != split.CreatorPayoutCents {
		t.Fatalf("the purchase splits %d/%d/%d, want %+v", p.PlatformFeeCents, p.OrganizationFeeCents, p.CreatorPayoutCents, split)
	}
}

// ---- 10. refund ----

func (j *journey) refund(t *testing.T) {
	id := j.purchase.ID.String()
	r := j.creator.browser.do(t, "POST", "/purchases/"+id+"/refund", nil)
	expect(t, r, http.StatusOK, "refunding the purchase")
	var p store.Purchase
	data(t, r, &p)

	if j.v.pay == viaStripe {
		// Stripe refunds asynchronously: the purchase changes when the
		// charge.refunded event arrives, not when the refund is asked for.
		if p.Status != store.PurchaseCompleted {
			t.Fatalf("purchase is %s before Stripe reported the refund, want completed", p.Status)
		}
		call := j.p.stripe.last(t, "POST", "/v1/refunds")
		if call.form.Get("payment_intent") != j.purchase.StripePaymentIntentID || call.form.Get("amount") != strconv.Itoa(priceCents) {
			t.Fatalf("the platform asked Stripe to refund %s of %s, want %d of %s",
				call.form.Get("amount"), call.form.Get("payment_intent"), priceCents, j.purchase.StripePaymentIntentID)
		}
		refundID, _ := call.answer["id"].(string)
		if !strings.HasPrefix(refundID, "re_") {
			t.Fatalf("Stripe answered the refund with %v", call.answer)
		}
		j.deliver(t, "payment", paymentSecret, "charge.refunded", map[string]any{
			"id": "ch_e2e_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16], "object": "charge",
			"payment_intent": j.purchase.StripePaymentIntentID, "amount": priceCents, "amount_refunded": priceCents,
			"refunded": true, "currency": j.purchase.Currency, "metadata": j.chargeMeta,
			"refunds": map[string]any{"object": "list", "data": []any{map[string]any{
				"id": refundID, "object": "refund", "amount": priceCents, "created": time.Now().Unix(),
				"reason": purchase.RefundReasonRequested, "status": "succeeded",
			}}},
		})
		r = j.customer.app.do(t, "GET", "/purchases/"+id, nil)
		expect(t, r, http.StatusOK, "the customer's purchase after the refund")
		data(t, r, &p)
	}
	if p.Status != store.PurchaseRefunded || p.RefundAmountCents == nil || *p.RefundAmountCents != priceCents {
		t.Fatalf("after the refund the purchase is %s with %v refunded, want refunded in full", p.Status, p.RefundAmountCents)
	}

	j.denied(t, j.paidID)
	if got := j.orgRevenue(t); got != (revenue{}) {
		t.Fatalf("revenue after the refund is %+v, want nothing: refunded purchases do not count", got)
	}
}
