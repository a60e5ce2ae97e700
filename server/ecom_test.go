package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

var testWebhookSecrets = map[string]string{"booking": "whsec_booking", "payment": "whsec_payment", "dispute": "whsec_dispute"}

type ecomEnv struct {
	*testEnv
	h                      http.Handler
	custTok, creatorTok    string
	mgrTok                 string
	customer, creator, mgr *store.User
	org                    *store.Organization
	content                *store.Content
}

func newEcomEnv(t *testing.T) *ecomEnv {
	t.Helper()
	e := &ecomEnv{testEnv: newEnv(t, codex.Config{StripeWebhookSecrets: testWebhookSecrets})}
	e.h = e.srv.Handler()
	e.custTok, e.customer = e.user(t, "buyer@example.com", store.RoleCustomer)
	e.creatorTok, e.creator = e.user(t, "creator@example.com", store.RoleCreator)
	e.mgrTok, e.mgr = e.user(t, "manager@example.com", store.RoleCreator)
	ctx := context.Background()
	e.org = &store.Organization{Name: "Studio", Slug: "studio"}
	if err := e.c.Store().Organizations().Create(ctx, e.org); err != nil {
		t.Fatal(err)
	}
	for u, role := range map[string]store.MembershipRole{e.creator.ID: store.MemberCreator, e.mgr.ID: store.MemberAdmin} {
		if err := e.c.Store().Memberships().Create(ctx, &store.Membership{OrganizationID: e.org.ID, UserID: u, Role: role, Status: store.MembershipActive}); err != nil {
			t.Fatal(err)
		}
	}
	e.content = e.item(t, func(*store.Content) {})
	return e
}

func intPtr(v int) *int { return &v }

// item creates published, public content of the org at $29.99.
func (e *ecomEnv) item(t *testing.T, mod func(*store.Content)) *store.Content {
	t.Helper()
	body := "text"
	thumb := "https://img.example/film.jpg"
	now := time.Now()
	c := &store.Content{
		CreatorID: e.creator.ID, OrganizationID: &e.org.ID, Title: "Film " + uuid.NewString()[:6],
		Slug: "film-" + uuid.NewString()[:8], ContentType: store.ContentWritten, ContentBody: &body, ThumbnailURL: &thumb,
		Visibility: store.VisibilityPublic, Status: store.ContentPublished, PriceCents: intPtr(2999), PublishedAt: &now,
	}
	mod(c)
	if err := e.c.Store().Content().Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *ecomEnv) checkout(t *testing.T, tok string, contentID uuid.UUID, success string) response {
	t.Helper()
	return do(t, e.h, "POST", "/checkout/create", jsonBody(map[string]any{
		"contentId": contentID, "successUrl": success, "cancelUrl": "http://localhost:8080/cancel",
	}), append(bearer(tok), "Content-Type", "application/json")...)
}

// canWatch is the platform's access decision for the token's user.
func (e *ecomEnv) canWatch(t *testing.T, tok string, contentID uuid.UUID) bool {
	t.Helper()
	a, err := e.c.Auth().Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Access().Check(context.Background(), a, contentID)
	if err != nil && fault.KindOf(err) != fault.Forbidden {
		t.Fatal(err)
	}
	return err == nil
}

