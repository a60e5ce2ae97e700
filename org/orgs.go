package org

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Create is a new organization. Nil optional fields are left empty.
type Create struct {
	Name        string
	Slug        string
	Description *string
	LogoURL     *string
	WebsiteURL  *string
}

// Update changes an organization; unset fields stay. A set Opt with a nil
// value clears the column.
type Update struct {
	Name        *string
	Slug        *string
	Description store.Opt[*string]
	LogoURL     store.Opt[*string]
	WebsiteURL  store.Opt[*string]
}

// ListQuery narrows the organization list. Empty fields take the
// defaults: no search, sort by createdAt, descending, first page of 20.
type ListQuery struct {
	// Search is a case-insensitive substring of the name or description
	// (not trimmed, at most 255 characters).
	Search string
	// SortBy is "createdAt" or "name"; SortOrder is "asc" or "desc".
	SortBy    string
	SortOrder string
	Page      store.Page
}

// SlugAvailability answers a slug check. Reason says why a slug is not
// available: "taken" (by a live or deleted organization) or "reserved".
type SlugAvailability struct {
	Available bool   `json:"available"`
	Reason    string `json:"reason,omitempty"`
}

// Create makes an organization with the actor as its owner member, both in
// one transaction. Creators, admins and platform owners may create
// organizations; customers may not (they buy content, they do not run a
// tenant). A slug in use, even by a deleted organization, is a 409
// SLUG_TAKEN; a reserved one a 400 RESERVED_SLUG.
func (s *Service) Create(ctx context.Context, a *actor.Actor, in Create) (*store.Organization, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	if !a.Is(store.RoleCreator, store.RoleAdmin, store.RolePlatformOwner) {
		return nil, errCannotCreate
	}
	var f fields
	name := checkName(&f, "body.name", in.Name)
	slug, slugMsg := normalizeSlug(in.Slug)
	if slugMsg != "" {
		f.add("body.slug", slugMsg)
	}
	desc := checkDescription(&f, "body.description", in.Description)
	logo := checkURL(&f, "body.logoUrl", in.LogoURL)
	site := checkURL(&f, "body.websiteUrl", in.WebsiteURL)
	if err := f.err(); err != nil {
		return nil, err
	}
	if _, err := checkSlug("body.slug", slug); err != nil {
		return nil, err
	}

	o := &store.Organization{Name: name, Slug: slug, Description: desc, LogoURL: logo, WebsiteURL: site}
	err := s.db.RunInTx(ctx, func(tx store.Repos) error {
		if err := tx.Organizations().Create(ctx, o); err != nil {
			return err
		}
		return tx.Memberships().Create(ctx, &store.Membership{
			OrganizationID: o.ID, UserID: a.UserID, Role: store.MemberOwner, Status: store.MembershipActive,
		})
	})
	if store.IsConstraint(err, store.Unique, store.ConstraintOrgSlug) {
		return nil, slugTaken("body.slug")
	}
	if err != nil {
		return nil, err
	}
	s.invalidate(a.UserID)
	return o, nil
}

