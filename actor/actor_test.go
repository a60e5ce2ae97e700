package actor_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

func TestPolicies(t *testing.T) {
	is := is.New(t)
	org, other := uuid.New(), uuid.New()
	var anon *actor.Actor
	is.True(errors.Is(actor.RequireAuth(anon), fault.Unauthenticated))
	is.True(errors.Is(actor.RequireMember(anon, org), fault.Unauthenticated))

	member := &actor.Actor{UserID: "u1", Role: store.RoleCustomer,
		Memberships: []actor.Membership{{OrganizationID: org, Role: store.MemberMember}}}
	is.NoErr(actor.RequireMember(member, org))
	is.True(errors.Is(actor.RequireMember(member, other), fault.Forbidden))
	is.True(errors.Is(actor.RequireManager(member, org), fault.Forbidden))
	is.True(errors.Is(actor.RequireRole(member, store.RoleCreator), fault.Forbidden))

	admin := &actor.Actor{UserID: "u2", Role: store.RoleCreator,
		Memberships: []actor.Membership{{OrganizationID: org, Role: store.MemberAdmin}}}
	is.NoErr(actor.RequireManager(admin, org))
	is.NoErr(actor.RequireRole(admin, store.RoleCreator, store.RoleAdmin))

	owner := &actor.Actor{UserID: "u3", Role: store.RolePlatformOwner}
	is.NoErr(actor.RequireManager(owner, other)) // platform owners manage every organization
	is.True(!actor.System.Authenticated())
}
