package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func fastConfig() notify.Config {
	return notify.Config{
		From:         "Codex <noreply@codex.test>",
		Brand:        notify.Brand{PlatformName: "Codex Test", SupportEmail: "help@codex.test"},
		PublicURL:    "https://codex.test",
		Secret:       []byte("0123456789abcdef0123456789abcdef"),
		RetryBackoff: 2 * time.Millisecond,
		MaxAttempts:  4,
		Log:          quiet,
	}
}

func newService(t *testing.T, db store.Store, m notify.Mailer, cfg notify.Config) *notify.Service {
	t.Helper()
	s := notify.New(db, m, cfg)
	t.Cleanup(func() { s.Close() })
	return s
}

// waitFor polls the email log until the entry reaches a final state.
func waitFor(t *testing.T, db store.Store, id uuid.UUID, want store.EmailStatus) *store.EmailLog {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e, err := db.EmailLog().Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == want {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %s is %s (attempts %d), want %s", id, e.Status, e.Attempts, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// flaky fails its first n sends, then delivers to the outbox.
type flaky struct {
	mu    sync.Mutex
	fails int
	err   error
	calls int
	out   notify.Outbox
}

func (f *flaky) Send(ctx context.Context, m notify.Message) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.fails
	f.mu.Unlock()
	if fail {
		return f.err
	}
	return f.out.Send(ctx, m)
}

func (f *flaky) Calls() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

func TestRenderEscapesValuesInHTMLOnly(t *testing.T) {
	is := is.New(t)
	data := map[string]string{"name": `<b>"Ada" & 'co'</b>`}
	is.Equal(notify.Render("<p>{{name}}</p>", data, true), "<p>&lt;b&gt;&#34;Ada&#34; &amp; &#39;co&#39;&lt;/b&gt;</p>")
	is.Equal(notify.Render("Hi {{name}}", data, false), `Hi <b>"Ada" & 'co'</b>`)
	is.Equal(notify.Render("{{ name }} {{missing}}", data, false), "{{ name }} ")                 // spaced braces stay literal
	is.Equal(notify.Render("{{name}}", map[string]string{"name": "{{name}}"}, false), "{{name}}") // single pass
}

func TestSendBuiltinVerification(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	var out notify.Outbox
	s := newService(t, db, &out, fastConfig())

	e, err := s.Send(t.Context(), notify.Request{Template: notify.TemplateVerification, To: "Ada@Example.com", Data: map[string]string{
		"userName": "<Ada>", "verificationUrl": "https://codex.test/api/auth/verify-email?token=abc", "expiryHours": "24",
		"platformName": "Evil", // brand tokens are not the caller's
	}})
	is.NoErr(err)
	is.Equal(e.Status, store.EmailPending)
	is.Equal(e.RecipientEmail, "ada@example.com")

	m, ok := out.Wait("ada@example.com", notify.TemplateVerification, 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "Verify your email address")
	is.Equal(m.From, "Codex <noreply@codex.test>")
	is.True(strings.Contains(m.HTML, "Hi &lt;Ada&gt;,"))
	is.True(strings.Contains(m.Text, "Hi <Ada>,"))
	is.True(strings.Contains(m.Text, "https://codex.test/api/auth/verify-email?token=abc"))
	is.True(strings.Contains(m.Text, "Codex Test"))
	is.True(!strings.Contains(m.Text, "Evil"))
	is.Equal(m.Headers["List-Unsubscribe"], "") // transactional

	done := waitFor(t, db, e.ID, store.EmailSuccess)
	is.Equal(done.Attempts, 1)
	is.Equal(done.Metadata, nil) // the link is not kept once delivered
}

func TestSendRefusals(t *testing.T) {
	db := memory.New()
	s := newService(t, db, &notify.Outbox{}, fastConfig())
	ctx := t.Context()
	cases := []struct {
		name string
		r    notify.Request
		kind fault.Kind
	}{
		{"bad address", notify.Request{Template: notify.TemplatePasswordChanged, To: "not-an-address"}, fault.Invalid},
		{"unknown template", notify.Request{Template: "welcome-series", To: "a@example.com"}, fault.NotFound},
		{"missing data", notify.Request{Template: notify.TemplatePurchaseReceipt, To: "a@example.com", Data: map[string]string{"contentTitle": "X"}}, fault.Unprocessable},
		{"script URL", notify.Request{Template: notify.TemplatePasswordReset, To: "a@example.com", Data: map[string]string{"resetUrl": "javascript:alert(1)", "expiryHours": "1"}}, fault.Unprocessable},
		{"tags in subject", notify.Request{Template: notify.TemplateTranscodingFinished, To: "a@example.com", Data: map[string]string{"mediaTitle": "<img src=x>"}}, fault.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Send(ctx, c.r)
			if fault.KindOf(err) != c.kind {
				t.Fatalf("got %v, want kind %v", err, c.kind)
			}
		})
	}
	l, err := db.EmailLog().List(ctx, store.EmailLogFilter{}, store.Page{})
	if err != nil || l.Total != 0 {
		t.Fatalf("refused sends must not be queued: %d entries, %v", l.Total, err)
	}
}