// Get returns an organization the actor is a member of (any organization
// for a platform owner). Anything else is ErrNotFound.
func (s *Service) Get(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Organization, error) {
	st, err := s.read(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return st.org, nil
}

// GetBySlug is Get by slug. A malformed slug is a 400 on params.slug.
func (s *Service) GetBySlug(ctx context.Context, a *actor.Actor, slug string) (*store.Organization, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	o, err := s.liveBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	st, err := s.member(ctx, a, o)
	if err != nil {
		return nil, err
	}
	return st.org, nil
}

func (s *Service) liveBySlug(ctx context.Context, slug string) (*store.Organization, error) {
	norm, msg := normalizeSlug(slug)
	if msg != "" {
		return nil, fault.InvalidField("params.slug", msg)
	}
	o, err := s.db.Organizations().GetBySlug(ctx, norm)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return o, err
}

// Update changes an organization; owners, admins and platform owners may.
// Changing the slug moves the public logo URL with it.
func (s *Service) Update(ctx context.Context, a *actor.Actor, id uuid.UUID, in Update) (*store.Organization, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	var f fields
	var p store.OrganizationPatch
	if in.Name != nil {
		p.Name = store.Some(checkName(&f, "body.name", *in.Name))
	}
	var slug string
	if in.Slug != nil {
		var msg string
		if slug, msg = normalizeSlug(*in.Slug); msg != "" {
			f.add("body.slug", msg)
		}
	}
	if in.Description.Set {
		p.Description = store.Some(checkDescription(&f, "body.description", in.Description.Value))
	}
	if in.LogoURL.Set {
		p.LogoURL = store.Some(checkURL(&f, "body.logoUrl", in.LogoURL.Value))
	}
	if in.WebsiteURL.Set {
		p.WebsiteURL = store.Some(checkURL(&f, "body.websiteUrl", in.WebsiteURL.Value))
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if in.Slug != nil {
		if _, err := checkSlug("body.slug", slug); err != nil {
			return nil, err
		}
		p.Slug = store.Some(slug)
	}

	var out *store.Organization
	err := s.db.RunInTx(ctx, func(tx store.Repos) error {
		// The lock orders this against a concurrent logo upload, which
		// builds its URL from the slug.
		if err := tx.Organizations().Lock(ctx, id); err != nil {
			return err
		}
		old, err := tx.Organizations().Get(ctx, id)
		if err != nil {
			return err
		}
		if out, err = tx.Organizations().Update(ctx, id, p); err != nil {
			return err
		}
		if out.Slug == old.Slug {
			return nil
		}
		set, err := tx.OrgSettings().Get(ctx, id)
		if err != nil || set.Branding.LogoPath == nil {
			return err
		}
		u := s.logoURL(out.Slug, *set.Branding.LogoPath)
		_, err = tx.OrgSettings().UpdateBranding(ctx, id, store.BrandingPatch{LogoURL: store.Some(&u)})
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNotFound
	case store.IsConstraint(err, store.Unique, store.ConstraintOrgSlug):
		return nil, slugTaken("body.slug")
	case err != nil:
		return nil, err
	}
	return out, nil
}

// Delete soft-deletes an organization. Only its owners and platform owners
// may: it ends the tenant for every member at once. The organization then
// disappears from every read; its slug stays taken, its settings and
// memberships are kept.
func (s *Service) Delete(ctx context.Context, a *actor.Actor, id uuid.UUID) error {
	st, err := s.manage(ctx, a, id)
	if err != nil {
		return err
	}
	if !st.owns() {
		return errOwnerOnly
	}
	var members []store.Membership
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		if err := tx.Organizations().Lock(ctx, id); err != nil {
			return err
		}
		if err := tx.Organizations().SoftDelete(ctx, id); err != nil {
			return err
		}
		members, err = tx.Memberships().ListByOrg(ctx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	// Cached actors still list the membership; drop them so the deleted
	// organization stops granting anything on the next request.
	for _, m := range members {
		s.invalidate(m.UserID)
	}
	return nil
}

var sortColumns = map[string]bool{"": true, "createdAt": true, "name": true}

// List returns one page of the organizations the actor is an active
// member of; platform owners see every live organization.
func (s *Service) List(ctx context.Context, a *actor.Actor, q ListQuery) (store.List[store.Organization], error) {
	if err := actor.RequireAuth(a); err != nil {
		return store.List[store.Organization]{}, err
	}
	var f fields
	if utf8.RuneCountInString(q.Search) > MaxSearchLen {
		f.add("query.search", "Search must be 255 characters or less")
	}
	if !sortColumns[q.SortBy] {
		f.add("query.sortBy", "Sort by must be createdAt or name")
	}
	order := store.SortOrder(q.SortOrder)
	switch order {
	case "":
		order = store.Desc
	case store.Asc, store.Desc:
	default:
		f.add("query.sortOrder", "Sort order must be asc or desc")
	}
	if err := f.err(); err != nil {
		return store.List[store.Organization]{}, err
	}
	filter := store.OrganizationFilter{Search: q.Search, SortBy: q.SortBy, Order: order}
	if !a.IsPlatformOwner() {
		filter.MemberID = a.UserID
	}
	return s.db.Organizations().List(ctx, filter, q.Page)
}

// CheckSlug reports whether Create would accept slug: it is available when
// it is well formed, not reserved, and not used by any organization, live
// or deleted (the reference ignores deleted ones and then refuses them on
// create, Oddity 9). A malformed slug is a 400 on params.slug.
func (s *Service) CheckSlug(ctx context.Context, a *actor.Actor, slug string) (SlugAvailability, error) {
	if err := actor.RequireAuth(a); err != nil {
		return SlugAvailability{}, err
	}
	norm, msg := normalizeSlug(slug)
	if msg != "" {
		return SlugAvailability{}, fault.InvalidField("params.slug", msg)
	}
	if IsReservedSlug(norm) {
		return SlugAvailability{Reason: "reserved"}, nil
	}
	taken, err := s.db.Organizations().SlugTaken(ctx, norm)
	if err != nil {
		return SlugAvailability{}, err
	}
	if taken {
		return SlugAvailability{Reason: "taken"}, nil
	}
	return SlugAvailability{Available: true}, nil
}
