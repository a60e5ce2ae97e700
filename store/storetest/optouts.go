package storetest

import (
	"time"

	"github.com/codexforgo/codex/store"
)

// deliveryCases cover what the email delivery worker relies on: claiming
// due entries exactly once, scrubbing metadata, and opt-outs.
var deliveryCases = []testCase{
	{"ClaimLeasesDueEntries", func(f *fx) {
		now := time.Now()
		past := now.Add(-time.Minute)
		future := now.Add(time.Hour)
		a := f.emailLog()
		tick()
		b := f.emailLog(func(e *store.EmailLog) { e.NextAttemptAt = &past })
		f.emailLog(func(e *store.EmailLog) { e.NextAttemptAt = &future })
		f.emailLog(func(e *store.EmailLog) { e.Status = store.EmailSuccess })

		lease := now.Add(2 * time.Minute)
		got, err := f.s.EmailLog().Claim(f.ctx, now, lease, 10)
		f.is.NoErr(err)
		f.is.Equal(len(got), 2)
		f.is.Equal(got[0].ID, a.ID) // oldest first
		f.is.Equal(got[1].ID, b.ID)
		for _, e := range got {
			f.is.True(e.NextAttemptAt != nil && e.NextAttemptAt.Sub(lease).Abs() < time.Millisecond)
			f.is.Equal(e.Status, store.EmailPending)
		}
		stored, err := f.s.EmailLog().Get(f.ctx, a.ID)
		f.is.NoErr(err)
		f.is.Equal(stored.NextAttemptAt, got[0].NextAttemptAt)

		// Leased entries are not due again until the lease ends.
		again, err := f.s.EmailLog().Claim(f.ctx, now, lease, 10)
		f.is.NoErr(err)
		f.is.Equal(len(again), 0)
		later, err := f.s.EmailLog().Claim(f.ctx, lease.Add(time.Second), lease.Add(time.Hour), 1)
		f.is.NoErr(err)
		f.is.Equal(len(later), 1)
		f.is.Equal(later[0].ID, a.ID)

		none, err := f.s.EmailLog().Claim(f.ctx, now.Add(24*time.Hour), now, 0)
		f.is.NoErr(err)
		f.is.Equal(len(none), 0)
	}},
	{"MetadataCanBeCleared", func(f *fx) {
		e := f.emailLog()
		f.is.True(e.Metadata != nil)
		got, err := f.s.EmailLog().Update(f.ctx, e.ID, store.EmailLogPatch{Status: store.Some(store.EmailSuccess), Metadata: store.Some[*string](nil)})
		f.is.NoErr(err)
		f.is.Equal(got.Metadata, nil)
		got, err = f.s.EmailLog().Get(f.ctx, e.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Metadata, nil)
		f.is.Equal(got.Status, store.EmailSuccess)
	}},
	{"OptOuts", func(f *fx) {
		_, err := f.s.EmailOptOuts().Get(f.ctx, "a@example.com")
		f.notFound(err)
		o, err := f.s.EmailOptOuts().Add(f.ctx, "a@example.com")
		f.is.NoErr(err)
		f.is.Equal(o.Email, "a@example.com")
		f.stamped(o.CreatedAt)
		tick()
		again, err := f.s.EmailOptOuts().Add(f.ctx, "a@example.com")
		f.is.NoErr(err)
		f.is.Equal(again, o) // the first record stays
		got, err := f.s.EmailOptOuts().Get(f.ctx, "a@example.com")
		f.is.NoErr(err)
		f.is.Equal(got, o)
		_, err = f.s.EmailOptOuts().Get(f.ctx, "b@example.com")
		f.notFound(err)

		f.is.NoErr(f.s.EmailOptOuts().Remove(f.ctx, "a@example.com"))
		_, err = f.s.EmailOptOuts().Get(f.ctx, "a@example.com")
		f.notFound(err)
		f.notFound(f.s.EmailOptOuts().Remove(f.ctx, "a@example.com"))
	}},
	{"OptOutInTx", func(f *fx) {
		err := f.s.RunInTx(f.ctx, func(tx store.Repos) error {
			if _, err := tx.EmailOptOuts().Add(f.ctx, "c@example.com"); err != nil {
				return err
			}
			return store.ErrPrecondition
		})
		f.is.Equal(err, store.ErrPrecondition)
		_, err = f.s.EmailOptOuts().Get(f.ctx, "c@example.com")
		f.notFound(err) // rolled back
	}},
}
