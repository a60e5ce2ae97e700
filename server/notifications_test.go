package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/notify/smtp/smtptest"
	"github.com/codexforgo/codex/store"
)

type notifyEnv struct {
	*testEnv
	h                                   http.Handler
	out                                 *notify.Outbox
	owner, admin, member, creator, cust string
	org                                 *store.Organization
}

// newNotifyEnv builds the notifications surface with a platform owner, an
// organization with an admin and a plain member, a creator and a customer.
// Memberships exist before the first request so sessions see them.
func newNotifyEnv(t *testing.T) *notifyEnv {
	t.Helper()
	out := &notify.Outbox{}
	e := newEnv(t, codex.Config{Mailer: out, MailRetryBackoff: 5 * time.Millisecond})
	n := &notifyEnv{testEnv: e, h: e.srv.Handler(Notifications), out: out}
	ctx := context.Background()
	n.owner, _ = e.user(t, "owner@example.com", store.RolePlatformOwner)
	var admin, member, creator *store.User
	n.admin, admin = e.user(t, "admin@example.com", store.RoleCustomer)
	n.member, member = e.user(t, "member@example.com", store.RoleCustomer)
	n.creator, creator = e.user(t, "creator@example.com", store.RoleCreator)
	n.cust, _ = e.user(t, "customer@example.com", store.RoleCustomer)
	n.org = &store.Organization{Name: "Acme", Slug: "acme"}
	if err := e.c.Store().Organizations().Create(ctx, n.org); err != nil {
		t.Fatal(err)
	}
	for u, role := range map[*store.User]store.MembershipRole{admin: store.MemberAdmin, member: store.MemberMember, creator: store.MemberCreator} {
		if err := e.c.Store().Memberships().Create(ctx, &store.Membership{OrganizationID: n.org.ID, UserID: u.ID, Role: role, Status: store.MembershipActive}); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func (n *notifyEnv) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var hdr []string
	if token != "" {
		hdr = bearer(token)
	}
	hdr = append(hdr, "Content-Type", "application/json")
	if body == nil {
		return do(t, n.h, method, path, nil, hdr...)
	}
	return do(t, n.h, method, path, jsonBody(body), hdr...)
}

func (r response) data(t *testing.T) map[string]any {
	t.Helper()
	d, ok := r.json(t)["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object: %s", r.body)
	}
	return d
}

func receiptBody(subject string) map[string]any {
	return map[string]any{
		"name": "purchase-receipt", "subject": subject, "status": "active",
		"htmlBody": "<p>{{userName}} bought {{contentTitle}} for {{priceFormatted}}</p>",
		"textBody": "{{userName}} bought {{contentTitle}} for {{priceFormatted}}",
	}
}

var receipt = map[string]string{"userName": "Ada", "contentTitle": "Film", "priceFormatted": "$5.00",
	"purchaseDate": "2 Jan 2026", "contentUrl": "http://localhost:8080/content/1"}

