package storetest

import (
	"sync"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

var purchaseCases = []testCase{
	{"CreateGet", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		p := f.purchaseRec(w.customer.ID, c.ID, w.org.ID)
		f.is.NoErr(f.s.Purchases().Create(f.ctx, p))
		f.is.True(p.ID != uuid.Nil)
		f.stamped(p.CreatedAt, p.UpdatedAt, *p.PurchasedAt)

		got, err := f.s.Purchases().Get(f.ctx, p.ID)
		f.is.NoErr(err)
		f.is.Equal(got, p)
		got, err = f.s.Purchases().GetByPaymentIntent(f.ctx, p.StripePaymentIntentID)
		f.is.NoErr(err)
		f.is.Equal(got.ID, p.ID)
		_, err = f.s.Purchases().Get(f.ctx, uuid.New())
		f.notFound(err)
		_, err = f.s.Purchases().GetByPaymentIntent(f.ctx, "pi_unknown")
		f.notFound(err)
	}},
	{"Constraints", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		p := f.purchase(w.customer.ID, c.ID, w.org.ID)
		err := f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) { n.StripePaymentIntentID = p.StripePaymentIntentID }))
		f.violates(err, store.Unique, store.ConstraintPurchasePaymentIntent)

		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) { n.CreatorPayoutCents = 2698 }))
		f.violates(err, store.Check, store.ConstraintRevenueSplit)
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) {
			n.PlatformFeeCents, n.CreatorPayoutCents = -1, 3000
		}))
		f.violates(err, store.Check, "")
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) { n.Status = "paid" }))
		f.violates(err, store.Check, "")
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, uuid.New(), w.org.ID))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, uuid.New()))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec("missing", c.ID, w.org.ID))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Purchases().Create(f.ctx, f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) { n.PlatformAgreementID = ptr(uuid.New()) }))
		f.violates(err, store.ForeignKey, "")

		// free purchases split zero ways
		f.purchase(w.customer.ID, c.ID, w.org.ID, func(n *store.Purchase) {
			n.AmountPaidCents, n.PlatformFeeCents, n.CreatorPayoutCents = 0, 0, 0
		})
		_, err = f.s.Purchases().Update(f.ctx, p.ID, store.PurchasePatch{Status: store.Some(store.PurchaseStatus("paid"))})
		f.violates(err, store.Check, "")
	}},
	{"ConcurrentPaymentIntent", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			p := f.purchaseRec(w.customer.ID, c.ID, w.org.ID, func(p *store.Purchase) { p.StripePaymentIntentID = "pi_race" })
			wg.Go(func() { errs[i] = f.s.Purchases().Create(f.ctx, p) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			f.violates(err, store.Unique, store.ConstraintPurchasePaymentIntent)
		}
		f.is.Equal(ok, 1)
		l, err := f.s.Purchases().List(f.ctx, store.PurchaseFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 1)
	}},
	{"Update", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		p := f.purchase(w.customer.ID, c.ID, w.org.ID)
		tick()
		at := time.Now()
		got, err := f.s.Purchases().Update(f.ctx, p.ID, store.PurchasePatch{
			Status: store.Some(store.PurchaseRefunded), RefundedAt: store.Some(&at), RefundReason: store.Some(ptr("asked")),
			RefundAmountCents: store.Some(ptr(2999)), StripeRefundID: store.Some(ptr("re_1")),
		})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.PurchaseRefunded)
		f.is.True(got.RefundedAt.Equal(at.Truncate(time.Microsecond)))
		f.is.Equal(*got.RefundAmountCents, 2999)
		f.is.Equal(got.AmountPaidCents, p.AmountPaidCents)
		f.later(got.UpdatedAt, p.UpdatedAt)

		got, err = f.s.Purchases().Update(f.ctx, p.ID, store.PurchasePatch{RefundReason: store.Some[*string](nil)})
		f.is.NoErr(err)
		f.is.Equal(got.RefundReason, nil)
		f.is.Equal(*got.StripeRefundID, "re_1")
		again, err := f.s.Purchases().Get(f.ctx, p.ID)
		f.is.NoErr(err)
		f.is.Equal(again, got)

		_, err = f.s.Purchases().Update(f.ctx, uuid.New(), store.PurchasePatch{})
		f.notFound(err)
	}},
	{"ListAndHasCompleted", func(f *fx) {
		w := f.world()
		o2 := f.org()
		c1, c2 := f.content(w.creator.ID, &w.org.ID), f.content(w.creator.ID, &o2.ID)
		t0 := time.Now().Add(-time.Hour)
		p1 := f.purchase(w.customer.ID, c1.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(t0) })
		p2 := f.purchase(w.customer.ID, c2.ID, o2.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(t0.Add(time.Minute)) })
		p3 := f.purchase(w.customer.ID, c1.ID, w.org.ID, func(p *store.Purchase) { p.Status = store.PurchasePending; p.PurchasedAt = nil })
		p4 := f.purchase(w.creator.ID, c1.ID, w.org.ID, func(p *store.Purchase) { p.PurchasedAt = ptr(t0.Add(2 * time.Minute)) })

		pid := func(l store.List[store.Purchase]) []string {
			return ids(l.Items, func(p store.Purchase) string { return p.ID.String() })
		}
		l, err := f.s.Purchases().List(f.ctx, store.PurchaseFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 4)
		f.is.Equal(pid(l), uuidStrings(p4.ID, p2.ID, p1.ID, p3.ID)) // purchased_at desc, NULL last

		l, err = f.s.Purchases().List(f.ctx, store.PurchaseFilter{CustomerID: w.customer.ID}, store.Page{Limit: 2, Page: 2})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 3)
		f.is.Equal(pid(l), uuidStrings(p3.ID))
		l, err = f.s.Purchases().List(f.ctx, store.PurchaseFilter{OrganizationID: &o2.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(pid(l), uuidStrings(p2.ID))
		l, err = f.s.Purchases().List(f.ctx, store.PurchaseFilter{ContentID: &c1.ID, Status: store.PurchaseCompleted}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(pid(l), uuidStrings(p4.ID, p1.ID))

		has, err := f.s.Purchases().HasCompleted(f.ctx, w.customer.ID, c1.ID)
		f.is.NoErr(err)
		f.is.True(has)
		_, err = f.s.Purchases().Update(f.ctx, p1.ID, store.PurchasePatch{Status: store.Some(store.PurchaseRefunded)})
		f.is.NoErr(err)
		has, err = f.s.Purchases().HasCompleted(f.ctx, w.customer.ID, c1.ID) // p3 is only pending
		f.is.NoErr(err)
		f.is.True(!has)
		has, err = f.s.Purchases().HasCompleted(f.ctx, "nobody", c1.ID)
		f.is.NoErr(err)
		f.is.True(!has)
	}},
}