// fixture is a store with a platform owner, an organization with an admin,
// and a creator.
type fixture struct {
	db      *memory.Store
	owner   *actor.Actor
	admin   *actor.Actor
	member  *actor.Actor
	creator *actor.Actor
	org     *store.Organization
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	db := memory.New()
	mk := func(email string, role store.Role) *actor.Actor {
		u := &store.User{Name: email, Email: email, Role: role, EmailVerified: true}
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		return &actor.Actor{UserID: u.ID, Email: email, Role: role, EmailVerified: true}
	}
	f := &fixture{db: db}
	f.owner = mk("owner@example.com", store.RolePlatformOwner)
	f.admin = mk("admin@example.com", store.RoleCustomer)
	f.member = mk("member@example.com", store.RoleCustomer)
	f.creator = mk("creator@example.com", store.RoleCreator)
	f.org = &store.Organization{Name: "Org", Slug: "org"}
	if err := db.Organizations().Create(ctx, f.org); err != nil {
		t.Fatal(err)
	}
	f.admin.Memberships = []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberAdmin}}
	f.member.Memberships = []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberMember}}
	f.creator.Memberships = []actor.Membership{{OrganizationID: f.org.ID, Role: store.MemberCreator}}
	return f
}

func receiptTemplate(subject string) notify.TemplateInput {
	return notify.TemplateInput{
		Name: notify.TemplatePurchaseReceipt, Subject: subject, Status: store.TemplateActive,
		HTMLBody: "<p>{{userName}} bought {{contentTitle}} from {{platformName}}</p>",
		TextBody: "{{userName}} bought {{contentTitle}} from {{platformName}}",
	}
}

var receiptData = map[string]string{"userName": "Ada", "contentTitle": "Film", "priceFormatted": "$5.00",
	"purchaseDate": "2 Jan 2026", "contentUrl": "https://codex.test/c/1"}

func TestResolutionOrderAndStatus(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	var out notify.Outbox
	s := newService(t, f.db, &out, fastConfig())
	ctx := t.Context()

	g, err := s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), receiptTemplate("global"))
	is.NoErr(err)
	o, err := s.CreateTemplate(ctx, f.admin, notify.OrganizationScope(f.org.ID), receiptTemplate("organization"))
	is.NoErr(err)
	c, err := s.CreateTemplate(ctx, f.creator, notify.CreatorScope(), receiptTemplate("creator"))
	is.NoErr(err)

	n := 0
	subject := func() string {
		t.Helper()
		n++
		to := fmt.Sprintf("buyer%d@example.com", n)
		_, err := s.Send(ctx, notify.Request{Template: notify.TemplatePurchaseReceipt, To: to, OrganizationID: &f.org.ID, CreatorID: f.creator.UserID, Data: receiptData})
		is.NoErr(err)
		m, ok := out.Wait(to, "", 5*time.Second)
		is.True(ok)
		return m.Subject
	}
	setStatus := func(sc notify.Scope, a *actor.Actor, id uuid.UUID, st store.TemplateStatus) {
		t.Helper()
		_, err := s.UpdateTemplate(ctx, a, sc, id, notify.TemplatePatch{Status: store.Some(st)})
		is.NoErr(err)
	}

	is.Equal(subject(), "organization") // organization > creator > global
	setStatus(notify.OrganizationScope(f.org.ID), f.admin, o.ID, store.TemplateDraft)
	is.Equal(subject(), "creator") // a draft override falls through
	setStatus(notify.CreatorScope(), f.creator, c.ID, store.TemplateArchived)
	is.Equal(subject(), "global")
	is.NoErr(s.DeleteTemplate(ctx, f.owner, notify.GlobalScope(), g.ID))
	is.Equal(subject(), "Receipt for your purchase from Codex Test") // the built-in
}

