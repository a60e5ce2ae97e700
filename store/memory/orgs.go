package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// ---- organizations ----

type orgRepo repos

func (r orgRepo) Create(ctx context.Context, o *store.Organization) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(o)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if _, ok := st.orgs[rec.ID]; ok {
			return uniqueErr("organizations_pkey")
		}
		if _, ok := st.orgsBySlug[rec.Slug]; ok {
			return uniqueErr(store.ConstraintOrgSlug)
		}
		st.orgs[rec.ID] = rec
		st.orgsBySlug[rec.Slug] = rec.ID
		*o = *clone(rec)
		return nil
	})
}

func (st *state) liveOrg(id uuid.UUID) (*store.Organization, bool) {
	o, ok := st.orgs[id]
	if !ok || o.DeletedAt != nil {
		return nil, false
	}
	return o, true
}

func (r orgRepo) Get(ctx context.Context, id uuid.UUID) (o *store.Organization, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.liveOrg(id)
		o, err = orNil(ok, rec)
		return err
	})
	return o, err
}

func (r orgRepo) GetBySlug(ctx context.Context, slug string) (o *store.Organization, err error) {
	err = r.d.read(ctx, func(st *state) error {
		id, ok := st.orgsBySlug[slug]
		var rec *store.Organization
		if ok {
			rec, ok = st.liveOrg(id)
		}
		o, err = orNil(ok, rec)
		return err
	})
	return o, err
}

func (r orgRepo) SlugTaken(ctx context.Context, slug string) (taken bool, err error) {
	err = r.d.read(ctx, func(st *state) error {
		_, taken = st.orgsBySlug[slug]
		return nil
	})
	return taken, err
}

func (r orgRepo) Update(ctx context.Context, id uuid.UUID, p store.OrganizationPatch) (o *store.Organization, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.liveOrg(id)
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Name, p.Name)
		set(&n.Slug, p.Slug)
		set(&n.Description, p.Description)
		set(&n.LogoURL, p.LogoURL)
		set(&n.WebsiteURL, p.WebsiteURL)
		n.UpdatedAt = r.d.now()
		if n.Slug != old.Slug {
			if _, taken := st.orgsBySlug[n.Slug]; taken {
				return uniqueErr(store.ConstraintOrgSlug)
			}
		}
		rec := fresh(&n)
		delete(st.orgsBySlug, old.Slug)
		st.orgsBySlug[rec.Slug] = id
		st.orgs[id] = rec
		o = clone(rec)
		return nil
	})
	return o, err
}

func (r orgRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return r.d.write(ctx, func(st *state) error {
		return softDelete(st.orgs, id, r.d.now(), func(x *store.Organization) (**time.Time, *time.Time) { return &x.DeletedAt, &x.UpdatedAt })
	})
}

func (r orgRepo) List(ctx context.Context, f store.OrganizationFilter, page store.Page) (out store.List[store.Organization], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var members map[uuid.UUID]bool
		if f.MemberID != "" {
			members = map[uuid.UUID]bool{}
			for _, m := range st.memberships {
				if m.UserID == f.MemberID && m.Status == store.MembershipActive {
					members[m.OrganizationID] = true
				}
			}
		}
		var rows []*store.Organization
		for _, o := range st.orgs {
			if o.DeletedAt != nil {
				continue
			}
			if f.Search != "" && !contains(o.Name, f.Search) && !containsPtr(o.Description, f.Search) {
				continue
			}
			if members != nil && !members[o.ID] {
				continue
			}
			rows = append(rows, o)
		}
		col := byTime(func(o *store.Organization) time.Time { return o.CreatedAt })
		if f.SortBy == "name" {
			col = byString(func(o *store.Organization) string { return o.Name })
		}
		sortRows(rows, col, isDesc(f.Order), func(o *store.Organization) uuid.UUID { return o.ID })
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

// ---- memberships ----

type membershipRepo repos

func (st *state) findMembership(orgID uuid.UUID, userID string) (*store.Membership, bool) {
	for _, m := range st.memberships {
		if m.OrganizationID == orgID && m.UserID == userID {
			return m, true
		}
	}
	return nil, false
}

func checkMembership(m *store.Membership) error {
	if !m.Role.Valid() {
		return checkErr("check_membership_role")
	}
	if !m.Status.Valid() {
		return checkErr("check_membership_status")
	}
	return nil
}

func (r membershipRepo) Create(ctx context.Context, m *store.Membership) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(m)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if err := checkMembership(rec); err != nil {
			return err
		}
		if _, ok := st.memberships[rec.ID]; ok {
			return uniqueErr("organization_memberships_pkey")
		}
		if _, ok := st.findMembership(rec.OrganizationID, rec.UserID); ok {
			return uniqueErr(store.ConstraintMembership)
		}
		switch {
		case !st.orgExists(rec.OrganizationID):
			return fkErr("organization_memberships", "organization_id")
		case !st.userExists(rec.UserID):
			return fkErr("organization_memberships", "user_id")
		case rec.InvitedBy != nil && !st.userExists(*rec.InvitedBy):
			return fkErr("organization_memberships", "invited_by")
		}
		st.memberships[rec.ID] = rec
		*m = *clone(rec)
		return nil
	})
}

