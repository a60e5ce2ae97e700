package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/codexforgo/codex/store"
)

// ---- users ----

type userRepo repos

func (r userRepo) Create(ctx context.Context, u *store.User) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(u)
		if rec.ID == "" {
			rec.ID = store.NewTextID()
		}
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if !rec.Role.Valid() {
			return checkErr("check_user_role")
		}
		if _, ok := st.users[rec.ID]; ok {
			return uniqueErr("users_pkey")
		}
		if _, ok := st.usersByEmail[rec.Email]; ok {
			return uniqueErr(store.ConstraintUserEmail)
		}
		st.users[rec.ID] = rec
		st.usersByEmail[rec.Email] = rec.ID
		*u = *clone(rec)
		return nil
	})
}

func (r userRepo) Get(ctx context.Context, id string) (u *store.User, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.users[id]
		u, err = orNil(ok, rec)
		return err
	})
	return u, err
}

func (r userRepo) GetByEmail(ctx context.Context, email string) (u *store.User, err error) {
	err = r.d.read(ctx, func(st *state) error {
		id, ok := st.usersByEmail[email]
		u, err = orNil(ok, st.users[id])
		return err
	})
	return u, err
}

func (r userRepo) Update(ctx context.Context, id string, p store.UserPatch) (u *store.User, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.users[id]
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Name, p.Name)
		set(&n.Image, p.Image)
		set(&n.Role, p.Role)
		set(&n.EmailVerified, p.EmailVerified)
		n.UpdatedAt = r.d.now()
		if !n.Role.Valid() {
			return checkErr("check_user_role")
		}
		rec := fresh(&n)
		st.users[id] = rec
		u = clone(rec)
		return nil
	})
	return u, err
}

// ---- accounts ----

type accountRepo repos

func (r accountRepo) Create(ctx context.Context, a *store.Account) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(a)
		if rec.ID == "" {
			rec.ID = store.NewTextID()
		}
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if _, ok := st.accounts[rec.ID]; ok {
			return uniqueErr("accounts_pkey")
		}
		if !st.userExists(rec.UserID) {
			return fkErr("accounts", "user_id")
		}
		st.accounts[rec.ID] = rec
		*a = *clone(rec)
		return nil
	})
}

// userAccounts returns the user's accounts with the provider, oldest first:
// nothing stops a user from having two.
func (st *state) userAccounts(userID, providerID string) []*store.Account {
	var out []*store.Account
	for _, a := range st.accounts {
		if a.UserID == userID && a.ProviderID == providerID {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *store.Account) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

func (r accountRepo) GetByUser(ctx context.Context, userID, providerID string) (a *store.Account, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rows := st.userAccounts(userID, providerID)
		if len(rows) == 0 {
			return store.ErrNotFound
		}
		a = clone(rows[0])
		return nil
	})
	return a, err
}

func (r accountRepo) SetPassword(ctx context.Context, userID, providerID, hash string) error {
	return r.d.write(ctx, func(st *state) error {
		rows := st.userAccounts(userID, providerID)
		if len(rows) == 0 {
			return store.ErrNotFound
		}
		now := r.d.now()
		for _, old := range rows {
			n := clone(old)
			n.PasswordHash = hash
			n.UpdatedAt = now
			st.accounts[n.ID] = n
		}
		return nil
	})
}

// ---- sessions ----

type sessionRepo repos

func (r sessionRepo) Create(ctx context.Context, s *store.Session) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(s)
		if rec.ID == "" {
			rec.ID = store.NewTextID()
		}
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if _, ok := st.sessions[rec.ID]; ok {
			return uniqueErr("sessions_pkey")
		}
		if _, ok := st.sessionsByToken[rec.TokenHash]; ok {
			return uniqueErr(store.ConstraintSessionToken)
		}
		if !st.userExists(rec.UserID) {
			return fkErr("sessions", "user_id")
		}
		st.sessions[rec.ID] = rec
		st.sessionsByToken[rec.TokenHash] = rec.ID
		*s = *clone(rec)
		return nil
	})
}

func (r sessionRepo) GetWithUser(ctx context.Context, tokenHash string) (s *store.Session, u *store.User, err error) {
	err = r.d.read(ctx, func(st *state) error {
		id, ok := st.sessionsByToken[tokenHash]
		if !ok {
			return store.ErrNotFound
		}
		rec := st.sessions[id]
		s, u = clone(rec), clone(st.users[rec.UserID])
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return s, u, nil
}

func (r sessionRepo) Get(ctx context.Context, id string) (s *store.Session, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.sessions[id]
		s, err = orNil(ok, rec)
		return err
	})
	return s, err
}

