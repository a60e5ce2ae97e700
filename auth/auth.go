// Package auth owns accounts and sessions: sign-up, sign-in, sign-out,
// email verification, password reset and change, profile, session
// management, platform roles, and turning a session token into an actor.
//
// Tokens (session, verification, reset) are 32 random bytes; only their
// SHA-256 is stored. Passwords are argon2id. Roles are never chosen by the
// client, apart from the creator role when CreatorSignup allows it.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/store"
)

// Email is a message auth asks the notification service to send. The
// template names and data keys are those of the reference templates.
type Email struct {
	Template string // email-verification, password-reset, password-changed
	To       string
	Data     map[string]string
}

// Emailer sends product emails. Send must not block on delivery or fail the
// caller: delivery problems are the emailer's to retry and log.
type Emailer interface {
	Send(ctx context.Context, e Email)
}

// Template names auth sends.
const (
	TemplateVerification    = "email-verification"
	TemplatePasswordReset   = "password-reset"
	TemplatePasswordChanged = "password-changed"
)

// Config configures the service. Zero durations take the defaults.
type Config struct {
	// PublicURL is the base of links in emails (no trailing slash).
	PublicURL string
	// OwnerEmails become platform owners once verified (lower-case).
	OwnerEmails []string
	// CreatorSignup lets sign-up request the creator role.
	CreatorSignup bool
	// SessionTTL is the idle lifetime of a session (default 24 h); use
	// extends it, at most once per SessionRefresh (default 1 h), up to
	// SessionMaxAge after sign-in (default 30 days).
	SessionTTL     time.Duration
	SessionRefresh time.Duration
	SessionMaxAge  time.Duration
	// VerificationTTL (default 24 h) and ResetTTL (default 1 h).
	VerificationTTL time.Duration
	ResetTTL        time.Duration
	// CacheTTL bounds how long a resolved session is trusted without a
	// database read (default 30 s, at most 60 s).
	CacheTTL time.Duration
	// HashConcurrency bounds simultaneous password hashes (default NumCPU).
	HashConcurrency int
	// Evictions shares cache evictions with other instances (nil: this
	// process only). See Eviction.
	Evictions Evictions
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.SessionTTL, 24*time.Hour)
	set(&c.SessionRefresh, time.Hour)
	set(&c.SessionMaxAge, 30*24*time.Hour)
	set(&c.VerificationTTL, 24*time.Hour)
	set(&c.ResetTTL, time.Hour)
	set(&c.CacheTTL, 30*time.Second)
	if c.CacheTTL > time.Minute {
		c.CacheTTL = time.Minute
	}
	if c.HashConcurrency <= 0 {
		c.HashConcurrency = runtime.NumCPU()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// Service is the accounts and sessions service.
type Service struct {
	cfg    Config
	db     store.Store
	emails Emailer
	hash   *hasher
	cache  *sessionCache
}

// New returns the service.
func New(db store.Store, emails Emailer, cfg Config) *Service {
	cfg.defaults()
	return &Service{
		cfg:    cfg,
		db:     db,
		emails: emails,
		hash:   newHasher(defaultParams, cfg.HashConcurrency),
		cache:  newSessionCache(cfg.CacheTTL, 100_000),
	}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Eviction drops cached sessions: the one with TokenHash, or every session
// of UserID except ExceptSession.
type Eviction struct {
	TokenHash     string `json:"h,omitempty"`
	UserID        string `json:"u,omitempty"`
	ExceptSession string `json:"x,omitempty"`
}

// Evictions carries evictions between instances that share a database, so
// a session revoked on one is refused by every instance at once rather
// than after the cache TTL. Publish must not block for long; a lost message
// is bounded by the TTL.
type Evictions interface {
	Publish(ctx context.Context, e Eviction)
}

// ApplyEviction applies an eviction received from another instance.
func (s *Service) ApplyEviction(e Eviction) {
	if e.TokenHash != "" {
		s.cache.evict(e.TokenHash)
	}
	if e.UserID != "" {
		s.cache.evictUser(e.UserID, e.ExceptSession)
	}
}

// evict drops cached sessions here and tells the other instances.
func (s *Service) evict(ctx context.Context, e Eviction) {
	s.ApplyEviction(e)
	if s.cfg.Evictions != nil {
		s.cfg.Evictions.Publish(context.WithoutCancel(ctx), e)
	}
}

// ---- inputs and outputs ----

// SignUp is a new account.
type SignUp struct {
	Email    string
	Password string
	Name     string
	Image    *string
	// Role may be "creator" when creator sign-up is enabled; anything else
	// is ignored and the account is a customer.
	Role string
	// CallbackURL, a relative path or an allowed origin, is where the
	// verification link finally redirects.
	CallbackURL string
}

// SignIn is a sign-in attempt.
type SignIn struct {
	Email     string
	Password  string
	IPAddress string
	UserAgent string
}

// Session is a freshly issued session: Token is the bearer secret, shown
// once and never stored.
type Session struct {
	Token   string
	Session store.Session
	User    store.User
}

// Profile changes the signed-in user's profile; nil fields stay.
type Profile struct {
	Name  *string
	Image **string // set to a nil *string to remove the image
}

// ---- validation ----

// NormalizeEmail trims and lower-cases an address and checks its syntax.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if !notify.ValidAddress(e) {
		return "", invalid(CodeInvalidEmail, "body.email", "Invalid email format")
	}
	return e, nil
}

