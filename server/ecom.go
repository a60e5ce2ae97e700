package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
)

// maxWebhookBody bounds a webhook delivery. Stripe events for the objects
// handled here are a few KiB; 256 KiB leaves room for any event type an
// endpoint may be subscribed to without accepting arbitrary uploads.
const maxWebhookBody = 256 << 10

// webhookTimeout bounds the processing of one delivery. Processing is
// detached from the request so a provider that hangs up early does not
// abandon a purchase half-way (it would be retried anyway, but work done
// is work kept).
const webhookTimeout = 30 * time.Second

// mountEcom registers the ecom-api surface: /checkout/*, /purchases and
// /webhooks/stripe/*. Handler adds its /health.
func mountEcom(r *router) {
	h := ecomHandlers{s: r.srv}
	r.handle("POST", "/checkout/create", h.createCheckout, RateLimit("strict"))
	r.handle("GET", "/checkout/local/:sessionId", h.localCheckoutPage, RateLimit("api"))
	r.handle("POST", "/checkout/local/:sessionId/complete", h.completeLocalCheckout, RateLimit("strict"))
	r.handle("GET", "/purchases", h.listPurchases, RateLimit("api"))
	r.handle("GET", "/purchases/:id", h.getPurchase, RateLimit("api"))
	r.handle("POST", "/purchases/:id/refund", h.refund, RateLimit("strict"))
	// One route per endpoint, each bound to its own secret: no path
	// matching decides which secret verifies what (the reference's
	// Oddity 23).
	for _, e := range purchase.Endpoints() {
		r.handle("POST", "/webhooks/stripe/"+string(e), h.webhook(e), RateLimit("webhook"), MaxBodyBytes(maxWebhookBody))
	}
}

type ecomHandlers struct{ s *Server }

func (h ecomHandlers) purchases() *purchase.Service { return h.s.c.Purchases() }

