// Package actor describes who is making a request and answers the policy
// questions every service asks: signed in? which role? member or manager of
// this organization?
//
// Services take an *Actor explicitly; a nil or zero Actor is anonymous.
// Authorization lives in the services, so a Go program that embeds Codex gets
// the same guarantees as the HTTP server.
package actor

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Actor is an authenticated user as seen by one request.
type Actor struct {
	UserID        string
	SessionID     string
	Email         string
	Name          string
	EmailVerified bool
	Role          store.Role
	// Memberships lists the user's active memberships.
	Memberships []Membership
}

// Membership is one active organization membership of the actor.
type Membership struct {
	OrganizationID uuid.UUID
	Role           store.MembershipRole
}

// System is the actor for work the platform does on its own behalf
// (webhooks, transcoding callbacks, scheduled jobs).
var System = &Actor{UserID: "", Role: store.RoleSystem}

// Authenticated reports whether a is a signed-in user.
func (a *Actor) Authenticated() bool { return a != nil && a.UserID != "" }

// Is reports whether a is signed in with one of the roles.
func (a *Actor) Is(roles ...store.Role) bool {
	return a.Authenticated() && slices.Contains(roles, a.Role)
}

// IsPlatformOwner reports whether a is a platform owner.
func (a *Actor) IsPlatformOwner() bool { return a.Is(store.RolePlatformOwner) }

// MemberRole returns a's role in the organization, if a is an active member.
func (a *Actor) MemberRole(orgID uuid.UUID) (store.MembershipRole, bool) {
	if !a.Authenticated() {
		return "", false
	}
	for _, m := range a.Memberships {
		if m.OrganizationID == orgID {
			return m.Role, true
		}
	}
	return "", false
}

// MemberOf reports whether a is an active member of the organization.
func (a *Actor) MemberOf(orgID uuid.UUID) bool {
	_, ok := a.MemberRole(orgID)
	return ok
}

// Manages reports whether a may manage the organization: an owner or admin
// member, or a platform owner.
func (a *Actor) Manages(orgID uuid.UUID) bool {
	if a.IsPlatformOwner() {
		return true
	}
	r, ok := a.MemberRole(orgID)
	return ok && r.Manages()
}

// Policy errors. Messages are the reference's; details never echo roles,
// ids or addresses.
var (
	ErrUnauthenticated = fault.New(fault.Unauthenticated, fault.CodeUnauthorized, "Authentication required")
	ErrForbidden       = fault.New(fault.Forbidden, fault.CodeForbidden, "Insufficient permissions")
	ErrNotMember       = fault.New(fault.Forbidden, fault.CodeForbidden, "You are not a member of this organization")
	ErrNotManager      = fault.New(fault.Forbidden, fault.CodeForbidden, "Organization management access required")
)

// RequireAuth fails unless a is signed in.
func RequireAuth(a *Actor) error {
	if !a.Authenticated() {
		return ErrUnauthenticated
	}
	return nil
}

// RequireRole fails unless a is signed in with one of the roles.
func RequireRole(a *Actor, roles ...store.Role) error {
	if err := RequireAuth(a); err != nil {
		return err
	}
	if !slices.Contains(roles, a.Role) {
		return ErrForbidden
	}
	return nil
}

// RequireMember fails unless a is an active member of the organization or a
// platform owner.
func RequireMember(a *Actor, orgID uuid.UUID) error {
	if err := RequireAuth(a); err != nil {
		return err
	}
	if !a.IsPlatformOwner() && !a.MemberOf(orgID) {
		return ErrNotMember
	}
	return nil
}

// RequireManager fails unless a manages the organization.
func RequireManager(a *Actor, orgID uuid.UUID) error {
	if err := RequireMember(a, orgID); err != nil {
		return err
	}
	if !a.Manages(orgID) {
		return ErrNotManager
	}
	return nil
}

type ctxKey struct{}

// NewContext returns ctx carrying a.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx, or nil (anonymous).
func FromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(ctxKey{}).(*Actor)
	return a
}