func checkName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return "", invalid(CodeInvalidName, "body.name", "Name is required")
	}
	if utf8.RuneCountInString(n) > 100 {
		return "", invalid(CodeInvalidName, "body.name", "Name must be 100 characters or less")
	}
	return n, nil
}

// checkImage accepts an absolute http(s) URL of at most 2048 bytes.
func checkImage(img *string) (*string, error) {
	if img == nil {
		return nil, nil
	}
	v := strings.TrimSpace(*img)
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || len(v) > 2048 || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid(CodeInvalidImage, "body.image", "Image must be an http(s) URL")
	}
	return &v, nil
}

func checkNewPassword(path, p string) error {
	if code, msg := checkPassword(p); code != "" {
		return invalid(code, path, msg)
	}
	return nil
}

// ---- sign-up, verification ----

// SignUp creates an unverified account and emails a verification link.
func (s *Service) SignUp(ctx context.Context, in SignUp) (*store.User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := checkNewPassword("body.password", in.Password); err != nil {
		return nil, err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return nil, err
	}
	image, err := checkImage(in.Image)
	if err != nil {
		return nil, err
	}
	role := store.RoleCustomer
	if s.cfg.CreatorSignup && in.Role == string(store.RoleCreator) {
		role = store.RoleCreator
	}
	hash, err := s.hash.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := &store.User{Email: email, Name: name, Image: image, Role: role}
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		return tx.Accounts().Create(ctx, &store.Account{
			AccountID: u.ID, ProviderID: store.ProviderCredential, UserID: u.ID, PasswordHash: hash,
		})
	})
	if store.IsConstraint(err, store.Unique, store.ConstraintUserEmail) {
		return nil, errUserExists
	}
	if err != nil {
		return nil, err
	}
	if err := s.sendVerification(ctx, u, in.CallbackURL); err != nil {
		// The account exists; the user can ask for a new link.
		s.cfg.Log.ErrorContext(ctx, "verification email", "err", err, "user_id", u.ID)
	}
	return u, nil
}

const (
	verifyPrefix = "email-verify:"
	resetPrefix  = "reset-password:"
)