func TestBrandFromOrganizationSettings(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	ctx := t.Context()
	_, err := f.db.OrgSettings().UpdateBranding(ctx, f.org.ID, store.BrandingPatch{PrimaryColorHex: store.Some("#ff0066")})
	is.NoErr(err)
	_, err = f.db.OrgSettings().UpdateContact(ctx, f.org.ID, store.ContactPatch{PlatformName: store.Some("Acme Films"), SupportEmail: store.Some("care@acme.test")})
	is.NoErr(err)
	var out notify.Outbox
	s := newService(t, f.db, &out, fastConfig())

	data := map[string]string{"primaryColor": "red;background:url(https://evil)"}
	for k, v := range receiptData {
		data[k] = v
	}
	_, err = s.Send(ctx, notify.Request{Template: notify.TemplatePurchaseReceipt, To: "b@example.com", OrganizationID: &f.org.ID, Data: data})
	is.NoErr(err)
	m, ok := out.Wait("b@example.com", "", 5*time.Second)
	is.True(ok)
	is.Equal(m.Subject, "Receipt for your purchase from Acme Films")
	is.True(strings.Contains(m.HTML, "color:#ff0066"))
	is.True(strings.Contains(m.HTML, "care@acme.test"))
	is.True(!strings.Contains(m.HTML, "evil"))

	// Without the organization: the platform's defaults.
	_, err = s.Send(ctx, notify.Request{Template: notify.TemplatePurchaseReceipt, To: "c@example.com", Data: receiptData})
	is.NoErr(err)
	m, ok = out.Wait("c@example.com", "", 5*time.Second)
	is.True(ok)
	is.True(strings.Contains(m.HTML, "help@codex.test"))
	is.True(strings.Contains(m.HTML, "https://codex.test")) // contactUrl defaults to the public URL
}

