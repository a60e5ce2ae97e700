// Package org owns organizations (the tenants of the platform), their
// memberships and their platform settings: branding (colour and logo),
// contact details and feature toggles.
//
// Tenancy rules, enforced here so that a Go program embedding Codex gets
// the same guarantees as the HTTP server:
//
//   - Creators, admins and platform owners may create organizations;
//     customers may not. Whoever creates one becomes its owner member in the
//     same transaction.
//   - Active members read their organization. Owners and admins manage it
//     (update, settings, logo, members); only owners delete it or grant and
//     revoke the owner role. Platform owners may do anything to any
//     organization.
//   - To anyone else an organization does not exist: reads and writes of a
//     specific organization answer 404, never 403, so ids and slugs cannot
//     be probed. Lists show only the caller's organizations.
//   - An organization always keeps at least one active owner.
//
// Soft-deleted organizations disappear from every read, public ones
// included, and their slugs stay taken.
package org

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// SessionInvalidator drops cached sessions of a user so that the next
// request sees fresh memberships. auth.Service implements it.
type SessionInvalidator interface {
	InvalidateUser(userID string)
}

// Config configures the service.
type Config struct {
	// PublicURL is the base of the logo URLs the service stores (no
	// trailing slash), e.g. https://codex.example.
	PublicURL string
	// Log receives best-effort failures (orphaned logo objects).
	Log *slog.Logger
}

// Service manages organizations, memberships and settings.
type Service struct {
	cfg      Config
	db       store.Store
	blobs    store.Blobs
	sessions SessionInvalidator
}

// New returns the service. sessions may be nil when no session cache needs
// telling about membership changes.
func New(db store.Store, blobs store.Blobs, sessions SessionInvalidator, cfg Config) *Service {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, db: db, blobs: blobs, sessions: sessions}
}

// Stable error codes this package adds to the catalogue.
const (
	CodeSlugTaken           = "SLUG_TAKEN"
	CodeReservedSlug        = "RESERVED_SLUG"
	CodeLastOwner           = "LAST_OWNER"
	CodeUserNotFound        = "USER_NOT_FOUND"
	CodeAlreadyMember       = "ALREADY_MEMBER"
	CodeMemberNotFound      = "MEMBER_NOT_FOUND"
	CodeUnsupportedFileType = "UNSUPPORTED_FILE_TYPE"
	CodeFileTooLarge        = "FILE_TOO_LARGE"
	CodeEmptyFile           = "EMPTY_FILE"
	CodeLogoNotFound        = "LOGO_NOT_FOUND"
)

var (
	// ErrNotFound is the answer for a missing or deleted organization and
	// for one the caller may not see. Code and message are the reference's.
	ErrNotFound       = fault.New(fault.NotFound, fault.CodeNotFound, "Organization not found")
	errCannotCreate   = fault.New(fault.Forbidden, fault.CodeForbidden, "Only creators, admins and platform owners can create organizations")
	errOwnerOnly      = fault.New(fault.Forbidden, fault.CodeForbidden, "Organization owner access required")
	errLastOwner      = fault.New(fault.Unprocessable, CodeLastOwner, "An organization must keep at least one owner")
	errUserNotFound   = fault.New(fault.NotFound, CodeUserNotFound, "No user has this email address")
	errAlreadyMember  = fault.New(fault.Conflict, CodeAlreadyMember, "The user is already a member of this organization")
	errMemberNotFound = fault.New(fault.NotFound, CodeMemberNotFound, "Member not found")
	errLogoNotFound   = fault.New(fault.NotFound, CodeLogoNotFound, "Logo not found")
)

func slugTaken(path string) error {
	e := fault.New(fault.Conflict, CodeSlugTaken, "Organization slug already exists")
	e.Details = []fault.Field{{Path: path, Message: "Slug is already taken"}}
	return e
}

// standing is what the caller may do in one live organization.
type standing struct {
	org           *store.Organization
	role          store.MembershipRole // empty for a platform owner who is not a member
	platformOwner bool
}

func (st standing) manages() bool { return st.platformOwner || st.role.Manages() }
func (st standing) owns() bool    { return st.platformOwner || st.role == store.MemberOwner }

// member resolves the caller's standing in the organization. The
// membership is read from the database rather than from the actor, whose
// memberships may come from a session cache that another instance has not
// refreshed yet; losing access must take effect at once.
func (s *Service) member(ctx context.Context, a *actor.Actor, o *store.Organization) (standing, error) {
	if a.IsPlatformOwner() {
		st := standing{org: o, platformOwner: true}
		if m, err := s.db.Memberships().Get(ctx, o.ID, a.UserID); err == nil && m.Status == store.MembershipActive {
			st.role = m.Role
		}
		return st, nil
	}
	m, err := s.db.Memberships().Get(ctx, o.ID, a.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.Status != store.MembershipActive) {
		return standing{}, ErrNotFound
	}
	if err != nil {
		return standing{}, err
	}
	return standing{org: o, role: m.Role}, nil
}

// read returns the caller's standing in a live organization they may see.
func (s *Service) read(ctx context.Context, a *actor.Actor, id uuid.UUID) (standing, error) {
	if err := actor.RequireAuth(a); err != nil {
		return standing{}, err
	}
	o, err := s.db.Organizations().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return standing{}, ErrNotFound
	}
	if err != nil {
		return standing{}, err
	}
	return s.member(ctx, a, o)
}

// manage is read plus the owner-or-admin check. Members who may not
// manage learn so (403); they already know the organization exists.
func (s *Service) manage(ctx context.Context, a *actor.Actor, id uuid.UUID) (standing, error) {
	st, err := s.read(ctx, a, id)
	if err != nil {
		return standing{}, err
	}
	if !st.manages() {
		return standing{}, actor.ErrNotManager
	}
	return st, nil
}

func (s *Service) invalidate(userIDs ...string) {
	if s.sessions == nil {
		return
	}
	for _, id := range userIDs {
		s.sessions.InvalidateUser(id)
	}
}
