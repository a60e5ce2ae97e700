package memory

import (
	"context"
	"slices"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// Lock only checks that the organization is live: a memory transaction
// holds the store's write lock throughout, so it is serializable already.
func (r orgRepo) Lock(ctx context.Context, id uuid.UUID) error {
	return r.d.read(ctx, func(st *state) error {
		if _, ok := st.liveOrg(id); !ok {
			return store.ErrNotFound
		}
		return nil
	})
}

func (r membershipRepo) ListMembers(ctx context.Context, orgID uuid.UUID, page store.Page) (out store.List[store.Member], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Member
		var ms []*store.Membership
		for _, m := range st.memberships {
			if m.OrganizationID == orgID {
				ms = append(ms, m)
			}
		}
		slices.SortFunc(ms, oldestMembershipFirst)
		for _, m := range ms {
			// The foreign key (ON DELETE CASCADE) guarantees the user.
			u := st.users[m.UserID]
			if u == nil {
				continue
			}
			rows = append(rows, &store.Member{Membership: *clone(m), Email: u.Email, Name: u.Name})
		}
		out = paginate(rows, page)
		return nil
	})
	return out, err
}
