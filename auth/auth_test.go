package auth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// mailbox records what auth asked to send.
type mailbox struct {
	mu   sync.Mutex
	sent []auth.Email
}

func (m *mailbox) Send(_ context.Context, e auth.Email) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
}

func (m *mailbox) last(t *testing.T, to, template string) auth.Email {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].To == to && m.sent[i].Template == template {
			return m.sent[i]
		}
	}
	t.Fatalf("no %s email to %s", template, to)
	return auth.Email{}
}

// tokenIn extracts the token from a link in an email.
func tokenIn(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[strings.LastIndexByte(u.Path, '/')+1:]
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	svc   *auth.Service
	db    store.Store
	mail  *mailbox
	clock *clock
}

func newFixture(t *testing.T, mod func(*auth.Config)) *fixture {
	f := &fixture{db: memory.New(), mail: &mailbox{}, clock: &clock{now: time.Now().UTC()}}
	cfg := auth.Config{PublicURL: "http://localhost:8080", Now: f.clock.Now, OwnerEmails: []string{"owner@example.com"}}
	if mod != nil {
		mod(&cfg)
	}
	f.svc = auth.New(f.db, f.mail, cfg)
	return f
}

const password = "correct horse 1"

// verified signs a user up, follows the verification link and returns the session.
func (f *fixture) verified(t *testing.T, email string) *auth.Session {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.SignUp(ctx, auth.SignUp{Email: email, Password: password, Name: "Test User"}); err != nil {
		t.Fatal(err)
	}
	link := f.mail.last(t, strings.ToLower(email), auth.TemplateVerification).Data["verificationUrl"]
	s, err := f.svc.VerifyEmail(ctx, tokenIn(t, link), "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func code(err error) string { return fault.From(err).Code }

func TestSignUpNeverGrantsPrivilegedRoles(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, role := range []string{"platform_owner", "admin", "system", "creator"} {
		u, err := f.svc.SignUp(ctx, auth.SignUp{Email: role + "@example.com", Password: password, Name: "X", Role: role})
		is.NoErr(err)
		is.Equal(u.Role, store.RoleCustomer)
		is.True(!u.EmailVerified)
	}
	f = newFixture(t, func(c *auth.Config) { c.CreatorSignup = true })
	u, err := f.svc.SignUp(ctx, auth.SignUp{Email: "c@example.com", Password: password, Name: "C", Role: "creator"})
	is.NoErr(err)
	is.Equal(u.Role, store.RoleCreator)
	u, err = f.svc.SignUp(ctx, auth.SignUp{Email: "p@example.com", Password: password, Name: "P", Role: "platform_owner"})
	is.NoErr(err)
	is.Equal(u.Role, store.RoleCustomer)
}

func TestSignUpRejectsBadInput(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	cases := []struct {
		in   auth.SignUp
		code string
	}{
		{auth.SignUp{Email: "not-an-email", Password: password, Name: "A"}, auth.CodeInvalidEmail},
		{auth.SignUp{Email: "a@example.com", Password: "short1", Name: "A"}, auth.CodePasswordTooShort},
		{auth.SignUp{Email: "a@example.com", Password: strings.Repeat("a1", 65), Name: "A"}, auth.CodePasswordTooLong},
		{auth.SignUp{Email: "a@example.com", Password: "onlyletters", Name: "A"}, auth.CodePasswordTooWeak},
		{auth.SignUp{Email: "a@example.com", Password: password, Name: "  "}, auth.CodeInvalidName},
	}
	for _, c := range cases {
		_, err := f.svc.SignUp(ctx, c.in)
		is.True(errors.Is(err, fault.Invalid))
		is.Equal(code(err), c.code)
	}
	_, err := f.svc.SignUp(ctx, auth.SignUp{Email: "A@Example.com", Password: password, Name: "A"})
	is.NoErr(err)
	_, err = f.svc.SignUp(ctx, auth.SignUp{Email: "a@example.com", Password: password, Name: "A"})
	is.Equal(code(err), auth.CodeUserExists)
	is.Equal(fault.KindOf(err).Status(), 422)
}

func TestSignInRequiresVerificationAndLinkWorksOnce(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.svc.SignUp(ctx, auth.SignUp{Email: "v@example.com", Password: password, Name: "V"})
	is.NoErr(err)

	_, err = f.svc.SignIn(ctx, auth.SignIn{Email: "v@example.com", Password: password})
	is.Equal(code(err), auth.CodeEmailNotVerified)
	is.True(errors.Is(err, fault.Forbidden))

	link := f.mail.last(t, "v@example.com", auth.TemplateVerification).Data["verificationUrl"]
	is.True(strings.HasPrefix(link, "http://localhost:8080/api/auth/verify-email?token="))
	tok := tokenIn(t, link)
	s, err := f.svc.VerifyEmail(ctx, tok, "", "")
	is.NoErr(err)
	is.True(s.User.EmailVerified)
	a, err := f.svc.Authenticate(ctx, s.Token)
	is.NoErr(err)
	is.Equal(a.UserID, s.User.ID)

	_, err = f.svc.VerifyEmail(ctx, tok, "", "")
	is.Equal(code(err), auth.CodeInvalidToken) // single use

	_, err = f.svc.SignIn(ctx, auth.SignIn{Email: "V@example.com", Password: password})
	is.NoErr(err)
}

func TestVerificationExpiresAndResendReplacesLink(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.svc.SignUp(ctx, auth.SignUp{Email: "e@example.com", Password: password, Name: "E"})
	is.NoErr(err)
	first := tokenIn(t, f.mail.last(t, "e@example.com", auth.TemplateVerification).Data["verificationUrl"])
	is.NoErr(f.svc.ResendVerification(ctx, "e@example.com", ""))
	second := tokenIn(t, f.mail.last(t, "e@example.com", auth.TemplateVerification).Data["verificationUrl"])
	is.True(first != second)
	_, err = f.svc.VerifyEmail(ctx, first, "", "")
	is.Equal(code(err), auth.CodeInvalidToken) // replaced

	f.clock.Add(25 * time.Hour)
	_, err = f.svc.VerifyEmail(ctx, second, "", "")
	is.Equal(code(err), auth.CodeTokenExpired)
	_, err = f.svc.VerifyEmail(ctx, second, "", "")
	is.Equal(code(err), auth.CodeInvalidToken) // consumed even though expired

	is.NoErr(f.svc.ResendVerification(ctx, "nobody@example.com", "")) // answers alike
	_, err = f.svc.VerifyEmail(ctx, "forged-token", "", "")
	is.Equal(code(err), auth.CodeInvalidToken)
}

func TestOwnerEmailBecomesPlatformOwnerOnceVerified(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	u, err := f.svc.SignUp(ctx, auth.SignUp{Email: "owner@example.com", Password: password, Name: "O"})
	is.NoErr(err)
	is.Equal(u.Role, store.RoleCustomer)
	link := f.mail.last(t, "owner@example.com", auth.TemplateVerification).Data["verificationUrl"]
	s, err := f.svc.VerifyEmail(ctx, tokenIn(t, link), "", "")
	is.NoErr(err)
	is.Equal(s.User.Role, store.RolePlatformOwner)
}

func TestWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	f.verified(t, "w@example.com")
	_, err1 := f.svc.SignIn(ctx, auth.SignIn{Email: "w@example.com", Password: "wrong password 1"})
	_, err2 := f.svc.SignIn(ctx, auth.SignIn{Email: "nobody@example.com", Password: "wrong password 1"})
	is.Equal(fault.From(err1).Code, fault.From(err2).Code)
	is.Equal(fault.From(err1).Message, fault.From(err2).Message)
	is.Equal(fault.KindOf(err1), fault.Unauthenticated)
}

func TestSignOutRevokesEvenCachedSession(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s := f.verified(t, "o@example.com")
	_, err := f.svc.Authenticate(ctx, s.Token) // warm the cache
	is.NoErr(err)
	is.NoErr(f.svc.SignOut(ctx, s.Token))
	_, err = f.svc.Authenticate(ctx, s.Token)
	is.True(errors.Is(err, fault.Unauthenticated))
	is.NoErr(f.svc.SignOut(ctx, s.Token)) // idempotent
}

func TestSessionsExpireAndSlide(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s := f.verified(t, "s@example.com")
	f.clock.Add(20 * time.Hour)
	_, err := f.svc.Authenticate(ctx, s.Token) // used: extends to now+24h
	is.NoErr(err)
	f.clock.Add(20 * time.Hour)
	_, err = f.svc.Authenticate(ctx, s.Token)
	is.NoErr(err)
	f.clock.Add(25 * time.Hour) // idle past the TTL
	_, err = f.svc.Authenticate(ctx, s.Token)
	is.True(errors.Is(err, fault.Unauthenticated))
}

func TestPasswordResetRevokesSessionsAndTokenWorksOnce(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s := f.verified(t, "r@example.com")
	_, err := f.svc.Authenticate(ctx, s.Token)
	is.NoErr(err)

	is.NoErr(f.svc.RequestPasswordReset(ctx, "r@example.com", ""))
	is.NoErr(f.svc.RequestPasswordReset(ctx, "nobody@example.com", ""))
	tok := tokenIn(t, f.mail.last(t, "r@example.com", auth.TemplatePasswordReset).Data["resetUrl"])
	is.NoErr(f.svc.CheckResetToken(ctx, tok))

	err = f.svc.ResetPassword(ctx, tok, "short")
	is.Equal(code(err), auth.CodePasswordTooShort)
	is.NoErr(f.svc.ResetPassword(ctx, tok, "new password 2"))
	is.Equal(code(f.svc.ResetPassword(ctx, tok, "new password 3")), auth.CodeInvalidToken)

	_, err = f.svc.Authenticate(ctx, s.Token)
	is.True(errors.Is(err, fault.Unauthenticated)) // old session gone
	f.mail.last(t, "r@example.com", auth.TemplatePasswordChanged)
	_, err = f.svc.SignIn(ctx, auth.SignIn{Email: "r@example.com", Password: password})
	is.Equal(code(err), auth.CodeInvalidCredentials)
	_, err = f.svc.SignIn(ctx, auth.SignIn{Email: "r@example.com", Password: "new password 2"})
	is.NoErr(err)

	is.NoErr(f.svc.RequestPasswordReset(ctx, "r@example.com", ""))
	tok = tokenIn(t, f.mail.last(t, "r@example.com", auth.TemplatePasswordReset).Data["resetUrl"])
	f.clock.Add(2 * time.Hour)
	is.Equal(code(f.svc.ResetPassword(ctx, tok, "new password 4")), auth.CodeTokenExpired)
}

func TestChangePasswordRevokesEverySession(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s1 := f.verified(t, "c@example.com")
	s2, err := f.svc.SignIn(ctx, auth.SignIn{Email: "c@example.com", Password: password})
	is.NoErr(err)
	a, err := f.svc.Authenticate(ctx, s1.Token)
	is.NoErr(err)

	_, err = f.svc.ChangePassword(ctx, a, "wrong password 9", "another pass 5", "", "")
	is.Equal(code(err), auth.CodeInvalidPassword)

	fresh, err := f.svc.ChangePassword(ctx, a, password, "another pass 5", "", "")
	is.NoErr(err)
	for _, old := range []string{s1.Token, s2.Token} {
		_, err = f.svc.Authenticate(ctx, old)
		is.True(errors.Is(err, fault.Unauthenticated))
	}
	_, err = f.svc.Authenticate(ctx, fresh.Token)
	is.NoErr(err)
}

func TestSessionManagement(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s1 := f.verified(t, "m@example.com")
	s2, _ := f.svc.SignIn(ctx, auth.SignIn{Email: "m@example.com", Password: password})
	s3, _ := f.svc.SignIn(ctx, auth.SignIn{Email: "m@example.com", Password: password})
	a, err := f.svc.Authenticate(ctx, s1.Token)
	is.NoErr(err)

	list, err := f.svc.ListSessions(ctx, a)
	is.NoErr(err)
	is.Equal(len(list), 3)

	is.NoErr(f.svc.RevokeSession(ctx, a, s2.Session.ID))
	_, err = f.svc.Authenticate(ctx, s2.Token)
	is.True(errors.Is(err, fault.Unauthenticated))

	other := f.verified(t, "other@example.com")
	oa, _ := f.svc.Authenticate(ctx, other.Token)
	is.True(errors.Is(f.svc.RevokeSession(ctx, oa, s3.Session.ID), fault.NotFound)) // not theirs

	is.NoErr(f.svc.RevokeOtherSessions(ctx, a))
	_, err = f.svc.Authenticate(ctx, s3.Token)
	is.True(errors.Is(err, fault.Unauthenticated))
	_, err = f.svc.Authenticate(ctx, s1.Token)
	is.NoErr(err)
}

func TestSetRoleOnlyByPlatformOwnerAndRevokes(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	owner := f.verified(t, "owner@example.com")
	user := f.verified(t, "u@example.com")
	ua, _ := f.svc.Authenticate(ctx, user.Token)
	oa, _ := f.svc.Authenticate(ctx, owner.Token)

	_, err := f.svc.SetRole(ctx, ua, ua.UserID, store.RolePlatformOwner)
	is.True(errors.Is(err, fault.Forbidden))

	u, err := f.svc.SetRole(ctx, oa, ua.UserID, store.RoleCreator)
	is.NoErr(err)
	is.Equal(u.Role, store.RoleCreator)
	_, err = f.svc.Authenticate(ctx, user.Token)
	is.True(errors.Is(err, fault.Unauthenticated)) // sessions revoked

	_, err = f.svc.SetRole(ctx, oa, oa.UserID, store.RoleCustomer)
	is.Equal(code(err), auth.CodeCannotChangeOwnRole)
	_, err = f.svc.SetRole(ctx, oa, ua.UserID, "emperor")
	is.Equal(code(err), auth.CodeInvalidRole)
}

func TestUpdateProfile(t *testing.T) {
	is := is.New(t)
	f := newFixture(t, nil)
	ctx := context.Background()
	s := f.verified(t, "p@example.com")
	a, _ := f.svc.Authenticate(ctx, s.Token)
	name, img := "New Name", "https://cdn.example.com/me.png"
	pimg := &img
	u, err := f.svc.UpdateProfile(ctx, a, auth.Profile{Name: &name, Image: &pimg})
	is.NoErr(err)
	is.Equal(u.Name, "New Name")
	is.Equal(*u.Image, img)
	bad := "javascript:alert(1)"
	pbad := &bad
	_, err = f.svc.UpdateProfile(ctx, a, auth.Profile{Image: &pbad})
	is.Equal(code(err), auth.CodeInvalidImage)
	a2, _ := f.svc.Authenticate(ctx, s.Token)
	is.Equal(a2.Name, "New Name") // cache refreshed
}

// countingStore counts session lookups to prove cache hits skip the database.
type countingStore struct {
	store.Store
	lookups *atomic.Int64
}

func (c countingStore) Sessions() store.SessionRepo {
	return countingSessions{c.Store.Sessions(), c.lookups}
}

type countingSessions struct {
	store.SessionRepo
	n *atomic.Int64
}

func (c countingSessions) GetWithUser(ctx context.Context, h string) (*store.Session, *store.User, error) {
	c.n.Add(1)
	return c.SessionRepo.GetWithUser(ctx, h)
}

func TestAuthenticateCachesAndSeesMembershipChanges(t *testing.T) {
	is := is.New(t)
	var n atomic.Int64
	f := newFixture(t, nil)
	cs := countingStore{f.db, &n}
	svc := auth.New(cs, f.mail, auth.Config{PublicURL: "http://x", Now: f.clock.Now})
	f.svc = svc
	ctx := context.Background()
	s := f.verified(t, "k@example.com")
	for range 5 {
		_, err := svc.Authenticate(ctx, s.Token)
		is.NoErr(err)
	}
	is.Equal(n.Load(), int64(1))

	org := &store.Organization{Name: "O", Slug: "o"}
	is.NoErr(f.db.Organizations().Create(ctx, org))
	is.NoErr(f.db.Memberships().Create(ctx, &store.Membership{OrganizationID: org.ID, UserID: s.User.ID, Role: store.MemberAdmin, Status: store.MembershipActive}))
	svc.InvalidateUser(s.User.ID)
	a, err := svc.Authenticate(ctx, s.Token)
	is.NoErr(err)
	is.True(a.Manages(org.ID))
	is.NoErr(actor.RequireManager(a, org.ID))
}

func BenchmarkSignIn(b *testing.B) {
	f := newFixture(&testing.T{}, nil)
	ctx := context.Background()
	_, _ = f.svc.SignUp(ctx, auth.SignUp{Email: "b@example.com", Password: password, Name: "B"})
	f.db.Users().Update(ctx, mustUser(f, "b@example.com"), store.UserPatch{EmailVerified: store.Some(true)})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.SignIn(ctx, auth.SignIn{Email: "b@example.com", Password: password}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticateCached(b *testing.B) {
	f := newFixture(&testing.T{}, nil)
	ctx := context.Background()
	_, _ = f.svc.SignUp(ctx, auth.SignUp{Email: "b@example.com", Password: password, Name: "B"})
	f.db.Users().Update(ctx, mustUser(f, "b@example.com"), store.UserPatch{EmailVerified: store.Some(true)})
	s, err := f.svc.SignIn(ctx, auth.SignIn{Email: "b@example.com", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.svc.Authenticate(ctx, s.Token); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func mustUser(f *fixture, email string) string {
	u, err := f.db.Users().GetByEmail(context.Background(), email)
	if err != nil {
		panic(err)
	}
	return u.ID
}