func TestOrgTemplateOverridesGlobalForPurchaseReceipt(t *testing.T) {
	is := is.New(t)
	n := newNotifyEnv(t)
	orgPath := "/api/templates/organizations/" + n.org.ID.String()

	res := n.do(t, "POST", "/api/templates/global", n.owner, receiptBody("Global receipt"))
	is.Equal(res.StatusCode, http.StatusCreated)
	g := res.data(t)
	is.Equal(g["scope"], "global")
	is.Equal(g["organizationId"], nil)

	res = n.do(t, "POST", orgPath, n.member, receiptBody("Member receipt"))
	is.Equal(res.StatusCode, http.StatusForbidden) // members are not managers
	res = n.do(t, "POST", orgPath, n.admin, receiptBody("Acme receipt"))
	is.Equal(res.StatusCode, http.StatusCreated)
	o := res.data(t)
	is.Equal(o["organizationId"], n.org.ID.String())
	is.Equal(o["status"], "active")

	// A purchase in the organization uses its template ...
	e, err := n.c.Notify().Send(context.Background(), notify.Request{
		Template: notify.TemplatePurchaseReceipt, To: "buyer@example.com", OrganizationID: &n.org.ID, Data: receipt})
	is.NoErr(err)
	m, ok := n.out.Wait("buyer@example.com", notify.TemplatePurchaseReceipt, 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "Acme receipt")
	is.Equal(m.HTML, "<p>Ada bought Film for $5.00</p>")
	waitEmail(t, n.c, e.ID, store.EmailSuccess)
	// ... and one without an organization the global one.
	_, err = n.c.Notify().Send(context.Background(), notify.Request{
		Template: notify.TemplatePurchaseReceipt, To: "other@example.com", Data: receipt})
	is.NoErr(err)
	m, ok = n.out.Wait("other@example.com", notify.TemplatePurchaseReceipt, 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "Global receipt")

	// Drafting the override falls back to the global template.
	res = n.do(t, "PATCH", orgPath+"/"+o["id"].(string), n.admin, map[string]any{"status": "draft", "description": nil})
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(res.data(t)["status"], "draft")
	_, err = n.c.Notify().Send(context.Background(), notify.Request{
		Template: notify.TemplatePurchaseReceipt, To: "third@example.com", OrganizationID: &n.org.ID, Data: receipt})
	is.NoErr(err)
	m, ok = n.out.Wait("third@example.com", notify.TemplatePurchaseReceipt, 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "Global receipt")
}

