package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codexforgo/codex/store"
)

var userCases = []testCase{
	{"CreateGet", func(f *fx) {
		u := &store.User{Name: "Ada", Email: "ada@example.com", Role: store.RoleCreator, Image: ptr("https://img.example/ada.png")}
		f.is.NoErr(f.s.Users().Create(f.ctx, u))
		f.is.Equal(len(u.ID), 32) // text ids are filled like Better Auth's
		f.stamped(u.CreatedAt, u.UpdatedAt)

		got, err := f.s.Users().Get(f.ctx, u.ID)
		f.is.NoErr(err)
		f.is.Equal(got, u)
		byEmail, err := f.s.Users().GetByEmail(f.ctx, "ada@example.com")
		f.is.NoErr(err)
		f.is.Equal(byEmail.ID, u.ID)

		_, err = f.s.Users().GetByEmail(f.ctx, "ADA@example.com") // the service lower-cases; the store compares exactly
		f.notFound(err)
		_, err = f.s.Users().Get(f.ctx, "nope")
		f.notFound(err)
	}},
	{"KeepsGivenID", func(f *fx) {
		u := f.user(func(u *store.User) { u.ID = "fixedUserId1" })
		f.is.Equal(u.ID, "fixedUserId1")
		_, err := f.s.Users().Get(f.ctx, "fixedUserId1")
		f.is.NoErr(err)
	}},
	{"UniqueEmail", func(f *fx) {
		f.user(func(u *store.User) { u.Email = "same@example.com" })
		err := f.s.Users().Create(f.ctx, &store.User{Name: "B", Email: "same@example.com", Role: store.RoleCustomer})
		f.violates(err, store.Unique, store.ConstraintUserEmail)
	}},
	{"RoleCheck", func(f *fx) {
		err := f.s.Users().Create(f.ctx, &store.User{Name: "B", Email: "b@example.com", Role: "superuser"})
		f.violates(err, store.Check, "")
		u := f.user()
		_, err = f.s.Users().Update(f.ctx, u.ID, store.UserPatch{Role: store.Some(store.Role("superuser"))})
		f.violates(err, store.Check, "")
	}},
	{"Update", func(f *fx) {
		u := f.user(func(u *store.User) { u.Image = ptr("a.png") })
		tick()
		got, err := f.s.Users().Update(f.ctx, u.ID, store.UserPatch{Name: store.Some("Renamed"), EmailVerified: store.Some(true)})
		f.is.NoErr(err)
		f.is.Equal(got.Name, "Renamed")
		f.is.True(got.EmailVerified)
		f.is.Equal(*got.Image, "a.png") // unset fields stay
		f.is.Equal(got.Role, store.RoleCustomer)
		f.is.True(got.CreatedAt.Equal(u.CreatedAt))
		f.later(got.UpdatedAt, u.UpdatedAt)

		got, err = f.s.Users().Update(f.ctx, u.ID, store.UserPatch{Image: store.Some[*string](nil), Role: store.Some(store.RoleAdmin)})
		f.is.NoErr(err)
		f.is.Equal(got.Image, nil) // a nil value clears
		f.is.Equal(got.Role, store.RoleAdmin)

		again, err := f.s.Users().Get(f.ctx, u.ID)
		f.is.NoErr(err)
		f.is.Equal(again, got)

		tick()
		empty, err := f.s.Users().Update(f.ctx, u.ID, store.UserPatch{})
		f.is.NoErr(err)
		f.is.Equal(empty.Name, "Renamed")
		f.later(empty.UpdatedAt, got.UpdatedAt)

		_, err = f.s.Users().Update(f.ctx, "missing", store.UserPatch{Name: store.Some("x")})
		f.notFound(err)
	}},
	{"NoAliasing", func(f *fx) {
		img := "orig.png"
		u := &store.User{Name: "A", Email: "alias@example.com", Role: store.RoleCustomer, Image: &img}
		f.is.NoErr(f.s.Users().Create(f.ctx, u))
		img = "changed-by-caller.png"
		got, err := f.s.Users().Get(f.ctx, u.ID)
		f.is.NoErr(err)
		f.is.Equal(*got.Image, "orig.png")
		*got.Image = "changed-after-read.png"
		again, err := f.s.Users().Get(f.ctx, u.ID)
		f.is.NoErr(err)
		f.is.Equal(*again.Image, "orig.png")
	}},
}

