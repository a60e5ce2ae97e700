package postgres

import (
	"context"
	"time"

	"github.com/codexforgo/codex/store"
)

// ---- users ----

type userRepo repos

const userCols = "id, name, email, email_verified, image, role, created_at, updated_at"

func scanUser(s scanner) (*store.User, error) {
	var u store.User
	err := s.Scan(&u.ID, &u.Name, &u.Email, &u.EmailVerified, &u.Image, &u.Role, &u.CreatedAt, &u.UpdatedAt)
	return &u, err
}

func (r userRepo) Create(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		u.ID = store.NewTextID()
	}
	got, err := queryOne(ctx, r.q, "create user", scanUser,
		`INSERT INTO users (id, name, email, email_verified, image, role, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 RETURNING `+userCols,
		u.ID, u.Name, u.Email, u.EmailVerified, u.Image, u.Role)
	if err != nil {
		return err
	}
	*u = *got
	return nil
}

func (r userRepo) Get(ctx context.Context, id string) (*store.User, error) {
	return queryOne(ctx, r.q, "get user", scanUser, "SELECT "+userCols+" FROM users WHERE id = $1", id)
}

func (r userRepo) GetByEmail(ctx context.Context, email string) (*store.User, error) {
	return queryOne(ctx, r.q, "get user by email", scanUser, "SELECT "+userCols+" FROM users WHERE email = $1", email)
}

func (r userRepo) Update(ctx context.Context, id string, p store.UserPatch) (*store.User, error) {
	var a args
	s := newSetter(&a)
	set(s, "name", p.Name)
	set(s, "image", p.Image)
	set(s, "role", p.Role)
	set(s, "email_verified", p.EmailVerified)
	return queryOne(ctx, r.q, "update user", scanUser,
		"UPDATE users SET "+s.sql()+" WHERE id = "+a.add(id)+" RETURNING "+userCols, a...)
}

// ---- accounts ----

type accountRepo repos

const accountCols = "id, account_id, provider_id, user_id, coalesce(password, ''), created_at, updated_at"

func scanAccount(s scanner) (*store.Account, error) {
	var a store.Account
	err := s.Scan(&a.ID, &a.AccountID, &a.ProviderID, &a.UserID, &a.PasswordHash, &a.CreatedAt, &a.UpdatedAt)
	return &a, err
}

func (r accountRepo) Create(ctx context.Context, a *store.Account) error {
	if a.ID == "" {
		a.ID = store.NewTextID()
	}
	got, err := queryOne(ctx, r.q, "create account", scanAccount,
		`INSERT INTO accounts (id, account_id, provider_id, user_id, password, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp())
		 RETURNING `+accountCols,
		a.ID, a.AccountID, a.ProviderID, a.UserID, nullIfEmpty(a.PasswordHash))
	if err != nil {
		return err
	}
	*a = *got
	return nil
}

func (r accountRepo) GetByUser(ctx context.Context, userID, providerID string) (*store.Account, error) {
	return queryOne(ctx, r.q, "get account", scanAccount,
		"SELECT "+accountCols+" FROM accounts WHERE user_id = $1 AND provider_id = $2 ORDER BY created_at, id COLLATE \"C\" LIMIT 1",
		userID, providerID)
}

func (r accountRepo) SetPassword(ctx context.Context, userID, providerID, hash string) error {
	return exec1(ctx, r.q, "set password",
		"UPDATE accounts SET password = $3, updated_at = clock_timestamp() WHERE user_id = $1 AND provider_id = $2",
		userID, providerID, hash)
}

// ---- sessions ----

type sessionRepo repos

// Text ids sort bytewise whatever the database's collation, as they do in
// the memory store.
const newestSessionFirst = `created_at DESC, id COLLATE "C" ASC`

const sessionCols = "id, token, user_id, expires_at, ip_address, user_agent, created_at, updated_at"

func scanSession(s scanner) (*store.Session, error) {
	var v store.Session
	err := s.Scan(&v.ID, &v.TokenHash, &v.UserID, &v.ExpiresAt, &v.IPAddress, &v.UserAgent, &v.CreatedAt, &v.UpdatedAt)
	return &v, err
}

func (r sessionRepo) Create(ctx context.Context, v *store.Session) error {
	if v.ID == "" {
		v.ID = store.NewTextID()
	}
	got, err := queryOne(ctx, r.q, "create session", scanSession,
		`INSERT INTO sessions (id, token, user_id, expires_at, ip_address, user_agent, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 RETURNING `+sessionCols,
		v.ID, v.TokenHash, v.UserID, v.ExpiresAt, v.IPAddress, v.UserAgent)
	if err != nil {
		return err
	}
	*v = *got
	return nil
}