func TestSaveRefusesUnknownTokensAndScript(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	s := newService(t, f.db, &notify.Outbox{}, fastConfig())
	ctx := t.Context()

	fields := func(err error) map[string]string {
		t.Helper()
		fe := fault.From(err)
		is.Equal(fe.Kind, fault.Invalid)
		out := map[string]string{}
		for _, f := range fe.Details.([]fault.Field) {
			out[f.Path] += f.Message
		}
		return out
	}

	in := receiptTemplate("Receipt {{orderId}}")
	in.HTMLBody = "<p>{{userName}} {{cardNumber}} {{password}}</p>"
	_, err := s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), in)
	got := fields(err)
	is.True(strings.Contains(got["body.subject"], "{{orderId}}"))
	is.True(strings.Contains(got["body.htmlBody"], "{{cardNumber}}, {{password}}"))
	is.Equal(got["body.textBody"], "")

	// Custom names get the brand tokens (and the unsubscribe link) only.
	custom := notify.TemplateInput{Name: "spring-sale", Subject: "Sale at {{platformName}}", Status: store.TemplateActive,
		HTMLBody: "<p>{{discount}} off</p> <a href=\"{{unsubscribeUrl}}\">stop</a>", TextBody: "Big sale at {{platformName}}"}
	_, err = s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), custom)
	is.True(strings.Contains(fields(err)["body.htmlBody"], "{{discount}}"))

	for _, body := range []string{
		"<p>hi</p><script>alert(1)</script>",
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="java&#x09;script&#58;alert(1)">x</a>`,
		`<img src="x" onerror="alert(1)">`,
		`<body ONLOAD = "alert(1)">hello</body>`,
		`<iframe src="https://evil.test"></iframe>`,
	} {
		in := receiptTemplate("Receipt")
		in.HTMLBody = body
		_, err := s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), in)
		if fields(err)["body.htmlBody"] == "" {
			t.Errorf("%q was accepted", body)
		}
	}

	// An update is checked too.
	ok, err := s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), receiptTemplate("Receipt"))
	is.NoErr(err)
	_, err = s.UpdateTemplate(ctx, f.owner, notify.GlobalScope(), ok.ID, notify.TemplatePatch{HTMLBody: store.Some(`<p onclick="x()">{{userName}}</p>`)})
	is.True(fields(err)["body.htmlBody"] != "")
	// Duplicate names are a conflict.
	_, err = s.CreateTemplate(ctx, f.owner, notify.GlobalScope(), receiptTemplate("Receipt"))
	is.Equal(fault.KindOf(err), fault.Conflict)
}

func TestTemplateAuthorization(t *testing.T) {
	is := is.New(t)
	f := newFixture(t)
	s := newService(t, f.db, &notify.Outbox{}, fastConfig())
	ctx := t.Context()
	orgScope := notify.OrganizationScope(f.org.ID)

	_, err := s.CreateTemplate(ctx, f.admin, notify.GlobalScope(), receiptTemplate("x"))
	is.Equal(fault.KindOf(err), fault.Forbidden) // global: platform owners only
	_, err = s.CreateTemplate(ctx, f.member, orgScope, receiptTemplate("x"))
	is.Equal(fault.KindOf(err), fault.Forbidden) // org: owners and admins only
	_, err = s.ListTemplates(ctx, f.member, orgScope, "", store.Page{})
	is.NoErr(err) // members may read
	_, err = s.ListTemplates(ctx, nil, orgScope, "", store.Page{})
	is.Equal(fault.KindOf(err), fault.Unauthenticated)
	_, err = s.CreateTemplate(ctx, f.member, notify.CreatorScope(), receiptTemplate("x"))
	is.Equal(fault.KindOf(err), fault.Forbidden) // customers keep no templates

	other := &store.Organization{Name: "Other", Slug: "other"}
	is.NoErr(f.db.Organizations().Create(ctx, other))
	in := receiptTemplate("x")
	in.OrganizationID = &other.ID
	_, err = s.CreateTemplate(ctx, f.creator, notify.CreatorScope(), in)
	is.Equal(fault.KindOf(err), fault.Forbidden) // not a member of that organization

	o, err := s.CreateTemplate(ctx, f.admin, orgScope, receiptTemplate("x"))
	is.NoErr(err)
	_, err = s.Preview(ctx, f.member, o.ID, nil)
	is.Equal(fault.KindOf(err), fault.Forbidden) // preview needs manage rights
	p, err := s.Preview(ctx, f.admin, o.ID, map[string]string{"contentTitle": "Mine"})
	is.NoErr(err)
	is.Equal(p.Subject, "x")
	is.True(strings.Contains(p.HTML, "Ada bought Mine")) // sample data fills what is left out

	_, err = s.TestSend(ctx, f.admin, o.ID, "victim@example.com", nil)
	is.Equal(fault.KindOf(err), fault.Forbidden) // only to one's own address
	e, err := s.TestSend(ctx, f.admin, o.ID, "", nil)
	is.NoErr(err)
	is.Equal(e.RecipientEmail, "admin@example.com")

	c, err := s.CreateTemplate(ctx, f.creator, notify.CreatorScope(), receiptTemplate("mine"))
	is.NoErr(err)
	_, err = s.UpdateTemplate(ctx, f.owner, notify.CreatorScope(), c.ID, notify.TemplatePatch{Subject: store.Some("theirs")})
	is.Equal(fault.KindOf(err), fault.NotFound) // another user's creator template is not in your scope
}

func TestRetriesThenDelivers(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	m := &flaky{fails: 2, err: errors.New("connection refused")}
	s := newService(t, db, m, fastConfig())

	e, err := s.Send(t.Context(), notify.Request{Template: notify.TemplatePasswordChanged, To: "a@example.com", Data: map[string]string{"userName": "A"}})
	is.NoErr(err)
	done := waitFor(t, db, e.ID, store.EmailSuccess)
	is.Equal(done.Attempts, 3)
	is.Equal(done.Error, nil)
	is.Equal(len(m.out.Messages()), 1)
}

func TestFailsAfterMaxAttempts(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	m := &flaky{fails: 1000, err: errors.New("451 try later")}
	s := newService(t, db, m, fastConfig()) // MaxAttempts 4

	e, err := s.Send(t.Context(), notify.Request{Template: notify.TemplatePasswordChanged, To: "a@example.com"})
	is.NoErr(err)
	done := waitFor(t, db, e.ID, store.EmailFailed)
	is.Equal(done.Attempts, 4)
	is.Equal(*done.Error, "451 try later")
	is.Equal(done.Metadata, nil)
	is.Equal(m.Calls(), 4)
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	m := &flaky{fails: 1000, err: notify.Permanent(errors.New("550 no such user"))}
	s := newService(t, db, m, fastConfig())

	e, err := s.Send(t.Context(), notify.Request{Template: notify.TemplatePasswordChanged, To: "a@example.com"})
	is.NoErr(err)
	done := waitFor(t, db, e.ID, store.EmailFailed)
	is.Equal(done.Attempts, 1)
	is.Equal(m.Calls(), 1)
}

// stuck never answers until its context ends, like a provider that hangs
// while the process shuts down.
type stuck struct{ started chan struct{} }

func (s stuck) Send(ctx context.Context, m notify.Message) error {
	select {
	case s.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

func TestRestartDeliversPendingMail(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	first := notify.New(db, stuck{started: make(chan struct{}, 1)}, fastConfig())
	var ids []uuid.UUID
	for i := range 3 {
		e, err := first.Send(t.Context(), notify.Request{Template: notify.TemplatePasswordChanged, To: fmt.Sprintf("u%d@example.com", i)})
		is.NoErr(err)
		ids = append(ids, e.ID)
	}
	is.NoErr(first.Close()) // mid-delivery

	for _, id := range ids {
		e, err := db.EmailLog().Get(t.Context(), id)
		is.NoErr(err)
		is.Equal(e.Status, store.EmailPending) // nothing lost
		is.Equal(e.Attempts, 0)                // shutting down is not a failed attempt
	}

	var out notify.Outbox
	newService(t, db, &out, fastConfig())
	for _, id := range ids {
		waitFor(t, db, id, store.EmailSuccess)
	}
	is.Equal(len(out.Messages()), 3)
}

func TestUnsubscribe(t *testing.T) {
	is := is.New(t)
	db := memory.New()
	var out notify.Outbox
	s := newService(t, db, &out, fastConfig())
	ctx := t.Context()
	notice := notify.Request{Template: notify.TemplateTranscodingFinished, To: "creator@example.com",
		Data: map[string]string{"userName": "C", "mediaTitle": "Clip", "mediaUrl": "https://codex.test/m/1"}}

	_, err := s.Send(ctx, notice)
	is.NoErr(err)
	m, ok := out.Wait("creator@example.com", notify.TemplateTranscodingFinished, 5*time.Second)
	is.True(ok)
	link := s.UnsubscribeURL("creator@example.com")
	is.Equal(m.Headers["List-Unsubscribe"], "<"+link+">")
	is.Equal(m.Headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
	is.True(strings.Contains(m.Text, link))

	u, err := url.Parse(link)
	is.NoErr(err)
	token := u.Query().Get("token")
	_, err = s.Unsubscribe(ctx, token[:len(token)-2]+"xx")
	is.Equal(fault.KindOf(err), fault.Invalid)
	other := notify.New(db, &out, notify.Config{Secret: []byte("another secret, another platform"), Log: quiet})
	defer other.Close()
	_, err = other.Unsubscribe(ctx, token)
	is.Equal(fault.KindOf(err), fault.Invalid) // tokens are bound to the secret
	addr, err := s.Unsubscribe(ctx, token)
	is.NoErr(err)
	is.Equal(addr, "creator@example.com")
	_, err = s.Unsubscribe(ctx, token)
	is.NoErr(err) // twice is fine

	before := len(out.Messages())
	e, err := s.Send(ctx, notice)
	is.NoErr(err)
	is.Equal(e.Status, store.EmailFailed)
	is.Equal(*e.Error, notify.Skipped)
	// Transactional mail still goes out.
	r, err := s.Send(ctx, notify.Request{Template: notify.TemplatePasswordChanged, To: "creator@example.com"})
	is.NoErr(err)
	waitFor(t, db, r.ID, store.EmailSuccess)
	msgs := out.Messages()
	is.Equal(len(msgs), before+1)
	is.Equal(msgs[len(msgs)-1].Tag, notify.TemplatePasswordChanged)

	is.NoErr(s.Resubscribe(ctx, "creator@example.com"))
	e, err = s.Send(ctx, notice)
	is.NoErr(err)
	is.Equal(e.Status, store.EmailPending)
}

func TestLoadOrCreateSecretPersists(t *testing.T) {
	is := is.New(t)
	dir := t.TempDir()
	a, err := notify.LoadOrCreateSecret(dir)
	is.NoErr(err)
	is.Equal(len(a), 32)
	b, err := notify.LoadOrCreateSecret(dir)
	is.NoErr(err)
	is.Equal(a, b) // links survive a restart
}
