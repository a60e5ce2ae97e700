package storetest

import (
	"context"
	"errors"
	"sync"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

var errLastOwner = errors.New("last owner")

var orgLockCases = []testCase{
	{"LockLiveOnly", func(f *fx) {
		o := f.org()
		f.is.NoErr(f.s.Organizations().Lock(f.ctx, o.ID))
		f.notFound(f.s.Organizations().Lock(f.ctx, uuid.New()))
		f.is.NoErr(f.s.Organizations().SoftDelete(f.ctx, o.ID))
		f.notFound(f.s.Organizations().Lock(f.ctx, o.ID))
	}},
	{"LockSerializesOwnerChecks", func(f *fx) {
		// Two owners each try to step down at once; whoever goes second
		// must see the other's change and keep the organization owned.
		o := f.org()
		a, b := f.user(), f.user()
		f.member(o.ID, a.ID, store.MemberOwner, store.MembershipActive)
		f.member(o.ID, b.ID, store.MemberOwner, store.MembershipActive)
		stepDown := func(ctx context.Context, userID string) error {
			return f.s.RunInTx(ctx, func(tx store.Repos) error {
				if err := tx.Organizations().Lock(ctx, o.ID); err != nil {
					return err
				}
				n, err := tx.Memberships().Count(ctx, o.ID, store.MemberOwner, store.MembershipActive)
				if err != nil {
					return err
				}
				if n < 2 {
					return errLastOwner
				}
				_, err = tx.Memberships().Update(ctx, o.ID, userID, store.MembershipPatch{Role: store.Some(store.MemberAdmin)})
				return err
			})
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []string{a.ID, b.ID} {
			wg.Go(func() { errs[i] = stepDown(f.ctx, id) })
		}
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, errLastOwner):
				refused++
			case err != nil:
				f.Fatalf("step down: %v", err)
			}
		}
		f.is.Equal(refused, 1)
		n, err := f.s.Memberships().Count(f.ctx, o.ID, store.MemberOwner, store.MembershipActive)
		f.is.NoErr(err)
		f.is.Equal(n, 1)
	}},
	{"ListMembers", func(f *fx) {
		o, other := f.org(), f.org()
		u1 := f.user(func(u *store.User) { u.Name = "Ann" })
		u2 := f.user(func(u *store.User) { u.Name = "Bob" })
		u3 := f.user()
		f.member(o.ID, u1.ID, store.MemberOwner, store.MembershipActive)
		tick()
		f.member(o.ID, u2.ID, store.MemberCreator, store.MembershipInvited)
		tick()
		f.member(o.ID, u3.ID, store.MemberMember, store.MembershipActive)
		f.member(other.ID, u1.ID, store.MemberMember, store.MembershipActive)

		l, err := f.s.Memberships().ListMembers(f.ctx, o.ID, store.Page{Page: 1, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 3)
		f.is.Equal(len(l.Items), 2)
		f.is.Equal(l.Items[0].UserID, u1.ID)
		f.is.Equal(l.Items[0].Email, u1.Email)
		f.is.Equal(l.Items[0].Name, "Ann")
		f.is.Equal(l.Items[0].Role, store.MemberOwner)
		f.is.Equal(l.Items[0].OrganizationID, o.ID)
		f.is.Equal(l.Items[1].Name, "Bob")
		f.is.Equal(l.Items[1].Status, store.MembershipInvited)

		l, err = f.s.Memberships().ListMembers(f.ctx, o.ID, store.Page{Page: 2, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(len(l.Items), 1)
		f.is.Equal(l.Items[0].UserID, u3.ID)

		l, err = f.s.Memberships().ListMembers(f.ctx, uuid.New(), store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		f.is.Equal(len(l.Items), 0)
	}},
}