func (r sessionRepo) GetWithUser(ctx context.Context, tokenHash string) (*store.Session, *store.User, error) {
	var v store.Session
	var u store.User
	err := r.q.QueryRow(ctx,
		`SELECT s.id, s.token, s.user_id, s.expires_at, s.ip_address, s.user_agent, s.created_at, s.updated_at,
		        u.id, u.name, u.email, u.email_verified, u.image, u.role, u.created_at, u.updated_at
		 FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.token = $1`, tokenHash).Scan(
		&v.ID, &v.TokenHash, &v.UserID, &v.ExpiresAt, &v.IPAddress, &v.UserAgent, &v.CreatedAt, &v.UpdatedAt,
		&u.ID, &u.Name, &u.Email, &u.EmailVerified, &u.Image, &u.Role, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, nil, mapErr(err, "get session with user")
	}
	return &v, &u, nil
}

func (r sessionRepo) Get(ctx context.Context, id string) (*store.Session, error) {
	return queryOne(ctx, r.q, "get session", scanSession, "SELECT "+sessionCols+" FROM sessions WHERE id = $1", id)
}

func (r sessionRepo) ListByUser(ctx context.Context, userID string, now time.Time) ([]store.Session, error) {
	return queryAll(ctx, r.q, "list sessions", scanSession,
		"SELECT "+sessionCols+" FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY "+newestSessionFirst,
		userID, now)
}

func (r sessionRepo) Extend(ctx context.Context, id string, expiresAt time.Time) error {
	return exec1(ctx, r.q, "extend session",
		"UPDATE sessions SET expires_at = $2, updated_at = clock_timestamp() WHERE id = $1", id, expiresAt)
}

func (r sessionRepo) Delete(ctx context.Context, id string) (*store.Session, error) {
	return queryOne(ctx, r.q, "delete session", scanSession,
		"DELETE FROM sessions WHERE id = $1 RETURNING "+sessionCols, id)
}

func (r sessionRepo) DeleteByUser(ctx context.Context, userID, exceptID string) ([]store.Session, error) {
	return queryAll(ctx, r.q, "delete user sessions", scanSession,
		`WITH d AS (DELETE FROM sessions WHERE user_id = $1 AND ($2 = '' OR id <> $2) RETURNING *)
		 SELECT `+sessionCols+" FROM d ORDER BY "+newestSessionFirst,
		userID, exceptID)
}

func (r sessionRepo) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	tag, err := r.q.Exec(ctx, "DELETE FROM sessions WHERE expires_at < $1", now)
	if err != nil {
		return 0, mapErr(err, "delete expired sessions")
	}
	return int(tag.RowsAffected()), nil
}

// ---- verification ----

type verificationRepo repos

const newestVerificationFirst = `created_at DESC, id COLLATE "C" ASC`

const verificationCols = "id, identifier, value, expires_at, created_at, updated_at"

func scanVerification(s scanner) (*store.Verification, error) {
	var v store.Verification
	err := s.Scan(&v.ID, &v.Identifier, &v.Value, &v.ExpiresAt, &v.CreatedAt, &v.UpdatedAt)
	return &v, err
}

func (r verificationRepo) Create(ctx context.Context, v *store.Verification) error {
	if v.ID == "" {
		v.ID = store.NewTextID()
	}
	got, err := queryOne(ctx, r.q, "create verification", scanVerification,
		`INSERT INTO verification (id, identifier, value, expires_at, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())
		 RETURNING `+verificationCols,
		v.ID, v.Identifier, v.Value, v.ExpiresAt)
	if err != nil {
		return err
	}
	*v = *got
	return nil
}

func (r verificationRepo) Get(ctx context.Context, identifier string) (*store.Verification, error) {
	return queryOne(ctx, r.q, "get verification", scanVerification,
		"SELECT "+verificationCols+" FROM verification WHERE identifier = $1 ORDER BY "+newestVerificationFirst+" LIMIT 1",
		identifier)
}

// Consume deletes every row with the identifier, so a duplicate can never
// be redeemed later, and returns the newest. A concurrent Consume blocks on
// the row locks, then finds the rows gone and gets store.ErrNotFound.
func (r verificationRepo) Consume(ctx context.Context, identifier string) (*store.Verification, error) {
	return queryOne(ctx, r.q, "consume verification", scanVerification,
		`WITH d AS (DELETE FROM verification WHERE identifier = $1 RETURNING *)
		 SELECT `+verificationCols+" FROM d ORDER BY "+newestVerificationFirst+" LIMIT 1",
		identifier)
}

func (r verificationRepo) DeleteByValue(ctx context.Context, prefix, value string) (int, error) {
	// starts_with compares literally; LIKE would treat '%' and '_' in the
	// prefix as wildcards.
	tag, err := r.q.Exec(ctx, "DELETE FROM verification WHERE starts_with(identifier, $1) AND value = $2", prefix, value)
	if err != nil {
		return 0, mapErr(err, "delete verifications")
	}
	return int(tag.RowsAffected()), nil
}