func (s *Service) sendVerification(ctx context.Context, u *store.User, callback string) error {
	token := newToken()
	now := s.now()
	err := s.db.RunInTx(ctx, func(tx store.Repos) error {
		// Only the newest link works.
		if _, err := tx.Verifications().DeleteByValue(ctx, verifyPrefix, u.ID); err != nil {
			return err
		}
		return tx.Verifications().Create(ctx, &store.Verification{
			Identifier: verifyPrefix + hashToken(token), Value: u.ID, ExpiresAt: now.Add(s.cfg.VerificationTTL),
		})
	})
	if err != nil {
		return err
	}
	q := url.Values{"token": {token}}
	if callback != "" {
		q.Set("callbackURL", callback)
	}
	link := s.cfg.PublicURL + "/api/auth/verify-email?" + q.Encode()
	s.emails.Send(ctx, Email{Template: TemplateVerification, To: u.Email, Data: map[string]string{
		"userName": u.Name, "verificationUrl": link, "expiryHours": fmt.Sprint(int(s.cfg.VerificationTTL.Hours())),
	}})
	return nil
}

// ResendVerification emails a new link when the address belongs to an
// unverified account. It answers the same whether or not it does, so it
// reveals nothing about which addresses have accounts.
func (s *Service) ResendVerification(ctx context.Context, email, callback string) error {
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	u, err := s.db.Users().GetByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.EmailVerified {
		return nil
	}
	return s.sendVerification(ctx, u, callback)
}

// VerifyEmail consumes a verification token, marks the address verified
// (promoting configured owner emails) and signs the user in with a new
// session. A token works once.
func (s *Service) VerifyEmail(ctx context.Context, token, ip, userAgent string) (*Session, error) {
	if !plausibleToken(token) {
		return nil, errInvalidToken
	}
	var out *Session
	err := s.db.RunInTx(ctx, func(tx store.Repos) error {
		v, err := tx.Verifications().Consume(ctx, verifyPrefix+hashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		if !s.now().Before(v.ExpiresAt) {
			return errTokenExpired
		}
		u, err := tx.Users().Get(ctx, v.Value)
		if errors.Is(err, store.ErrNotFound) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		p := store.UserPatch{EmailVerified: store.Some(true)}
		if s.isOwnerEmail(u.Email) {
			p.Role = store.Some(store.RolePlatformOwner)
		}
		if u, err = tx.Users().Update(ctx, u.ID, p); err != nil {
			return err
		}
		out, err = s.createSession(ctx, tx, u, ip, userAgent)
		return err
	})
	// An expired token is consumed all the same; commit that.
	if errors.Is(err, errTokenExpired) {
		s.db.Verifications().Consume(ctx, verifyPrefix+hashToken(token))
	}
	return out, err
}

func (s *Service) isOwnerEmail(email string) bool {
	return slices.Contains(s.cfg.OwnerEmails, email)
}

// ---- sign-in, sessions ----

// SignIn checks the credentials and issues a session. Unknown emails and
// wrong passwords answer alike and cost alike; an unverified account is
// refused only after a correct password.
func (s *Service) SignIn(ctx context.Context, in SignIn) (*Session, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	u, err := s.db.Users().GetByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	encoded := ""
	if u != nil {
		acc, err := s.db.Accounts().GetByUser(ctx, u.ID, store.ProviderCredential)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if acc != nil {
			encoded = acc.PasswordHash
		}
	}
	ok, err := s.hash.Verify(ctx, in.Password, encoded)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, errInvalidCredentials
	}
	if !u.EmailVerified {
		return nil, errEmailNotVerified
	}
	if s.isOwnerEmail(u.Email) && u.Role != store.RolePlatformOwner {
		if u, err = s.db.Users().Update(ctx, u.ID, store.UserPatch{Role: store.Some(store.RolePlatformOwner)}); err != nil {
			return nil, err
		}
	}
	return s.createSession(ctx, s.db, u, in.IPAddress, in.UserAgent)
}

