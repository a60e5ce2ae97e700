package org_test

import (
	"context"
	"fmt"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// A creator sets up an organization, adds a colleague and turns purchases
// off; the purchase flow then asks before selling anything.
func Example() {
	ctx := context.Background()
	db := memory.New()
	// No blobs and no session cache: this example uploads no logo.
	orgs := org.New(db, nil, nil, org.Config{PublicURL: "https://codex.example"})

	ada := &store.User{Email: "ada@example.com", Name: "Ada", Role: store.RoleCreator}
	bob := &store.User{Email: "bob@example.com", Name: "Bob", Role: store.RoleCustomer}
	for _, u := range []*store.User{ada, bob} {
		if err := db.Users().Create(ctx, u); err != nil {
			panic(err)
		}
	}
	a := &actor.Actor{UserID: ada.ID, Role: ada.Role}

	o, err := orgs.Create(ctx, a, org.Create{Name: "Ada's Films", Slug: "Adas-Films"})
	if err != nil {
		panic(err)
	}
	m, err := orgs.AddMember(ctx, a, o.ID, org.AddMember{Email: "bob@example.com", Role: store.MemberCreator})
	if err != nil {
		panic(err)
	}
	off := false
	if _, err := orgs.UpdateFeatures(ctx, a, o.ID, org.FeaturesUpdate{EnablePurchases: &off}); err != nil {
		panic(err)
	}
	on, err := orgs.PurchasesEnabled(ctx, o.ID)
	if err != nil {
		panic(err)
	}
	// Removing Ada would leave the organization without an owner.
	err = orgs.RemoveMember(ctx, a, o.ID, ada.ID)

	fmt.Println(o.Slug)
	fmt.Println(m.Name, m.Role)
	fmt.Println("purchases enabled:", on)
	fmt.Println(err)
	// Output:
	// adas-films
	// Bob creator
	// purchases enabled: false
	// LAST_OWNER: An organization must keep at least one owner
}
