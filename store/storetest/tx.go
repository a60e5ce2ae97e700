package storetest

import (
	"errors"

	"github.com/codexforgo/codex/store"
)

var txCases = []testCase{
	{"Commit", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		var p *store.Purchase
		err := f.s.RunInTx(f.ctx, func(tx store.Repos) error {
			p = f.purchaseRec(w.customer.ID, c.ID, w.org.ID)
			if err := tx.Purchases().Create(f.ctx, p); err != nil {
				return err
			}
			// the transaction reads its own writes
			if _, err := tx.Purchases().Get(f.ctx, p.ID); err != nil {
				return err
			}
			return tx.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessPurchased})
		})
		f.is.NoErr(err)
		_, err = f.s.Purchases().Get(f.ctx, p.ID)
		f.is.NoErr(err)
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.is.NoErr(err)
	}},
	{"RollbackOnError", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		boom := errors.New("boom")
		var p *store.Purchase
		err := f.s.RunInTx(f.ctx, func(tx store.Repos) error {
			p = f.purchaseRec(w.customer.ID, c.ID, w.org.ID)
			if err := tx.Purchases().Create(f.ctx, p); err != nil {
				return err
			}
			if _, err := tx.Organizations().Update(f.ctx, w.org.ID, store.OrganizationPatch{Name: store.Some("changed")}); err != nil {
				return err
			}
			if err := tx.Content().SoftDelete(f.ctx, c.ID); err != nil {
				return err
			}
			return boom
		})
		f.is.True(errors.Is(err, boom))
		_, err = f.s.Purchases().GetByPaymentIntent(f.ctx, p.StripePaymentIntentID)
		f.notFound(err)
		o, err := f.s.Organizations().Get(f.ctx, w.org.ID)
		f.is.NoErr(err)
		f.is.Equal(o.Name, w.org.Name)
		_, err = f.s.Content().Get(f.ctx, c.ID)
		f.is.NoErr(err)
		// the intent id was never taken
		f.purchase(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) { n.StripePaymentIntentID = p.StripePaymentIntentID })
	}},
	{"RollbackOnPanic", func(f *fx) {
		var created *store.User
		func() {
			defer func() {
				r := recover()
				f.is.Equal(r, "kaboom") // the panic reaches the caller unchanged
			}()
			_ = f.s.RunInTx(f.ctx, func(tx store.Repos) error {
				created = &store.User{Name: "Ghost", Email: "ghost@example.com", Role: store.RoleCustomer}
				if err := tx.Users().Create(f.ctx, created); err != nil {
					return err
				}
				panic("kaboom")
			})
		}()
		_, err := f.s.Users().GetByEmail(f.ctx, "ghost@example.com")
		f.notFound(err)
		// the store still works after the panic
		f.user(func(u *store.User) { u.Email = "ghost@example.com" })
	}},
	{"ConstraintErrorRollsBack", func(f *fx) {
		f.user(func(u *store.User) { u.Email = "dup@example.com" })
		err := f.s.RunInTx(f.ctx, func(tx store.Repos) error {
			if err := tx.Users().Create(f.ctx, &store.User{Name: "A", Email: "first@example.com", Role: store.RoleCustomer}); err != nil {
				return err
			}
			return tx.Users().Create(f.ctx, &store.User{Name: "B", Email: "dup@example.com", Role: store.RoleCustomer})
		})
		f.violates(err, store.Unique, store.ConstraintUserEmail)
		_, err = f.s.Users().GetByEmail(f.ctx, "first@example.com")
		f.notFound(err)
	}},
	{"Ping", func(f *fx) {
		f.is.NoErr(f.s.Ping(f.ctx))
	}},
}