func (s *Service) createSession(ctx context.Context, db store.Repos, u *store.User, ip, ua string) (*Session, error) {
	token := newToken()
	sess := &store.Session{
		TokenHash: hashToken(token),
		UserID:    u.ID,
		ExpiresAt: s.now().Add(s.cfg.SessionTTL),
		IPAddress: nonEmpty(ip),
		UserAgent: nonEmpty(truncate(ua, 512)),
	}
	if err := db.Sessions().Create(ctx, sess); err != nil {
		return nil, err
	}
	return &Session{Token: token, Session: *sess, User: *u}, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Authenticate resolves a session token to its actor. Lookups are served
// from a short-lived in-process cache; revocations through this service
// evict at once. An invalid or expired token is Unauthenticated; a database
// failure keeps its own kind (Unavailable) so callers can answer 503.
func (s *Service) Authenticate(ctx context.Context, token string) (*actor.Actor, error) {
	r, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	return r.actor, nil
}

// GetSession returns the session and user behind a token.
func (s *Service) GetSession(ctx context.Context, token string) (*store.Session, *store.User, error) {
	r, err := s.resolve(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	sess, user := r.session, r.user
	return &sess, &user, nil
}

func (s *Service) resolve(ctx context.Context, token string) (*resolved, error) {
	if !plausibleToken(token) {
		return nil, actor.ErrUnauthenticated
	}
	h := hashToken(token)
	now := s.now()
	if r, ok := s.cache.get(h, now); ok {
		return r, nil
	}
	sess, user, err := s.db.Sessions().GetWithUser(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, actor.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if !now.Before(sess.ExpiresAt) {
		// Expired sessions are removed on sight.
		s.db.Sessions().Delete(ctx, sess.ID)
		return nil, actor.ErrUnauthenticated
	}
	if now.Sub(sess.UpdatedAt) >= s.cfg.SessionRefresh {
		exp := now.Add(s.cfg.SessionTTL)
		if limit := sess.CreatedAt.Add(s.cfg.SessionMaxAge); exp.After(limit) {
			exp = limit
		}
		if exp.After(sess.ExpiresAt) {
			if err := s.db.Sessions().Extend(ctx, sess.ID, exp); err != nil {
				return nil, err
			}
			sess.ExpiresAt, sess.UpdatedAt = exp, now
		}
	}
	ms, err := s.db.Memberships().ListByUser(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	a := &actor.Actor{
		UserID: user.ID, SessionID: sess.ID, Email: user.Email, Name: user.Name,
		EmailVerified: user.EmailVerified, Role: user.Role,
	}
	for _, m := range ms {
		if m.Status == store.MembershipActive {
			a.Memberships = append(a.Memberships, actor.Membership{OrganizationID: m.OrganizationID, Role: m.Role})
		}
	}
	r := &resolved{actor: a, session: *sess, user: *user}
	s.cache.put(h, r, now)
	return r, nil
}

// SignOut revokes the session behind token. It succeeds whether or not the
// token was valid.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if !plausibleToken(token) {
		return nil
	}
	h := hashToken(token)
	s.evict(ctx, Eviction{TokenHash: h})
	sess, _, err := s.db.Sessions().GetWithUser(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.db.Sessions().Delete(ctx, sess.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// ListSessions returns the actor's live sessions (never their tokens).
func (s *Service) ListSessions(ctx context.Context, a *actor.Actor) ([]store.Session, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	return s.db.Sessions().ListByUser(ctx, a.UserID, s.now())
}

// RevokeSession revokes one of the actor's sessions by id.
func (s *Service) RevokeSession(ctx context.Context, a *actor.Actor, sessionID string) error {
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	sess, err := s.db.Sessions().Get(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sess.UserID != a.UserID) {
		return fault.New(fault.NotFound, CodeSessionNotFound, "Session not found")
	}
	if err != nil {
		return err
	}
	removed, err := s.db.Sessions().Delete(ctx, sessionID)
	if err != nil {
		return err
	}
	s.evict(ctx, Eviction{TokenHash: removed.TokenHash})
	return nil
}

// RevokeSessions revokes every session of the actor, this one included.
func (s *Service) RevokeSessions(ctx context.Context, a *actor.Actor) error {
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	return s.revokeUser(ctx, a.UserID, "")
}

// RevokeOtherSessions revokes every session of the actor but the current one.
func (s *Service) RevokeOtherSessions(ctx context.Context, a *actor.Actor) error {
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	return s.revokeUser(ctx, a.UserID, a.SessionID)
}

func (s *Service) revokeUser(ctx context.Context, userID, except string) error {
	_, err := s.db.Sessions().DeleteByUser(ctx, userID, except)
	// By user rather than by the deleted rows' hashes: one message for
	// every instance, and it also covers a session another instance cached
	// from a read that raced the delete.
	s.evict(ctx, Eviction{UserID: userID, ExceptSession: except})
	return err
}

// InvalidateUser drops cached sessions of the user so the next request sees
// fresh role and membership data. Other services call it after changing
// either.
func (s *Service) InvalidateUser(userID string) {
	s.evict(context.Background(), Eviction{UserID: userID})
}

// ---- passwords ----

// RequestPasswordReset emails a reset link when the address has an
// account. It answers the same either way and costs about the same.
func (s *Service) RequestPasswordReset(ctx context.Context, email, redirectTo string) error {
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	u, err := s.db.Users().GetByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token := newToken()
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		if _, err := tx.Verifications().DeleteByValue(ctx, resetPrefix, u.ID); err != nil {
			return err
		}
		return tx.Verifications().Create(ctx, &store.Verification{
			Identifier: resetPrefix + hashToken(token), Value: u.ID, ExpiresAt: s.now().Add(s.cfg.ResetTTL),
		})
	})
	if err != nil {
		return err
	}
	link := s.cfg.PublicURL + "/api/auth/reset-password/" + token
	if redirectTo != "" {
		link += "?" + url.Values{"callbackURL": {redirectTo}}.Encode()
	}
	s.emails.Send(ctx, Email{Template: TemplatePasswordReset, To: u.Email, Data: map[string]string{
		"userName": u.Name, "resetUrl": link, "expiryHours": fmt.Sprint(int(s.cfg.ResetTTL.Hours())),
	}})
	return nil
}

// CheckResetToken reports whether a reset token is valid, without using it.
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	if !plausibleToken(token) {
		return errInvalidToken
	}
	v, err := s.db.Verifications().Get(ctx, resetPrefix+hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return errInvalidToken
	}
	if err != nil {
		return err
	}
	if !s.now().Before(v.ExpiresAt) {
		return errTokenExpired
	}
	return nil
}

// ResetPassword sets a new password with a reset token, revokes every
// session of the user and tells them by email.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if err := checkNewPassword("body.newPassword", newPassword); err != nil {
		return err
	}
	if !plausibleToken(token) {
		return errInvalidToken
	}
	hash, err := s.hash.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	var user *store.User
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		v, err := tx.Verifications().Consume(ctx, resetPrefix+hashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return errInvalidToken
		}
		if err != nil {
			return err
		}
		if !s.now().Before(v.ExpiresAt) {
			return errTokenExpired
		}
		if user, err = tx.Users().Get(ctx, v.Value); err != nil {
			return err
		}
		err = tx.Accounts().SetPassword(ctx, user.ID, store.ProviderCredential, hash)
		if errors.Is(err, store.ErrNotFound) {
			err = tx.Accounts().Create(ctx, &store.Account{AccountID: user.ID, ProviderID: store.ProviderCredential, UserID: user.ID, PasswordHash: hash})
		}
		if err != nil {
			return err
		}
		// Receiving the reset email proves control of the address.
		if !user.EmailVerified {
			_, err = tx.Users().Update(ctx, user.ID, store.UserPatch{EmailVerified: store.Some(true)})
		}
		return err
	})
	if errors.Is(err, errTokenExpired) {
		s.db.Verifications().Consume(ctx, resetPrefix+hashToken(token))
	}
	if err != nil {
		return err
	}
	if err := s.revokeUser(ctx, user.ID, ""); err != nil {
		return err
	}
	s.passwordChanged(ctx, user)
	return nil
}