var accountCases = []testCase{
	{"CreateGetSetPassword", func(f *fx) {
		u := f.user()
		a := &store.Account{AccountID: u.ID, ProviderID: store.ProviderCredential, UserID: u.ID, PasswordHash: "h1"}
		f.is.NoErr(f.s.Accounts().Create(f.ctx, a))
		f.is.Equal(len(a.ID), 32)
		f.stamped(a.CreatedAt, a.UpdatedAt)

		got, err := f.s.Accounts().GetByUser(f.ctx, u.ID, store.ProviderCredential)
		f.is.NoErr(err)
		f.is.Equal(got, a)
		_, err = f.s.Accounts().GetByUser(f.ctx, u.ID, "github")
		f.notFound(err)

		tick()
		f.is.NoErr(f.s.Accounts().SetPassword(f.ctx, u.ID, store.ProviderCredential, "h2"))
		got, err = f.s.Accounts().GetByUser(f.ctx, u.ID, store.ProviderCredential)
		f.is.NoErr(err)
		f.is.Equal(got.PasswordHash, "h2")
		f.later(got.UpdatedAt, a.UpdatedAt)

		f.notFound(f.s.Accounts().SetPassword(f.ctx, u.ID, "github", "h3"))
		f.notFound(f.s.Accounts().SetPassword(f.ctx, "missing", store.ProviderCredential, "h3"))
	}},
	{"UserMustExist", func(f *fx) {
		err := f.s.Accounts().Create(f.ctx, &store.Account{AccountID: "x", ProviderID: store.ProviderCredential, UserID: "missing"})
		f.violates(err, store.ForeignKey, "")
	}},
}

func (f *fx) session(userID string, expiresAt time.Time) *store.Session {
	f.Helper()
	s := &store.Session{TokenHash: fmt.Sprintf("hash-%d", f.seq()), UserID: userID, ExpiresAt: expiresAt, IPAddress: ptr("203.0.113.9")}
	f.is.NoErr(f.s.Sessions().Create(f.ctx, s))
	return s
}