func waitEmail(t *testing.T, c *codex.Codex, id uuid.UUID, want store.EmailStatus) *store.EmailLog {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e, err := c.Store().EmailLog().Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == want {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("email is %s after %d attempts (error %v), want %s", e.Status, e.Attempts, e.Error, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTemplateRoutesAuthorizationAndErrors(t *testing.T) {
	is := is.New(t)
	n := newNotifyEnv(t)
	orgPath := "/api/templates/organizations/" + n.org.ID.String()

	is.Equal(n.do(t, "GET", "/api/templates/global", "", nil).StatusCode, http.StatusUnauthorized)
	is.Equal(n.do(t, "GET", "/api/templates/global", n.admin, nil).StatusCode, http.StatusForbidden)
	is.Equal(n.do(t, "POST", "/api/templates/global", n.creator, receiptBody("x")).StatusCode, http.StatusForbidden)

	res := n.do(t, "POST", orgPath, n.admin, receiptBody("Acme"))
	is.Equal(res.StatusCode, http.StatusCreated)
	id := res.data(t)["id"].(string)

	// Duplicate names in a scope: 409, never 500.
	res = n.do(t, "POST", orgPath, n.admin, receiptBody("Acme again"))
	is.Equal(res.StatusCode, http.StatusConflict)
	is.Equal(res.errorBody(t)["code"], "CONFLICT")

	// Any active member reads; outsiders do not.
	res = n.do(t, "GET", orgPath+"?status=active", n.member, nil)
	is.Equal(res.StatusCode, http.StatusOK)
	list := res.data(t)
	is.Equal(len(list["items"].([]any)), 1)
	is.Equal(list["pagination"], map[string]any{"page": 1.0, "limit": 20.0, "total": 1.0, "totalPages": 1.0})
	is.Equal(n.do(t, "GET", orgPath, n.cust, nil).StatusCode, http.StatusForbidden)
	is.Equal(n.do(t, "GET", orgPath+"/"+id, n.member, nil).StatusCode, http.StatusOK)
	is.Equal(n.do(t, "PATCH", orgPath+"/"+id, n.member, map[string]any{"subject": "mine"}).StatusCode, http.StatusForbidden)
	is.Equal(n.do(t, "DELETE", orgPath+"/"+id, n.member, nil).StatusCode, http.StatusForbidden)
	is.Equal(n.do(t, "GET", "/api/templates/organizations/not-a-uuid", n.member, nil).StatusCode, http.StatusBadRequest)

	// Unknown tokens and script are refused at save, naming the field.
	bad := receiptBody("Receipt {{orderId}}")
	bad["htmlBody"] = `<p onclick="steal()">{{userName}} {{cardNumber}}</p>`
	res = n.do(t, "POST", "/api/templates/global", n.owner, bad)
	is.Equal(res.StatusCode, http.StatusBadRequest)
	f := map[string]string{} // a field may be named more than once
	for _, d := range res.errorBody(t)["details"].([]any) {
		d := d.(map[string]any)
		f[d["path"].(string)] += d["message"].(string) + "\n"
	}
	is.True(strings.Contains(f["body.subject"], "{{orderId}}"))
	is.True(strings.Contains(f["body.htmlBody"], "{{cardNumber}}"))
	is.True(strings.Contains(f["body.htmlBody"], "event-handler"))
	res = n.do(t, "POST", "/api/templates/global", n.owner, map[string]any{"name": "x", "subject": "s", "htmlBody": "h", "textBody": "t", "extra": 1})
	is.Equal(res.StatusCode, http.StatusBadRequest)
	is.Equal(res.fields(t)["body.extra"], "Unknown field")

	// Preview: single-wrapped, manage rights, this template (not a re-resolution).
	is.Equal(n.do(t, "POST", "/api/templates/"+id+"/preview", n.member, nil).StatusCode, http.StatusForbidden)
	res = n.do(t, "POST", "/api/templates/"+id+"/preview", n.admin, map[string]any{"data": map[string]any{"contentTitle": "<Film>", "priceFormatted": 5}})
	is.Equal(res.StatusCode, http.StatusOK)
	p := res.data(t)
	is.Equal(p["subject"], "Acme")
	is.Equal(p["html"], "<p>Ada bought &lt;Film&gt; for 5</p>")
	is.Equal(p["text"], "Ada bought <Film> for 5")
	res = n.do(t, "POST", "/api/templates/"+id+"/preview", n.admin, map[string]any{"data": map[string]any{"contentTitle": nil}})
	is.Equal(res.StatusCode, http.StatusBadRequest)
	is.Equal(n.do(t, "POST", "/api/templates/"+uuid.NewString()+"/preview", n.admin, nil).StatusCode, http.StatusNotFound)

	// Test-send goes only to the caller's own address.
	res = n.do(t, "POST", "/api/templates/"+id+"/test-send", n.admin, map[string]any{"recipientEmail": "victim@example.com"})
	is.Equal(res.StatusCode, http.StatusForbidden)
	res = n.do(t, "POST", "/api/templates/"+id+"/test-send", n.admin, map[string]any{"recipientEmail": "admin@example.com"})
	is.Equal(res.StatusCode, http.StatusOK)
	d := res.data(t)
	is.Equal(d["success"], true)
	is.True(d["data"] == nil) // not double-wrapped
	m, ok := n.out.Wait("admin@example.com", "purchase-receipt", 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "[Test] Acme")
	is.True(res.Header.Get("X-RateLimit-Limit") == "20") // the strict preset

	// Creator templates belong to their creator.
	res = n.do(t, "POST", "/api/templates/creator", n.creator, map[string]any{
		"name": "transcoding-finished", "subject": "Done: {{mediaTitle}}", "status": "active", "organizationId": n.org.ID.String(),
		"htmlBody": "<p>{{mediaTitle}} is ready</p>", "textBody": "{{mediaTitle}} is ready"})
	is.Equal(res.StatusCode, http.StatusCreated)
	cid := res.data(t)["id"].(string)
	is.Equal(n.do(t, "GET", "/api/templates/creator", n.creator, nil).data(t)["pagination"].(map[string]any)["total"], 1.0)
	is.Equal(n.do(t, "PATCH", "/api/templates/creator/"+cid, n.owner, map[string]any{"subject": "x"}).StatusCode, http.StatusNotFound)
	is.Equal(n.do(t, "GET", "/api/templates/creator", n.cust, nil).StatusCode, http.StatusForbidden)
	is.Equal(n.do(t, "DELETE", "/api/templates/creator/"+cid, n.creator, nil).StatusCode, http.StatusNoContent)
	is.Equal(n.do(t, "DELETE", "/api/templates/creator/"+cid, n.creator, nil).StatusCode, http.StatusNotFound)

	is.Equal(n.do(t, "PUT", "/api/templates/global", n.owner, nil).StatusCode, http.StatusMethodNotAllowed)
	is.Equal(n.do(t, "GET", "/api/templates/"+id+"/preview", n.owner, nil).StatusCode, http.StatusMethodNotAllowed)
	is.Equal(n.do(t, "GET", "/api/templates/a/b/c", n.owner, nil).StatusCode, http.StatusNotFound)
}

func TestUnsubscribeLink(t *testing.T) {
	is := is.New(t)
	n := newNotifyEnv(t)
	ctx := context.Background()
	notice := notify.Request{Template: notify.TemplateTranscodingFailed, To: "creator@example.com",
		Data: map[string]string{"mediaTitle": "Clip", "errorMessage": "bad codec"}}

	_, err := n.c.Notify().Send(ctx, notice)
	is.NoErr(err)
	m, ok := n.out.Wait("creator@example.com", notify.TemplateTranscodingFailed, 5*time.Second)
	is.True(ok)
	link := strings.Trim(m.Headers["List-Unsubscribe"], "<>")
	u, err := url.Parse(link)
	is.NoErr(err)
	is.Equal(u.Path, "/api/unsubscribe")

	is.Equal(do(t, n.h, "GET", "/api/unsubscribe?token=forged.token", nil).StatusCode, http.StatusBadRequest)
	is.Equal(do(t, n.h, "GET", "/api/unsubscribe", nil).StatusCode, http.StatusBadRequest)
	res := do(t, n.h, "POST", u.RequestURI(), strings.NewReader("List-Unsubscribe=One-Click"), "Content-Type", "application/x-www-form-urlencoded")
	is.Equal(res.StatusCode, http.StatusOK)
	is.Equal(res.data(t)["unsubscribed"], true)

	e, err := n.c.Notify().Send(ctx, notice)
	is.NoErr(err)
	is.Equal(e.Status, store.EmailFailed)
	is.Equal(*e.Error, notify.Skipped)
}

func TestSMTPOutageDuringSendIsRetriedAndLogged(t *testing.T) {
	is := is.New(t)
	srv, err := smtptest.Start("127.0.0.1:0")
	is.NoErr(err)
	addr := srv.Addr
	inData, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	// The first delivery is held at DATA until the server has gone down,
	// so it cannot complete before the outage.
	srv.OnData = func() { once.Do(func() { close(inData); <-release }) }

	e := newEnv(t, codex.Config{
		SMTPURL: "smtp://" + addr + "?tls=none", MailFrom: "Codex <noreply@codex.test>",
		MailRetryBackoff: 20 * time.Millisecond, MailMaxAttempts: 10,
	})
	is.True(strings.HasPrefix(e.c.Adapters()["mail"], "smtp:"))
	entry, err := e.c.Notify().Send(context.Background(), notify.Request{
		Template: notify.TemplatePurchaseReceipt, To: "buyer@example.com", Data: receipt})
	is.NoErr(err) // queued; the request that sent it is not held up

	// The server goes down in the middle of the delivery ...
	select {
	case <-inData:
	case <-time.After(10 * time.Second):
		t.Fatal("the mailer never reached DATA")
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	// ... the attempt fails and is recorded for a retry ...
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := e.c.Store().EmailLog().Get(context.Background(), entry.ID)
		is.NoErr(err)
		if got.Attempts >= 1 {
			is.Equal(got.Status, store.EmailPending)
			is.True(got.Error != nil)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("failed attempt not recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	<-closed
	is.Equal(len(srv.Messages()), 0)

	// ... and once the server is back, the message is delivered.
	back, err := smtptest.Start(addr)
	is.NoErr(err)
	defer back.Close()
	is.True(back.Wait(1, 10*time.Second))
	done := waitEmail(t, e.c, entry.ID, store.EmailSuccess)
	is.True(done.Attempts >= 2)
	msg := back.Messages()[0]
	is.Equal(msg.To, []string{"buyer@example.com"})
	is.True(strings.Contains(msg.Data, "Subject: Receipt for your purchase from Codex"))
}