// ChangePassword replaces the actor's password after checking the current
// one. Every session of the user is revoked and a new one is issued for
// the caller.
func (s *Service) ChangePassword(ctx context.Context, a *actor.Actor, current, next, ip, userAgent string) (*Session, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	if err := checkNewPassword("body.newPassword", next); err != nil {
		return nil, err
	}
	acc, err := s.db.Accounts().GetByUser(ctx, a.UserID, store.ProviderCredential)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fault.New(fault.Invalid, CodeCredentialNotFound, "Credential account not found")
	}
	if err != nil {
		return nil, err
	}
	ok, err := s.hash.Verify(ctx, current, acc.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalid(CodeInvalidPassword, "body.currentPassword", "Invalid password")
	}
	hash, err := s.hash.Hash(ctx, next)
	if err != nil {
		return nil, err
	}
	if err := s.db.Accounts().SetPassword(ctx, a.UserID, store.ProviderCredential, hash); err != nil {
		return nil, err
	}
	if err := s.revokeUser(ctx, a.UserID, ""); err != nil {
		return nil, err
	}
	u, err := s.db.Users().Get(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	s.passwordChanged(ctx, u)
	return s.createSession(ctx, s.db, u, ip, userAgent)
}

func (s *Service) passwordChanged(ctx context.Context, u *store.User) {
	s.emails.Send(ctx, Email{Template: TemplatePasswordChanged, To: u.Email, Data: map[string]string{
		"userName": u.Name, "supportUrl": s.cfg.PublicURL,
	}})
}