var sessionCases = []testCase{
	{"CreateGet", func(f *fx) {
		u := f.user()
		s := f.session(u.ID, time.Now().Add(time.Hour))
		f.is.Equal(len(s.ID), 32)
		f.stamped(s.CreatedAt, s.UpdatedAt, s.ExpiresAt)

		got, err := f.s.Sessions().Get(f.ctx, s.ID)
		f.is.NoErr(err)
		f.is.Equal(got, s)

		gs, gu, err := f.s.Sessions().GetWithUser(f.ctx, s.TokenHash)
		f.is.NoErr(err)
		f.is.Equal(gs, s)
		f.is.Equal(gu, u)

		_, _, err = f.s.Sessions().GetWithUser(f.ctx, "unknown")
		f.notFound(err)
		_, err = f.s.Sessions().Get(f.ctx, "unknown")
		f.notFound(err)
	}},
	{"GetWithUserReturnsExpired", func(f *fx) {
		u := f.user()
		s := f.session(u.ID, time.Now().Add(-time.Hour))
		gs, gu, err := f.s.Sessions().GetWithUser(f.ctx, s.TokenHash)
		f.is.NoErr(err)
		f.is.Equal(gs.ID, s.ID)
		f.is.Equal(gu.ID, u.ID)
	}},
	{"UniqueToken", func(f *fx) {
		u := f.user()
		s := f.session(u.ID, time.Now().Add(time.Hour))
		err := f.s.Sessions().Create(f.ctx, &store.Session{TokenHash: s.TokenHash, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)})
		f.violates(err, store.Unique, store.ConstraintSessionToken)
	}},
	{"UserMustExist", func(f *fx) {
		err := f.s.Sessions().Create(f.ctx, &store.Session{TokenHash: "t", UserID: "missing", ExpiresAt: time.Now().Add(time.Hour)})
		f.violates(err, store.ForeignKey, "")
	}},
	{"ListByUser", func(f *fx) {
		u, other := f.user(), f.user()
		now := time.Now()
		s1 := f.session(u.ID, now.Add(time.Hour))
		tick()
		s2 := f.session(u.ID, now.Add(2*time.Hour))
		f.session(u.ID, now.Add(-time.Minute)) // expired
		f.session(other.ID, now.Add(time.Hour))

		got, err := f.s.Sessions().ListByUser(f.ctx, u.ID, now)
		f.is.NoErr(err)
		f.is.Equal(ids(got, func(s store.Session) string { return s.ID }), []string{s2.ID, s1.ID}) // newest first
	}},
	{"Extend", func(f *fx) {
		u := f.user()
		s := f.session(u.ID, time.Now().Add(time.Minute))
		later := time.Now().Add(24 * time.Hour)
		tick()
		f.is.NoErr(f.s.Sessions().Extend(f.ctx, s.ID, later))
		got, err := f.s.Sessions().Get(f.ctx, s.ID)
		f.is.NoErr(err)
		f.is.True(got.ExpiresAt.Equal(later.Truncate(time.Microsecond)))
		f.later(got.UpdatedAt, s.UpdatedAt)
		f.notFound(f.s.Sessions().Extend(f.ctx, "missing", later))
	}},
	{"Delete", func(f *fx) {
		u := f.user()
		s := f.session(u.ID, time.Now().Add(time.Hour))
		got, err := f.s.Sessions().Delete(f.ctx, s.ID)
		f.is.NoErr(err)
		f.is.Equal(got.ID, s.ID)
		f.is.Equal(got.TokenHash, s.TokenHash) // callers evict caches by it
		_, err = f.s.Sessions().Get(f.ctx, s.ID)
		f.notFound(err)
		_, _, err = f.s.Sessions().GetWithUser(f.ctx, s.TokenHash)
		f.notFound(err)
		_, err = f.s.Sessions().Delete(f.ctx, s.ID)
		f.notFound(err)
		// the token hash is free again
		f.is.NoErr(f.s.Sessions().Create(f.ctx, &store.Session{TokenHash: s.TokenHash, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}))
	}},
	{"DeleteByUser", func(f *fx) {
		u, other := f.user(), f.user()
		keep := f.session(u.ID, time.Now().Add(time.Hour))
		a := f.session(u.ID, time.Now().Add(time.Hour))
		b := f.session(u.ID, time.Now().Add(-time.Hour))
		o := f.session(other.ID, time.Now().Add(time.Hour))

		gone, err := f.s.Sessions().DeleteByUser(f.ctx, u.ID, keep.ID)
		f.is.NoErr(err)
		f.is.Equal(sorted(ids(gone, func(s store.Session) string { return s.ID })), sorted([]string{a.ID, b.ID}))
		_, err = f.s.Sessions().Get(f.ctx, keep.ID)
		f.is.NoErr(err)
		_, err = f.s.Sessions().Get(f.ctx, a.ID)
		f.notFound(err)

		gone, err = f.s.Sessions().DeleteByUser(f.ctx, u.ID, "")
		f.is.NoErr(err)
		f.is.Equal(len(gone), 1)
		f.is.Equal(gone[0].ID, keep.ID)
		_, err = f.s.Sessions().Get(f.ctx, o.ID) // other users untouched
		f.is.NoErr(err)

		gone, err = f.s.Sessions().DeleteByUser(f.ctx, u.ID, "")
		f.is.NoErr(err)
		f.is.Equal(len(gone), 0)
	}},
	{"DeleteExpired", func(f *fx) {
		u := f.user()
		now := time.Now()
		live := f.session(u.ID, now.Add(time.Hour))
		f.session(u.ID, now.Add(-time.Hour))
		f.session(u.ID, now.Add(-time.Minute))
		n, err := f.s.Sessions().DeleteExpired(f.ctx, now)
		f.is.NoErr(err)
		f.is.Equal(n, 2)
		_, err = f.s.Sessions().Get(f.ctx, live.ID)
		f.is.NoErr(err)
		n, err = f.s.Sessions().DeleteExpired(f.ctx, now)
		f.is.NoErr(err)
		f.is.Equal(n, 0)
	}},
}