// newestFirst orders sessions created_at DESC, id.
func newestFirst(a, b *store.Session) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
}

func (r sessionRepo) ListByUser(ctx context.Context, userID string, now time.Time) (out []store.Session, err error) {
	err = r.d.read(ctx, func(st *state) error {
		now = dbTime(now)
		var rows []*store.Session
		for _, s := range st.sessions {
			if s.UserID == userID && s.ExpiresAt.After(now) {
				rows = append(rows, s)
			}
		}
		slices.SortFunc(rows, newestFirst)
		out = copyAll(rows)
		return nil
	})
	return out, err
}

func (r sessionRepo) Extend(ctx context.Context, id string, expiresAt time.Time) error {
	return r.d.write(ctx, func(st *state) error {
		old, ok := st.sessions[id]
		if !ok {
			return store.ErrNotFound
		}
		n := clone(old)
		n.ExpiresAt = dbTime(expiresAt)
		n.UpdatedAt = r.d.now()
		st.sessions[id] = n
		return nil
	})
}

func (st *state) deleteSession(s *store.Session) {
	delete(st.sessions, s.ID)
	delete(st.sessionsByToken, s.TokenHash)
}

func (r sessionRepo) Delete(ctx context.Context, id string) (s *store.Session, err error) {
	err = r.d.write(ctx, func(st *state) error {
		rec, ok := st.sessions[id]
		if !ok {
			return store.ErrNotFound
		}
		st.deleteSession(rec)
		s = clone(rec)
		return nil
	})
	return s, err
}

func (r sessionRepo) DeleteByUser(ctx context.Context, userID, exceptID string) (out []store.Session, err error) {
	err = r.d.write(ctx, func(st *state) error {
		var rows []*store.Session
		for _, s := range st.sessions {
			if s.UserID == userID && (exceptID == "" || s.ID != exceptID) {
				rows = append(rows, s)
			}
		}
		slices.SortFunc(rows, newestFirst)
		for _, s := range rows {
			st.deleteSession(s)
		}
		out = copyAll(rows)
		return nil
	})
	return out, err
}

func (r sessionRepo) DeleteExpired(ctx context.Context, now time.Time) (n int, err error) {
	err = r.d.write(ctx, func(st *state) error {
		now = dbTime(now)
		for _, s := range st.sessions {
			if s.ExpiresAt.Before(now) {
				st.deleteSession(s)
				n++
			}
		}
		return nil
	})
	return n, err
}

// ---- verification ----

type verificationRepo repos

func (r verificationRepo) Create(ctx context.Context, v *store.Verification) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(v)
		if rec.ID == "" {
			rec.ID = store.NewTextID()
		}
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if _, ok := st.verifications[rec.ID]; ok {
			return uniqueErr("verification_pkey")
		}
		st.verifications[rec.ID] = rec
		*v = *clone(rec)
		return nil
	})
}

// byIdentifier returns the tokens with the identifier, newest first. The
// column is not unique, though a hashed random token makes two unlikely.
func (st *state) byIdentifier(identifier string) []*store.Verification {
	var out []*store.Verification
	for _, v := range st.verifications {
		if v.Identifier == identifier {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b *store.Verification) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

func (r verificationRepo) Get(ctx context.Context, identifier string) (v *store.Verification, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rows := st.byIdentifier(identifier)
		if len(rows) == 0 {
			return store.ErrNotFound
		}
		v = clone(rows[0])
		return nil
	})
	return v, err
}

// Consume removes every token with the identifier, so that a duplicate
// can never be redeemed later, and returns the newest.
func (r verificationRepo) Consume(ctx context.Context, identifier string) (v *store.Verification, err error) {
	err = r.d.write(ctx, func(st *state) error {
		rows := st.byIdentifier(identifier)
		if len(rows) == 0 {
			return store.ErrNotFound
		}
		for _, row := range rows {
			delete(st.verifications, row.ID)
		}
		v = clone(rows[0])
		return nil
	})
	return v, err
}

func (r verificationRepo) DeleteByValue(ctx context.Context, prefix, value string) (n int, err error) {
	err = r.d.write(ctx, func(st *state) error {
		for id, v := range st.verifications {
			if v.Value == value && strings.HasPrefix(v.Identifier, prefix) {
				delete(st.verifications, id)
				n++
			}
		}
		return nil
	})
	return n, err
}
