package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

// A purchase and its access grant commit together or not at all, and a
// second purchase with the same payment intent is a unique violation the
// caller can recognise.
func Example() {
	ctx := context.Background()
	db := memory.New()
	defer db.Close()

	creator := &store.User{Name: "Ada", Email: "ada@example.com", Role: store.RoleCreator}
	buyer := &store.User{Name: "Bob", Email: "bob@example.com", Role: store.RoleCustomer}
	org := &store.Organization{Name: "Ada's Studio", Slug: "ada"}
	for _, err := range []error{
		db.Users().Create(ctx, creator),
		db.Users().Create(ctx, buyer),
		db.Organizations().Create(ctx, org),
	} {
		if err != nil {
			panic(err)
		}
	}
	item := &store.Content{
		CreatorID: creator.ID, OrganizationID: &org.ID, Title: "Essay", Slug: "essay",
		ContentType: store.ContentWritten, Visibility: store.VisibilityPurchasedOnly,
		Status: store.ContentPublished, PriceCents: new(999),
	}
	if err := db.Content().Create(ctx, item); err != nil {
		panic(err)
	}

	buy := func() error {
		return db.RunInTx(ctx, func(tx store.Repos) error {
			p := &store.Purchase{
				CustomerID: buyer.ID, ContentID: item.ID, OrganizationID: org.ID,
				AmountPaidCents: 999, Currency: "usd", PlatformFeeCents: 100, CreatorPayoutCents: 899,
				StripePaymentIntentID: "pi_123", Status: store.PurchaseCompleted,
			}
			if err := tx.Purchases().Create(ctx, p); err != nil {
				return err
			}
			return tx.Access().Upsert(ctx, &store.ContentAccess{
				UserID: buyer.ID, ContentID: item.ID, OrganizationID: org.ID, AccessType: store.AccessPurchased,
			})
		})
	}

	fmt.Println("first:", buy())
	err := buy()
	fmt.Println("again is duplicate:", store.IsConstraint(err, store.Unique, store.ConstraintPurchasePaymentIntent))
	owned, _ := db.Purchases().HasCompleted(ctx, buyer.ID, item.ID)
	fmt.Println("owned:", owned)
	_, err = db.Access().Get(ctx, creator.ID, item.ID)
	fmt.Println("creator has no grant:", errors.Is(err, store.ErrNotFound))
	// Output:
	// first: <nil>
	// again is duplicate: true
	// owned: true
	// creator has no grant: true
}
