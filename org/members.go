package org

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// AddMember adds an existing user to an organization.
type AddMember struct {
	Email string
	// Role defaults to member.
	Role store.MembershipRole
}

func checkRole(path string, r store.MembershipRole) error {
	if !r.Valid() {
		return fault.InvalidField(path, "Role must be owner, admin, creator, subscriber or member")
	}
	return nil
}

// Members returns one page of the organization's members with their email
// and name, oldest first. Owners, admins and platform owners may list them:
// the list holds every member's email address.
func (s *Service) Members(ctx context.Context, a *actor.Actor, id uuid.UUID, page store.Page) (store.List[store.Member], error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return store.List[store.Member]{}, err
	}
	return s.db.Memberships().ListMembers(ctx, id, page)
}

// AddMember makes the user with the email an active member. Managers may
// add members; only owners (and platform owners) may add another owner.
// An unknown email is a 404 USER_NOT_FOUND (there is no invitation flow
// yet), an existing membership a 409 ALREADY_MEMBER.
func (s *Service) AddMember(ctx context.Context, a *actor.Actor, id uuid.UUID, in AddMember) (*store.Member, error) {
	st, err := s.manage(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var f fields
	email := strings.ToLower(checkEmail(&f, "body.email", in.Email))
	role := in.Role
	if role == "" {
		role = store.MemberMember
	}
	if !role.Valid() {
		f.add("body.role", "Role must be owner, admin, creator, subscriber or member")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if role == store.MemberOwner && !st.owns() {
		return nil, errOwnerOnly
	}
	u, err := s.db.Users().GetByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUserNotFound
	}
	if err != nil {
		return nil, err
	}
	m := &store.Membership{OrganizationID: id, UserID: u.ID, Role: role, Status: store.MembershipActive}
	err = s.db.Memberships().Create(ctx, m)
	switch {
	case store.IsConstraint(err, store.Unique, store.ConstraintMembership):
		return nil, errAlreadyMember
	case store.IsConstraint(err, store.ForeignKey, ""):
		// The organization was deleted since the check above.
		return nil, ErrNotFound
	case err != nil:
		return nil, err
	}
	s.invalidate(u.ID)
	return &store.Member{Membership: *m, Email: u.Email, Name: u.Name}, nil
}

// SetMemberRole changes a member's role. Managers may; granting or
// revoking the owner role takes an owner (or a platform owner). The last
// active owner cannot be demoted (422 LAST_OWNER).
func (s *Service) SetMemberRole(ctx context.Context, a *actor.Actor, id uuid.UUID, userID string, role store.MembershipRole) (*store.Member, error) {
	st, err := s.manage(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := checkRole("body.role", role); err != nil {
		return nil, err
	}
	var out *store.Membership
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		m, err := s.lockMember(ctx, tx, id, userID)
		if err != nil {
			return err
		}
		if (m.Role == store.MemberOwner || role == store.MemberOwner) && !st.owns() {
			return errOwnerOnly
		}
		if m.Role == role {
			out = m
			return nil
		}
		if err := keepsAnOwner(ctx, tx, m); err != nil {
			return err
		}
		out, err = tx.Memberships().Update(ctx, id, userID, store.MembershipPatch{Role: store.Some(role)})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(userID)
	u, err := s.db.Users().Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &store.Member{Membership: *out, Email: u.Email, Name: u.Name}, nil
}

// RemoveMember ends a membership. Managers may remove members (owners only
// by an owner or a platform owner), and any member may leave. The last
// active owner cannot be removed (422 LAST_OWNER).
func (s *Service) RemoveMember(ctx context.Context, a *actor.Actor, id uuid.UUID, userID string) error {
	st, err := s.read(ctx, a, id)
	if err != nil {
		return err
	}
	self := a.UserID == userID
	if !self && !st.manages() {
		return actor.ErrNotManager
	}
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		m, err := s.lockMember(ctx, tx, id, userID)
		if err != nil {
			return err
		}
		if m.Role == store.MemberOwner && !self && !st.owns() {
			return errOwnerOnly
		}
		if err := keepsAnOwner(ctx, tx, m); err != nil {
			return err
		}
		return tx.Memberships().Delete(ctx, id, userID)
	})
	if err != nil {
		return err
	}
	s.invalidate(userID)
	return nil
}

// lockMember takes the organization's lock, which serialises every
// membership change of the organization, then reads the membership.
func (s *Service) lockMember(ctx context.Context, tx store.Repos, id uuid.UUID, userID string) (*store.Membership, error) {
	if err := tx.Organizations().Lock(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	m, err := tx.Memberships().Get(ctx, id, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMemberNotFound
	}
	return m, err
}

// keepsAnOwner refuses to take m out of the owners when it is the last
// active one. It must run under the organization's lock: two owners
// stepping down at once would otherwise each see the other still there.
func keepsAnOwner(ctx context.Context, tx store.Repos, m *store.Membership) error {
	if m.Role != store.MemberOwner || m.Status != store.MembershipActive {
		return nil
	}
	n, err := tx.Memberships().Count(ctx, m.OrganizationID, store.MemberOwner, store.MembershipActive)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastOwner
	}
	return nil
}
