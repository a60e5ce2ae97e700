package server

import (
	"context"
	"testing"

	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/store"
)

const testPassword = "test password 1"

// user creates a verified account with the role and returns a session
// token for it, to send as "Authorization: Bearer <token>".
func (e *testEnv) user(t *testing.T, email string, role store.Role) (string, *store.User) {
	t.Helper()
	ctx := context.Background()
	u, err := e.c.Auth().SignUp(ctx, auth.SignUp{Email: email, Password: testPassword, Name: "Test " + email})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Store().Users().Update(ctx, u.ID, store.UserPatch{EmailVerified: store.Some(true), Role: store.Some(role)}); err != nil {
		t.Fatal(err)
	}
	s, err := e.c.Auth().SignIn(ctx, auth.SignIn{Email: email, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return s.Token, &s.User
}

// bearer is the header pair do() takes for a session token.
func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }
