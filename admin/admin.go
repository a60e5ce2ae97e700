// Package admin is the platform's back office: revenue analytics, customers
// and complimentary access, cross-creator content moderation and role
// changes.
//
// Who sees what (reference oddities 5 and 14 fixed):
//
//   - Platform owners see everything: platform-wide figures by default, or
//     one organization's when they name it.
//   - Owners and admins of an organization see that organization's figures
//     only. They name it, or it is inferred when they manage exactly one;
//     otherwise the call fails with ORG_CONTEXT_REQUIRED. Naming another
//     organization is a 403, never data.
//   - Everyone else gets a 403.
//
// Memberships are read from the database on every call, not from the
// actor, whose memberships may come from a session cache: losing a role
// takes effect at once.
//
// Every figure counts completed purchases only; refunded, pending and
// failed ones are left out entirely (the reference's semantics). Sums are
// int64 and computed by the database.
package admin

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// ContentLifecycle publishes, unpublishes and deletes content under the
// content service's own rules (content.Service implements it), so the
// admin surface cannot drift from them.
type ContentLifecycle interface {
	Publish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error)
	Unpublish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error)
	Delete(ctx context.Context, a *actor.Actor, id uuid.UUID) error
}

// RoleSetter changes a user's platform role and drops their sessions
// (auth.Service implements it).
type RoleSetter interface {
	SetRole(ctx context.Context, a *actor.Actor, userID string, role store.Role) (*store.User, error)
}

// Config configures the service.
type Config struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the admin service.
type Service struct {
	cfg     Config
	db      store.Store
	content ContentLifecycle
	roles   RoleSetter
}

// New returns the service.
func New(db store.Store, content ContentLifecycle, roles RoleSetter, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, db: db, content: content, roles: roles}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Stable error codes this package adds to the catalogue.
const (
	CodeCustomerNotFound     = "CUSTOMER_NOT_FOUND"
	CodeGrantNotFound        = "GRANT_NOT_FOUND"
	CodeOrganizationNotFound = "ORGANIZATION_NOT_FOUND"
)

var (
	errNoAdminAccess = fault.New(fault.Forbidden, fault.CodeForbidden,
		"Admin access requires the platform owner role or an organization owner or admin membership")
	errOtherOrg = fault.New(fault.Forbidden, fault.CodeForbidden,
		"You do not manage this organization")
	errOrgNotFound      = fault.New(fault.NotFound, CodeOrganizationNotFound, "Organization not found")
	errContentNotFound  = fault.New(fault.NotFound, fault.CodeContentNotFound, "Content not found in this organization")
	errCustomerNotFound = fault.New(fault.NotFound, CodeCustomerNotFound, "Customer not found")
	errNoPurchases      = fault.New(fault.NotFound, CodeCustomerNotFound, "Customer has no purchases in this scope")
	errNoRelationship   = fault.New(fault.NotFound, CodeCustomerNotFound, "Customer has no relationship with this organization")
	errGrantNotFound    = fault.New(fault.NotFound, CodeGrantNotFound, "No complimentary access to revoke")
)

// Scope is what one call may see: one organization, or with a nil
// OrganizationID every organization (platform owners only).
type Scope struct {
	OrganizationID *uuid.UUID `json:"organizationId"`
}

// orgContextRequired is the 400 for a manager of several organizations who
// did not say which one.
func orgContextRequired() error {
	e := fault.InvalidField("query.organizationId", "Required: you manage more than one organization")
	e.Code = fault.CodeOrgContextRequired
	e.Message = "Organization context required"
	return e
}

// managed returns the live organizations a actively owns or administers.
func (s *Service) managed(ctx context.Context, a *actor.Actor) ([]uuid.UUID, error) {
	ms, err := s.db.Memberships().ListByUser(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	var out []uuid.UUID
	for _, m := range ms {
		if m.Status == store.MembershipActive && m.Role.Manages() {
			out = append(out, m.OrganizationID)
		}
	}
	return out, nil
}

// Resolve decides the scope of a call by a asking about orgID (nil: not
// named). See the package documentation for the rules.
func (s *Service) Resolve(ctx context.Context, a *actor.Actor, orgID *uuid.UUID) (Scope, error) {
	if err := actor.RequireAuth(a); err != nil {
		return Scope{}, err
	}
	if a.IsPlatformOwner() {
		if orgID == nil {
			return Scope{}, nil
		}
		if _, err := s.db.Organizations().Get(ctx, *orgID); errors.Is(err, store.ErrNotFound) {
			return Scope{}, errOrgNotFound
		} else if err != nil {
			return Scope{}, err
		}
		return Scope{OrganizationID: orgID}, nil
	}
	orgs, err := s.managed(ctx, a)
	if err != nil {
		return Scope{}, err
	}
	switch {
	case len(orgs) == 0:
		return Scope{}, errNoAdminAccess
	case orgID != nil:
		for _, id := range orgs {
			if id == *orgID {
				return Scope{OrganizationID: &id}, nil
			}
		}
		return Scope{}, errOtherOrg
	case len(orgs) == 1:
		return Scope{OrganizationID: &orgs[0]}, nil
	}
	return Scope{}, orgContextRequired()
}

// Status is what GET /api/admin/status reports.
type Status struct {
	Status  string     `json:"status"`
	Message string     `json:"message"`
	User    StatusUser `json:"user"`
	// PlatformWide is true for platform owners.
	PlatformWide bool `json:"platformWide"`
	// OrganizationIDs are the organizations a manages.
	OrganizationIDs []uuid.UUID `json:"organizationIds"`
}

// StatusUser identifies the caller.
type StatusUser struct {
	ID   string     `json:"id"`
	Role store.Role `json:"role"`
}

// Status checks that a may use the admin API at all and says in what scope.
func (s *Service) Status(ctx context.Context, a *actor.Actor) (*Status, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	orgs, err := s.managed(ctx, a)
	if err != nil {
		return nil, err
	}
	if !a.IsPlatformOwner() && len(orgs) == 0 {
		return nil, errNoAdminAccess
	}
	if orgs == nil {
		orgs = []uuid.UUID{}
	}
	return &Status{
		Status: "ok", Message: "Admin API is operational",
		User:         StatusUser{ID: a.UserID, Role: a.Role},
		PlatformWide: a.IsPlatformOwner(), OrganizationIDs: orgs,
	}, nil
}

// SetRole changes a user's platform role; only platform owners may, and the
// user's sessions end so the new role applies at once.
func (s *Service) SetRole(ctx context.Context, a *actor.Actor, userID string, role store.Role) (*store.User, error) {
	return s.roles.SetRole(ctx, a, userID, role)
}