var feeCases = []testCase{
	{"SeededPlatformFee", func(f *fx) {
		fee, err := f.s.Fees().CurrentPlatformFee(f.ctx, time.Now())
		f.is.NoErr(err)
		f.is.Equal(fee.FeeBps, store.DefaultPlatformFeeBps)
		f.is.True(fee.EffectiveFrom.Equal(time.Unix(0, 0)))
		f.is.Equal(fee.EffectiveUntil, nil)
		_, err = f.s.Fees().CurrentPlatformFee(f.ctx, time.Unix(-1, 0))
		f.notFound(err)
	}},
	{"PlatformFeeVersions", func(f *fx) {
		t1 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		t2 := t1.AddDate(1, 0, 0)
		fee := &store.PlatformFee{FeeBps: 1500, EffectiveFrom: t1, EffectiveUntil: &t2}
		f.is.NoErr(f.s.Fees().CreatePlatformFee(f.ctx, fee))
		f.is.True(fee.ID != uuid.Nil)
		f.stamped(fee.CreatedAt, fee.UpdatedAt)

		at := func(t time.Time) int {
			f.Helper()
			got, err := f.s.Fees().CurrentPlatformFee(f.ctx, t)
			f.is.NoErr(err)
			return got.FeeBps
		}
		f.is.Equal(at(t1.Add(-time.Second)), 1000)
		f.is.Equal(at(t1), 1500) // from is inclusive
		f.is.Equal(at(t2.Add(-time.Microsecond)), 1500)
		f.is.Equal(at(t2), 1000) // until is exclusive

		err := f.s.Fees().CreatePlatformFee(f.ctx, &store.PlatformFee{FeeBps: 10001, EffectiveFrom: t1})
		f.violates(err, store.Check, "")
		err = f.s.Fees().CreatePlatformFee(f.ctx, &store.PlatformFee{FeeBps: -1, EffectiveFrom: t1})
		f.violates(err, store.Check, "")
		f.is.NoErr(f.s.Fees().CreatePlatformFee(f.ctx, &store.PlatformFee{FeeBps: 10000, EffectiveFrom: t2}))
		f.is.Equal(at(t2), 10000)
	}},
	{"OrgPlatformAgreement", func(f *fx) {
		o, other := f.org(), f.org()
		t1 := time.Now().Add(-time.Hour)
		_, err := f.s.Fees().CurrentOrgPlatformAgreement(f.ctx, o.ID, time.Now())
		f.notFound(err)

		a := &store.OrgPlatformAgreement{OrganizationID: o.ID, FeeBps: 500, EffectiveFrom: t1}
		f.is.NoErr(f.s.Fees().CreateOrgPlatformAgreement(f.ctx, a))
		f.stamped(a.CreatedAt, a.EffectiveFrom)
		f.is.NoErr(f.s.Fees().CreateOrgPlatformAgreement(f.ctx, &store.OrgPlatformAgreement{OrganizationID: o.ID, FeeBps: 700, EffectiveFrom: t1.Add(-time.Hour)}))
		got, err := f.s.Fees().CurrentOrgPlatformAgreement(f.ctx, o.ID, time.Now())
		f.is.NoErr(err)
		f.is.Equal(got, a) // the latest start wins
		got, err = f.s.Fees().CurrentOrgPlatformAgreement(f.ctx, o.ID, t1.Add(-time.Minute))
		f.is.NoErr(err)
		f.is.Equal(got.FeeBps, 700)
		_, err = f.s.Fees().CurrentOrgPlatformAgreement(f.ctx, other.ID, time.Now())
		f.notFound(err)

		err = f.s.Fees().CreateOrgPlatformAgreement(f.ctx, &store.OrgPlatformAgreement{OrganizationID: uuid.New(), FeeBps: 1, EffectiveFrom: t1})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Fees().CreateOrgPlatformAgreement(f.ctx, &store.OrgPlatformAgreement{OrganizationID: o.ID, FeeBps: 10001, EffectiveFrom: t1})
		f.violates(err, store.Check, "")
	}},
	{"CreatorOrgAgreement", func(f *fx) {
		w := f.world()
		t1 := time.Now().Add(-time.Hour)
		until := time.Now().Add(time.Hour)
		a := &store.CreatorOrgAgreement{CreatorID: w.creator.ID, OrganizationID: w.org.ID, FeeBps: 2000, EffectiveFrom: t1, EffectiveUntil: &until}
		f.is.NoErr(f.s.Fees().CreateCreatorOrgAgreement(f.ctx, a))
		got, err := f.s.Fees().CurrentCreatorOrgAgreement(f.ctx, w.creator.ID, w.org.ID, time.Now())
		f.is.NoErr(err)
		f.is.Equal(got, a)
		_, err = f.s.Fees().CurrentCreatorOrgAgreement(f.ctx, w.creator.ID, w.org.ID, until)
		f.notFound(err)
		_, err = f.s.Fees().CurrentCreatorOrgAgreement(f.ctx, w.customer.ID, w.org.ID, time.Now())
		f.notFound(err)

		err = f.s.Fees().CreateCreatorOrgAgreement(f.ctx, &store.CreatorOrgAgreement{CreatorID: w.creator.ID, OrganizationID: w.org.ID, FeeBps: 1, EffectiveFrom: t1})
		f.violates(err, store.Unique, store.ConstraintCreatorOrgAgreement)
		err = f.s.Fees().CreateCreatorOrgAgreement(f.ctx, &store.CreatorOrgAgreement{CreatorID: "missing", OrganizationID: w.org.ID, FeeBps: 1, EffectiveFrom: t1})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Fees().CreateCreatorOrgAgreement(f.ctx, &store.CreatorOrgAgreement{CreatorID: w.creator.ID, OrganizationID: w.org.ID, FeeBps: 10001, EffectiveFrom: until})
		f.violates(err, store.Check, "")
	}},
}