func (h ecomHandlers) createCheckout(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	// Authentication before validation, as in the reference.
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	var body struct {
		ContentID  string `json:"contentId"`
		SuccessURL string `json:"successUrl"`
		CancelURL  string `json:"cancelUrl"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	id, err := parseUUID(body.ContentID)
	if err != nil {
		return fault.InvalidField("body.contentId", "Invalid ID format")
	}
	sess, err := h.purchases().Checkout(r.Context(), a, purchase.CheckoutInput{
		ContentID: id, SuccessURL: body.SuccessURL, CancelURL: body.CancelURL,
	})
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, sess)
}

func (h ecomHandlers) listPurchases(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	q := r.URL.Query()
	var fields []fault.Field
	page, err := PageQuery(r)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			if fs, ok := fe.Details.([]fault.Field); ok {
				fields = append(fields, fs...)
			}
		}
	}
	var f purchase.ListFilter
	if v := q.Get("status"); v != "" {
		f.Status = store.PurchaseStatus(v)
		if !f.Status.Valid() {
			fields = append(fields, fault.Field{Path: "query.status", Message: "Must be one of pending, completed, refunded, failed"})
		}
	}
	if v := q.Get("contentId"); v != "" {
		id, err := parseUUID(v)
		if err != nil {
			fields = append(fields, fault.Field{Path: "query.contentId", Message: "Invalid ID format"})
		}
		f.ContentID = &id
	}
	if len(fields) > 0 {
		return fault.InvalidFields(fields...)
	}
	res, err := h.purchases().List(r.Context(), a, f, page)
	if err != nil {
		return err
	}
	return WriteList(w, res.Items, page, res.Total)
}

func (h ecomHandlers) getPurchase(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	p, err := h.purchases().Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, p)
}

func (h ecomHandlers) refund(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		AmountCents *int `json:"amountCents"`
	}
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		if err := DecodeJSON(r, &body); err != nil {
			return err
		}
	}
	amount := 0 // everything not refunded yet
	if body.AmountCents != nil {
		if *body.AmountCents <= 0 {
			return fault.InvalidField("body.amountCents", "Must be greater than 0")
		}
		amount = *body.AmountCents
	}
	p, err := h.purchases().Refund(r.Context(), a, id, amount)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, p)
}

// webhook verifies and processes a delivery to one endpoint. A 2xx is
// only sent once the event is safely processed or deliberately ignored;
// everything else is answered with an error status so the provider
// delivers it again.
func (h ecomHandlers) webhook(e purchase.Endpoint) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sig := r.Header.Get("Stripe-Signature")
		if sig == "" {
			return purchase.ErrMissingSignature
		}
		if r.Body == nil {
			return purchase.ErrInvalidSignature
		}
		// The signature covers the exact bytes: read them raw, unparsed.
		payload, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return bodyTooLarge(tooBig.Limit)
			}
			return fault.New(fault.Invalid, "", "Could not read request body").Wrap(err)
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), webhookTimeout)
		defer cancel()
		if err := h.purchases().HandleWebhook(ctx, e, payload, sig); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, struct {
			Received bool `json:"received"`
		}{true})
	}
}

// ---- local test payments ----

// checkoutStyle is the page's only style; the CSP allows exactly it by hash.
const checkoutStyle = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#111}` +
	`.card{border:1px solid #ddd;border-radius:8px;padding:1.5rem}h1{font-size:1.25rem;margin:0 0 .5rem}` +
	`.price{font-size:2rem;margin:1rem 0}.note{color:#666;font-size:.875rem}` +
	`button{background:#3B82F6;color:#fff;border:0;border-radius:6px;padding:.75rem 1.5rem;font-size:1rem;cursor:pointer}` +
	`a{color:#3B82F6;margin-left:1rem}`

var checkoutStyleHash = func() string {
	sum := sha256.Sum256([]byte(checkoutStyle))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Checkout – {{.Title}}</title><meta name="referrer" content="no-referrer"><style>{{.Style}}</style></head>
<body><div class="card">
<p class="note">Test payment — no money is charged.</p>
<h1>{{.Title}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<p class="price">{{.Price}}</p>
<form method="post" action="{{.Action}}"><button type="submit">Pay {{.Price}}</button><a href="{{.CancelURL}}">Cancel</a></form>
</div></body></html>
`))

func (h ecomHandlers) localCheckoutPage(w http.ResponseWriter, r *http.Request) error {
	id := Param(r, "sessionId")
	ls, err := h.purchases().LocalSession(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = checkoutPage.Execute(&buf, map[string]any{
		"Style":       template.CSS(checkoutStyle),
		"Title":       ls.Request.Title,
		"Description": ls.Request.Description,
		"Price":       purchase.FormatPrice(ls.Request.AmountCents, ls.Request.Currency),
		"Action":      purchase.LocalCheckoutPath + url.PathEscape(ls.ID) + "/complete",
		"CancelURL":   ls.Request.CancelURL,
	})
	if err != nil {
		return fault.Internalf(err, "render checkout page")
	}
	hd := w.Header()
	// No scripts, no images, one hashed style; the form may post here and
	// follow the redirect to the success URL, which checkout restricted to
	// the platform's origins.
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+checkoutStyleHash+
		"; form-action 'self' "+h.s.c.Config().PublicURL+" "+strings.Join(h.s.c.Config().AllowedOrigins, " ")+
		"; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// completeLocalCheckout pays a local session. Browsers (a form post) are
// sent on to the success URL; API clients get the purchase. Only the
// session's customer can complete it, and a cookie-authenticated post
// must come from an allowed Origin (the session middleware's CSRF check).
func (h ecomHandlers) completeLocalCheckout(w http.ResponseWriter, r *http.Request) error {
	id := Param(r, "sessionId")
	p, ls, err := h.purchases().CompleteLocalCheckout(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	next := strings.ReplaceAll(ls.Request.SuccessURL, "{CHECKOUT_SESSION_ID}", url.QueryEscape(ls.ID))
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return WriteData(w, http.StatusOK, struct {
		Purchase    *store.Purchase `json:"purchase"`
		RedirectURL string          `json:"redirectUrl"`
	}{p, next})
}

// parseUUID accepts only the canonical 8-4-4-4-12 form.
func parseUUID(s string) (uuid.UUID, error) {
	if len(s) != 36 {
		return uuid.Nil, errors.New("not a canonical uuid")
	}
	return uuid.Parse(s)
}