// ---- profile and roles ----

// User returns a user by id.
func (s *Service) User(ctx context.Context, id string) (*store.User, error) {
	u, err := s.db.Users().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fault.New(fault.NotFound, CodeUserNotFound, "User not found")
	}
	return u, err
}

// UpdateProfile changes the actor's name and image. Email and role are not
// part of a profile.
func (s *Service) UpdateProfile(ctx context.Context, a *actor.Actor, p Profile) (*store.User, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	var patch store.UserPatch
	if p.Name != nil {
		n, err := checkName(*p.Name)
		if err != nil {
			return nil, err
		}
		patch.Name = store.Some(n)
	}
	if p.Image != nil {
		img, err := checkImage(*p.Image)
		if err != nil {
			return nil, err
		}
		patch.Image = store.Some(img)
	}
	u, err := s.db.Users().Update(ctx, a.UserID, patch)
	if err != nil {
		return nil, err
	}
	s.evict(ctx, Eviction{UserID: a.UserID})
	return u, nil
}

// SetRole changes a user's platform role. Only platform owners may, never
// their own role, and the user's sessions are revoked so the new role
// applies from the next sign-in.
func (s *Service) SetRole(ctx context.Context, a *actor.Actor, userID string, role store.Role) (*store.User, error) {
	if err := actor.RequireRole(a, store.RolePlatformOwner); err != nil {
		return nil, err
	}
	if !role.Valid() || role == store.RoleSystem {
		return nil, invalid(CodeInvalidRole, "body.role", "Role must be customer, creator, admin or platform_owner")
	}
	if userID == a.UserID {
		return nil, fault.New(fault.Unprocessable, CodeCannotChangeOwnRole, "You cannot change your own role")
	}
	u, err := s.db.Users().Update(ctx, userID, store.UserPatch{Role: store.Some(role)})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fault.New(fault.NotFound, CodeUserNotFound, "User not found")
	}
	if err != nil {
		return nil, err
	}
	if err := s.revokeUser(ctx, userID, ""); err != nil {
		return nil, err
	}
	return u, nil
}
