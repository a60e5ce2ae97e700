package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
)

func (r repos) EmailOptOuts() store.EmailOptOutRepo { return optOutRepo(r) }

func (r emailLogRepo) Claim(ctx context.Context, now, leaseUntil time.Time, limit int) (out []store.EmailLog, err error) {
	err = r.d.write(ctx, func(st *state) error {
		now = dbTime(now)
		var rows []*store.EmailLog
		for _, e := range st.emailLog {
			if e.Status == store.EmailPending && (e.NextAttemptAt == nil || !e.NextAttemptAt.After(now)) {
				rows = append(rows, e)
			}
		}
		slices.SortFunc(rows, func(a, b *store.EmailLog) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
		})
		rows = rows[:min(max(limit, 0), len(rows))]
		lease, at := dbTime(leaseUntil), r.d.now()
		out = make([]store.EmailLog, 0, len(rows))
		for _, e := range rows {
			n := clone(e)
			n.NextAttemptAt, n.UpdatedAt = &lease, at
			st.emailLog[n.ID] = n
			out = append(out, *clone(n))
		}
		return nil
	})
	return out, err
}

type optOutRepo repos

func (r optOutRepo) Add(ctx context.Context, email string) (o *store.EmailOptOut, err error) {
	err = r.d.write(ctx, func(st *state) error {
		if cur, ok := st.optOuts[email]; ok {
			o = clone(cur)
			return nil
		}
		rec := &store.EmailOptOut{Email: email, CreatedAt: r.d.now()}
		st.optOuts[email] = rec
		o = clone(rec)
		return nil
	})
	return o, err
}

func (r optOutRepo) Get(ctx context.Context, email string) (o *store.EmailOptOut, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.optOuts[email]
		o, err = orNil(ok, rec)
		return err
	})
	return o, err
}

func (r optOutRepo) Remove(ctx context.Context, email string) error {
	return r.d.write(ctx, func(st *state) error {
		if _, ok := st.optOuts[email]; !ok {
			return store.ErrNotFound
		}
		delete(st.optOuts, email)
		return nil
	})
}