func (e *ecomEnv) purchaseCount(t *testing.T) int {
	t.Helper()
	l, err := e.c.Store().Purchases().List(context.Background(), store.PurchaseFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Total
}

// stripeEvent signs an event the way Stripe does for the endpoint's secret.
func stripeEvent(t *testing.T, secret, typ string, object any, at time.Time) (string, []string) {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"id": "evt_" + uuid.NewString()[:12], "object": "event", "type": typ, "api_version": "2025-10-29.clover",
		"created": at.Unix(), "data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	return string(payload), []string{"Stripe-Signature", sp.Header, "Content-Type", "application/json"}
}

func TestPurchaseJourneyOverHTTP(t *testing.T) {
	is := is.New(t)
	e := newEcomEnv(t)

	res := do(t, e.h, "POST", "/checkout/create", jsonBody(map[string]any{"contentId": "x"}), "Content-Type", "application/json")
	is.Equal(res.StatusCode, 401) // authentication before validation
	is.True(!e.canWatch(t, e.custTok, e.content.ID))

	res = e.checkout(t, e.custTok, e.content.ID, "http://localhost:8080/thanks?session={CHECKOUT_SESSION_ID}")
	is.Equal(res.StatusCode, 200)
	is.Equal(res.Header.Get("X-RateLimit-Limit"), "20") // strict
	data := res.json(t)["data"].(map[string]any)
	sessionID := data["sessionId"].(string)
	is.True(strings.HasPrefix(sessionID, "cs_local_"))
	is.Equal(data["sessionUrl"], "http://localhost:8080/checkout/local/"+sessionID)

	// The checkout page, for its customer only.
	page := "/checkout/local/" + sessionID
	res = do(t, e.h, "GET", page, nil, bearer(e.custTok)...)
	is.Equal(res.StatusCode, 200)
	is.Equal(res.Header.Get("Content-Type"), "text/html; charset=utf-8")
	csp := res.Header.Get("Content-Security-Policy")
	is.True(strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-"))
	is.True(strings.Contains(csp, "form-action 'self'"))
	is.True(strings.Contains(string(res.body), e.content.Title))
	is.True(strings.Contains(string(res.body), "Pay $29.99"))
	is.True(strings.Contains(string(res.body), `action="`+page+`/complete"`))
	is.Equal(do(t, e.h, "GET", page, nil, bearer(e.creatorTok)...).StatusCode, 404)
	is.Equal(do(t, e.h, "GET", page, nil).StatusCode, 401)
	is.Equal(do(t, e.h, "POST", page+"/complete", nil, bearer(e.creatorTok)...).StatusCode, 404)

	// A cross-site form post riding on the cookie is refused.
	cookie := []string{"Cookie", SessionCookie + "=" + e.custTok, "Content-Type", "application/x-www-form-urlencoded"}
	res = do(t, e.h, "POST", page+"/complete", strings.NewReader(""), append(cookie, "Origin", "https://evil.example")...)
	is.Equal(res.StatusCode, 403)
	is.Equal(e.purchaseCount(t), 0)

	// Paying, ten times at once: one purchase.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	statuses := make([]int, 10)
	for i := range 10 {
		wg.Go(func() {
			r := do(t, e.h, "POST", page+"/complete", nil, bearer(e.custTok)...)
			statuses[i] = r.StatusCode
			if r.StatusCode == 200 {
				var b struct {
					Data struct {
						Purchase    store.Purchase `json:"purchase"`
						RedirectURL string         `json:"redirectUrl"`
					} `json:"data"`
				}
				_ = json.Unmarshal(r.body, &b)
				ids[i] = b.Data.Purchase.ID.String()
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		is.Equal(statuses[i], 200)
		is.Equal(ids[i], ids[0])
	}
	is.Equal(e.purchaseCount(t), 1)
	is.True(e.canWatch(t, e.custTok, e.content.ID))
	// One receipt, through the notification service.
	mails, err := e.c.Store().EmailLog().List(context.Background(),
		store.EmailLogFilter{RecipientEmail: "buyer@example.com", TemplateName: "purchase-receipt"}, store.Page{})
	is.NoErr(err)
	is.Equal(mails.Total, 1)

	// The browser's own form post is sent on to the success URL.
	res = do(t, e.h, "POST", page+"/complete", strings.NewReader(""), append(cookie, "Origin", "http://localhost:8080")...)
	is.Equal(res.StatusCode, 303)
	is.Equal(res.Header.Get("Location"), "http://localhost:8080/thanks?session="+sessionID)
	is.Equal(e.purchaseCount(t), 1)

	// History.
	res = do(t, e.h, "GET", "/purchases", nil, bearer(e.custTok)...)
	is.Equal(res.StatusCode, 200)
	list := res.json(t)["data"].(map[string]any)
	items := list["items"].([]any)
	is.Equal(len(items), 1)
	item := items[0].(map[string]any)
	is.Equal(item["id"], ids[0])
	is.Equal(item["status"], "completed")
	is.Equal(item["amountPaidCents"], 2999.0)
	is.Equal(item["platformFeeCents"], 300.0)
	is.Equal(item["creatorPayoutCents"], 2699.0)
	is.Equal(item["content"], map[string]any{"id": e.content.ID.String(), "title": e.content.Title, "slug": e.content.Slug,
		"thumbnailUrl": "https://img.example/film.jpg", "contentType": "written"})
	is.Equal(list["pagination"], map[string]any{"page": 1.0, "limit": 20.0, "total": 1.0, "totalPages": 1.0})
	res = do(t, e.h, "GET", "/purchases?page=999", nil, bearer(e.custTok)...)
	is.Equal(len(res.json(t)["data"].(map[string]any)["items"].([]any)), 0)
	res = do(t, e.h, "GET", "/purchases?status=refunded&contentId="+e.content.ID.String(), nil, bearer(e.custTok)...)
	is.Equal(res.json(t)["data"].(map[string]any)["pagination"].(map[string]any)["total"], 0.0)
	res = do(t, e.h, "GET", "/purchases?status=invalid_status&contentId=nope&limit=0", nil, bearer(e.custTok)...)
	is.Equal(res.StatusCode, 400)
	is.Equal(len(res.fields(t)), 3)
	is.Equal(do(t, e.h, "GET", "/purchases", nil).StatusCode, 401)

	res = do(t, e.h, "GET", "/purchases/"+ids[0], nil, bearer(e.custTok)...)
	is.Equal(res.StatusCode, 200)
	is.Equal(res.json(t)["data"].(map[string]any)["stripePaymentIntentId"].(string)[:9], "pi_local_")
	res = do(t, e.h, "GET", "/purchases/"+ids[0], nil, bearer(e.creatorTok)...)
	is.Equal(res.StatusCode, 404) // not 403: ids of others' purchases are not confirmed
	is.Equal(res.errorBody(t)["code"], "PURCHASE_NOT_FOUND")
	is.Equal(do(t, e.h, "GET", "/purchases/not-a-uuid", nil, bearer(e.custTok)...).StatusCode, 400)

	// Owned now.
	res = e.checkout(t, e.custTok, e.content.ID, "http://localhost:8080/thanks")
	is.Equal(res.StatusCode, 409)
	is.Equal(res.errorBody(t)["code"], "ALREADY_PURCHASED")

	// A signed refund event for the payment takes the access away.
	p, err := e.c.Store().Purchases().Get(context.Background(), uuid.MustParse(ids[0]))
	is.NoErr(err)
	body, hdr := stripeEvent(t, "whsec_payment", "charge.refunded", map[string]any{
		"id": "ch_1", "object": "charge", "payment_intent": p.StripePaymentIntentID, "amount": 2999,
		"amount_refunded": 2999, "refunded": true, "currency": "usd",
	}, time.Now())
	res = do(t, e.h, "POST", "/webhooks/stripe/payment", strings.NewReader(body), hdr...)
	is.Equal(res.StatusCode, 200)
	is.Equal(string(res.body), "{\"received\":true}\n")
	is.True(!e.canWatch(t, e.custTok, e.content.ID))
	res = do(t, e.h, "GET", "/purchases/"+ids[0], nil, bearer(e.custTok)...)
	is.Equal(res.json(t)["data"].(map[string]any)["status"], "refunded")

	// And it can be bought again.
	res = e.checkout(t, e.custTok, e.content.ID, "http://localhost:8080/thanks")
	is.Equal(res.StatusCode, 200)
}

func TestRefundOverHTTP(t *testing.T) {
	is := is.New(t)
	e := newEcomEnv(t)
	res := e.checkout(t, e.custTok, e.content.ID, "http://localhost:8080/thanks")
	is.Equal(res.StatusCode, 200)
	sid := res.json(t)["data"].(map[string]any)["sessionId"].(string)
	res = do(t, e.h, "POST", "/checkout/local/"+sid+"/complete", nil, bearer(e.custTok)...)
	is.Equal(res.StatusCode, 200)
	id := res.json(t)["data"].(map[string]any)["purchase"].(map[string]any)["id"].(string)
	path := "/purchases/" + id + "/refund"

	is.Equal(do(t, e.h, "POST", path, nil, bearer(e.custTok)...).StatusCode, 403)
	is.Equal(do(t, e.h, "POST", path, nil, bearer(e.creatorTok)...).StatusCode, 403) // a member, not a manager
	res = do(t, e.h, "POST", path, jsonBody(map[string]any{"amountCents": 5000}), append(bearer(e.mgrTok), "Content-Type", "application/json")...)
	is.Equal(res.StatusCode, 422)
	res = do(t, e.h, "POST", path, jsonBody(map[string]any{"amountCents": 999}), append(bearer(e.mgrTok), "Content-Type", "application/json")...)
	is.Equal(res.StatusCode, 200)
	got := res.json(t)["data"].(map[string]any)
	is.Equal(got["status"], "completed")
	is.Equal(got["refundAmountCents"], 999.0)
	is.True(e.canWatch(t, e.custTok, e.content.ID)) // partial: kept

	res = do(t, e.h, "POST", path, nil, bearer(e.mgrTok)...)
	is.Equal(res.StatusCode, 200)
	got = res.json(t)["data"].(map[string]any)
	is.Equal(got["status"], "refunded")
	is.Equal(got["refundAmountCents"], 2999.0)
	is.True(!e.canWatch(t, e.custTok, e.content.ID))
	is.Equal(do(t, e.h, "POST", path, nil, bearer(e.mgrTok)...).StatusCode, 409)
}

func TestCheckoutBadInputOverHTTP(t *testing.T) {
	e := newEcomEnv(t)
	draft := e.item(t, func(c *store.Content) { c.Status, c.PublishedAt = store.ContentDraft, nil })
	free := e.item(t, func(c *store.Content) { c.PriceCents = intPtr(0) })
	closed := &store.Organization{Name: "Closed", Slug: "closed"}
	if err := e.c.Store().Organizations().Create(context.Background(), closed); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Store().OrgSettings().UpdateFeatures(context.Background(), closed.ID, store.FeaturesPatch{EnablePurchases: store.Some(false)}); err != nil {
		t.Fatal(err)
	}
	disabled := e.item(t, func(c *store.Content) { c.OrganizationID = &closed.ID })
	ok := "http://localhost:8080/thanks"

	for _, c := range []struct {
		name    string
		tok     string
		id      uuid.UUID
		success string
		status  int
		code    string
		reason  string
	}{
		{"unpublished", e.custTok, draft.ID, ok, 422, "CONTENT_NOT_PURCHASABLE", "not_published"},
		{"free", e.custTok, free.ID, ok, 422, "CONTENT_NOT_PURCHASABLE", "free"},
		{"missing", e.custTok, uuid.New(), ok, 422, "CONTENT_NOT_PURCHASABLE", "not_found"},
		{"own", e.creatorTok, e.content.ID, ok, 422, "CANNOT_BUY_OWN_CONTENT", ""},
		{"disabled", e.custTok, disabled.ID, ok, 422, "PURCHASES_DISABLED", ""},
		{"foreign redirect", e.custTok, e.content.ID, "https://evil.example/thanks", 400, "VALIDATION_ERROR", ""},
		{"lookalike redirect", e.custTok, e.content.ID, "http://localhost:8080.evil.example/", 400, "VALIDATION_ERROR", ""},
		{"other port", e.custTok, e.content.ID, "http://localhost:9999/thanks", 400, "VALIDATION_ERROR", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			is := is.New(t)
			res := e.checkout(t, c.tok, c.id, c.success)
			is.Equal(res.StatusCode, c.status)
			eb := res.errorBody(t)
			is.Equal(eb["code"], c.code)
			if c.reason != "" {
				is.Equal(eb["details"].(map[string]any)["reason"], c.reason)
			}
			if c.status == 400 {
				is.True(res.fields(t)["body.successUrl"] != "")
			}
		})
	}
	t.Run("malformed body", func(t *testing.T) {
		is := is.New(t)
		h := append(bearer(e.custTok), "Content-Type", "application/json")
		res := do(t, e.h, "POST", "/checkout/create", jsonBody(map[string]any{"contentId": "123", "successUrl": ok, "cancelUrl": ok}), h...)
		is.Equal(res.StatusCode, 400)
		is.Equal(res.fields(t)["body.contentId"], "Invalid ID format")
		res = do(t, e.h, "POST", "/checkout/create", jsonBody(map[string]any{"contentId": e.content.ID, "successUrl": ok, "cancelUrl": ok, "price": 1}), h...)
		is.Equal(res.StatusCode, 400)
		is.Equal(res.fields(t)["body.price"], "Unknown field")
		res = do(t, e.h, "POST", "/checkout/create", strings.NewReader("{"), h...)
		is.Equal(res.StatusCode, 400)
	})
	t.Run("already owned", func(t *testing.T) {
		is := is.New(t)
		res := e.checkout(t, e.custTok, e.content.ID, ok)
		sid := res.json(t)["data"].(map[string]any)["sessionId"].(string)
		is.Equal(do(t, e.h, "POST", "/checkout/local/"+sid+"/complete", nil, bearer(e.custTok)...).StatusCode, 200)
		res = e.checkout(t, e.custTok, e.content.ID, ok)
		is.Equal(res.StatusCode, 409)
		is.Equal(res.errorBody(t)["details"].(map[string]any)["code"], "ALREADY_PURCHASED")
	})
}

func TestStripeWebhooksOverHTTP(t *testing.T) {
	e := newEcomEnv(t)
	now := time.Now()
	session := func(pi string, c *store.Content, org string) map[string]any {
		return map[string]any{
			"id": "cs_test_" + pi, "object": "checkout.session", "payment_intent": pi, "payment_status": "paid",
			"amount_total": 2999, "currency": "usd", "client_reference_id": e.customer.ID,
			"metadata": map[string]any{"contentId": c.ID.String(), "customerId": e.customer.ID, "organizationId": org, "creatorId": e.creator.ID},
		}
	}
	post := func(t *testing.T, endpoint, body string, hdr ...string) response {
		return do(t, e.h, "POST", "/webhooks/stripe/"+endpoint, strings.NewReader(body), hdr...)
	}

	t.Run("signatures", func(t *testing.T) {
		is := is.New(t)
		body, hdr := stripeEvent(t, "whsec_booking", "checkout.session.completed", session("pi_sig", e.content, e.org.ID.String()), now)
		res := post(t, "booking", body, "Content-Type", "application/json")
		is.Equal(res.StatusCode, 400)
		is.Equal(res.errorBody(t)["code"], "MISSING_SIGNATURE")
		is.Equal(res.Header.Get("X-RateLimit-Limit"), "1000") // the webhook preset

		_, forged := stripeEvent(t, "whsec_wrong", "checkout.session.completed", session("pi_sig", e.content, e.org.ID.String()), now)
		res = post(t, "booking", body, forged...)
		is.Equal(res.StatusCode, 401)
		is.Equal(res.errorBody(t)["code"], "INVALID_SIGNATURE")
		// The payment endpoint's secret does not open the booking endpoint.
		_, other := stripeEvent(t, "whsec_payment", "checkout.session.completed", session("pi_sig", e.content, e.org.ID.String()), now)
		is.Equal(post(t, "booking", body, other...).StatusCode, 401)
		staleBody, stale := stripeEvent(t, "whsec_booking", "checkout.session.completed", session("pi_sig", e.content, e.org.ID.String()), now.Add(-time.Hour))
		is.Equal(post(t, "booking", staleBody, stale...).StatusCode, 401)
		is.Equal(post(t, "booking", strings.Replace(body, "2999", "1", 1), hdr...).StatusCode, 401)

		res = post(t, "subscription", body, hdr...)
		is.Equal(res.StatusCode, 500)
		is.Equal(res.errorBody(t)["code"], "WEBHOOK_SECRET_NOT_CONFIGURED")
		is.Equal(post(t, "bookings", body, hdr...).StatusCode, 404)
		is.Equal(e.purchaseCount(t), 0)

		big := `{"pad":"` + strings.Repeat("a", 300<<10) + `"}`
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(big), Secret: "whsec_booking", Timestamp: now})
		res = post(t, "booking", big, "Stripe-Signature", sp.Header)
		is.Equal(res.StatusCode, 400)
		is.Equal(res.errorBody(t)["code"], "PAYLOAD_TOO_LARGE")
	})

	t.Run("paid session recorded once", func(t *testing.T) {
		is := is.New(t)
		body, hdr := stripeEvent(t, "whsec_booking", "checkout.session.completed", session("pi_paid", e.content, e.org.ID.String()), now)
		for range 3 {
			res := post(t, "booking", body, hdr...)
			is.Equal(res.StatusCode, 200)
			is.Equal(res.json(t)["received"], true)
		}
		is.Equal(e.purchaseCount(t), 1)
		is.True(e.canWatch(t, e.custTok, e.content.ID))
	})

	t.Run("ignored and refused events", func(t *testing.T) {
		is := is.New(t)
		c := e.item(t, func(*store.Content) {})
		// Unknown types and the wrong endpoint: acknowledged, nothing recorded.
		body, hdr := stripeEvent(t, "whsec_booking", "checkout.session.expired", session("pi_expired", c, e.org.ID.String()), now)
		is.Equal(post(t, "booking", body, hdr...).StatusCode, 200)
		body, hdr = stripeEvent(t, "whsec_payment", "checkout.session.completed", session("pi_wrong", c, e.org.ID.String()), now)
		is.Equal(post(t, "payment", body, hdr...).StatusCode, 200)
		body, hdr = stripeEvent(t, "whsec_booking", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}, now)
		is.Equal(post(t, "booking", body, hdr...).StatusCode, 200)
		unpaid := session("pi_unpaid", c, e.org.ID.String())
		unpaid["payment_status"] = "unpaid"
		body, hdr = stripeEvent(t, "whsec_booking", "checkout.session.completed", unpaid, now)
		is.Equal(post(t, "booking", body, hdr...).StatusCode, 200)
		is.Equal(e.purchaseCount(t), 1)

		// Paid but unusable: never acknowledged.
		body, hdr = stripeEvent(t, "whsec_booking", "checkout.session.completed", session("pi_mismatch", c, uuid.NewString()), now)
		res := post(t, "booking", body, hdr...)
		is.Equal(res.StatusCode, 422)
		is.Equal(res.errorBody(t)["code"], "ORGANIZATION_MISMATCH")
		malformed := session("pi_malformed", c, e.org.ID.String())
		malformed["amount_total"] = "a lot"
		body, hdr = stripeEvent(t, "whsec_booking", "checkout.session.completed", malformed, now)
		res = post(t, "booking", body, hdr...)
		is.Equal(res.StatusCode, 400)
		is.Equal(res.errorBody(t)["code"], "MALFORMED_EVENT")
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte("{not json"), Secret: "whsec_booking", Timestamp: now})
		is.Equal(post(t, "booking", "{not json", "Stripe-Signature", sp.Header).StatusCode, 401)
		is.Equal(e.purchaseCount(t), 1)
	})

	t.Run("lost dispute revokes", func(t *testing.T) {
		is := is.New(t)
		body, hdr := stripeEvent(t, "whsec_dispute", "charge.dispute.closed", map[string]any{
			"id": "dp_1", "object": "dispute", "charge": "ch_1", "payment_intent": "pi_paid", "status": "lost",
			"reason": "fraudulent", "amount": 2999, "currency": "usd",
		}, now)
		is.Equal(post(t, "dispute", body, hdr...).StatusCode, 200)
		is.True(!e.canWatch(t, e.custTok, e.content.ID))
		p, err := e.c.Store().Purchases().GetByPaymentIntent(context.Background(), "pi_paid")
		is.NoErr(err)
		is.Equal(p.Status, store.PurchaseRefunded)
		is.Equal(fmt.Sprint(*p.RefundReason), "dispute_lost: fraudulent")
	})
}