var verificationCases = []testCase{
	{"SingleUse", func(f *fx) {
		exp := time.Now().Add(time.Hour)
		v := &store.Verification{Identifier: "email-verification:abc", Value: "user1", ExpiresAt: exp}
		f.is.NoErr(f.s.Verifications().Create(f.ctx, v))
		f.is.Equal(len(v.ID), 32)
		f.stamped(v.CreatedAt, v.UpdatedAt, v.ExpiresAt)

		got, err := f.s.Verifications().Get(f.ctx, v.Identifier)
		f.is.NoErr(err)
		f.is.Equal(got, v)
		_, err = f.s.Verifications().Get(f.ctx, v.Identifier) // Get does not consume
		f.is.NoErr(err)

		got, err = f.s.Verifications().Consume(f.ctx, v.Identifier)
		f.is.NoErr(err)
		f.is.Equal(got, v)
		_, err = f.s.Verifications().Consume(f.ctx, v.Identifier)
		f.notFound(err)
		_, err = f.s.Verifications().Get(f.ctx, v.Identifier)
		f.notFound(err)
	}},
	{"ExpiredIsReturned", func(f *fx) {
		v := &store.Verification{Identifier: "reset:old", Value: "u", ExpiresAt: time.Now().Add(-time.Hour)}
		f.is.NoErr(f.s.Verifications().Create(f.ctx, v))
		got, err := f.s.Verifications().Consume(f.ctx, v.Identifier) // expiry is the caller's check
		f.is.NoErr(err)
		f.is.Equal(got.ID, v.ID)
	}},
	{"ConcurrentConsume", func(f *fx) {
		f.is.NoErr(f.s.Verifications().Create(f.ctx, &store.Verification{Identifier: "reset:race", Value: "u", ExpiresAt: time.Now().Add(time.Hour)}))
		var wins, misses atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				_, err := f.s.Verifications().Consume(f.ctx, "reset:race")
				if err == nil {
					wins.Add(1)
				} else if isNotFound(err) {
					misses.Add(1)
				}
			})
		}
		wg.Wait()
		f.is.Equal(wins.Load(), int32(1))
		f.is.Equal(misses.Load(), int32(9))
	}},
	{"DeleteByValue", func(f *fx) {
		exp := time.Now().Add(time.Hour)
		for _, v := range []store.Verification{
			{Identifier: "reset:a", Value: "u1"},
			{Identifier: "reset:b", Value: "u1"},
			{Identifier: "verify:c", Value: "u1"},
			{Identifier: "reset:d", Value: "u2"},
			{Identifier: "resetx", Value: "u1"}, // LIKE wildcards in the prefix must not match this
		} {
			v.ExpiresAt = exp
			f.is.NoErr(f.s.Verifications().Create(f.ctx, &v))
		}
		n, err := f.s.Verifications().DeleteByValue(f.ctx, "reset:", "u1")
		f.is.NoErr(err)
		f.is.Equal(n, 2)
		for _, id := range []string{"verify:c", "reset:d", "resetx"} {
			_, err := f.s.Verifications().Get(f.ctx, id)
			f.is.NoErr(err)
		}
		_, err = f.s.Verifications().Get(f.ctx, "reset:a")
		f.notFound(err)
		n, err = f.s.Verifications().DeleteByValue(f.ctx, "rese_", "u1")
		f.is.NoErr(err)
		f.is.Equal(n, 0)
	}},
}