func (r membershipRepo) Get(ctx context.Context, orgID uuid.UUID, userID string) (m *store.Membership, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.findMembership(orgID, userID)
		m, err = orNil(ok, rec)
		return err
	})
	return m, err
}

func oldestMembershipFirst(a, b *store.Membership) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
}

func (r membershipRepo) ListByOrg(ctx context.Context, orgID uuid.UUID) (out []store.Membership, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Membership
		for _, m := range st.memberships {
			if m.OrganizationID == orgID {
				rows = append(rows, m)
			}
		}
		slices.SortFunc(rows, oldestMembershipFirst)
		out = copyAll(rows)
		return nil
	})
	return out, err
}

func (r membershipRepo) ListByUser(ctx context.Context, userID string) (out []store.Membership, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.Membership
		for _, m := range st.memberships {
			if _, live := st.liveOrg(m.OrganizationID); live && m.UserID == userID {
				rows = append(rows, m)
			}
		}
		slices.SortFunc(rows, oldestMembershipFirst)
		out = copyAll(rows)
		return nil
	})
	return out, err
}

func (r membershipRepo) Update(ctx context.Context, orgID uuid.UUID, userID string, p store.MembershipPatch) (m *store.Membership, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.findMembership(orgID, userID)
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Role, p.Role)
		set(&n.Status, p.Status)
		n.UpdatedAt = r.d.now()
		if err := checkMembership(&n); err != nil {
			return err
		}
		rec := fresh(&n)
		st.memberships[rec.ID] = rec
		m = clone(rec)
		return nil
	})
	return m, err
}

func (r membershipRepo) Delete(ctx context.Context, orgID uuid.UUID, userID string) error {
	return r.d.write(ctx, func(st *state) error {
		old, ok := st.findMembership(orgID, userID)
		if !ok {
			return store.ErrNotFound
		}
		delete(st.memberships, old.ID)
		return nil
	})
}

func (r membershipRepo) Count(ctx context.Context, orgID uuid.UUID, role store.MembershipRole, status store.MembershipStatus) (n int, err error) {
	err = r.d.read(ctx, func(st *state) error {
		for _, m := range st.memberships {
			if m.OrganizationID == orgID && m.Role == role && m.Status == status {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ---- settings ----

type settingsRepo repos

func (r settingsRepo) Get(ctx context.Context, orgID uuid.UUID) (s *store.OrgSettings, err error) {
	err = r.d.read(ctx, func(st *state) error {
		if rec, ok := st.settings[orgID]; ok {
			s = clone(rec)
			return nil
		}
		d := store.DefaultOrgSettings()
		s = &d
		return nil
	})
	return s, err
}

// updateSettings creates the organization's settings from the defaults on
// first use, as the PostgreSQL store's upserts do.
func (r settingsRepo) updateSettings(ctx context.Context, orgID uuid.UUID, apply func(*store.OrgSettings)) (s *store.OrgSettings, err error) {
	err = r.d.write(ctx, func(st *state) error {
		if !st.orgExists(orgID) {
			return fkErr("platform_settings", "organization_id")
		}
		n := store.DefaultOrgSettings()
		if old, ok := st.settings[orgID]; ok {
			n = *old
		}
		apply(&n)
		rec := fresh(&n)
		st.settings[orgID] = rec
		s = clone(rec)
		return nil
	})
	return s, err
}

func (r settingsRepo) UpdateBranding(ctx context.Context, orgID uuid.UUID, p store.BrandingPatch) (*store.Branding, error) {
	s, err := r.updateSettings(ctx, orgID, func(s *store.OrgSettings) {
		set(&s.Branding.LogoURL, p.LogoURL)
		set(&s.Branding.LogoPath, p.LogoPath)
		set(&s.Branding.PrimaryColorHex, p.PrimaryColorHex)
	})
	if err != nil {
		return nil, err
	}
	return &s.Branding, nil
}

func (r settingsRepo) UpdateContact(ctx context.Context, orgID uuid.UUID, p store.ContactPatch) (*store.Contact, error) {
	s, err := r.updateSettings(ctx, orgID, func(s *store.OrgSettings) {
		set(&s.Contact.PlatformName, p.PlatformName)
		set(&s.Contact.SupportEmail, p.SupportEmail)
		set(&s.Contact.ContactURL, p.ContactURL)
		set(&s.Contact.Timezone, p.Timezone)
	})
	if err != nil {
		return nil, err
	}
	return &s.Contact, nil
}

func (r settingsRepo) UpdateFeatures(ctx context.Context, orgID uuid.UUID, p store.FeaturesPatch) (*store.Features, error) {
	s, err := r.updateSettings(ctx, orgID, func(s *store.OrgSettings) {
		set(&s.Features.EnableSignups, p.EnableSignups)
		set(&s.Features.EnablePurchases, p.EnablePurchases)
	})
	if err != nil {
		return nil, err
	}
	return &s.Features, nil
}
