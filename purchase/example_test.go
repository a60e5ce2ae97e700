package purchase_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
)

func ExampleCalculateSplit() {
	s, _ := purchase.CalculateSplit(2999, 1000, 0) // 10% platform, no organization share
	fmt.Println(s.PlatformFeeCents, s.OrganizationFeeCents, s.CreatorPayoutCents)
	s, _ = purchase.CalculateSplit(1999, 1000, 2000)
	fmt.Println(s.PlatformFeeCents, s.OrganizationFeeCents, s.CreatorPayoutCents)
	// Output:
	// 300 0 2699
	// 200 360 1439
}

// A purchase on the local test payments: check out, complete, own.
func ExampleService_CompleteLocalCheckout() {
	ctx := context.Background()
	db := memory.New()
	creator := &store.User{Name: "Creator", Email: "creator@example.com", Role: store.RoleCreator}
	buyer := &store.User{Name: "Buyer", Email: "buyer@example.com", Role: store.RoleCustomer}
	org := &store.Organization{Name: "Studio", Slug: "studio"}
	_ = db.Users().Create(ctx, creator)
	_ = db.Users().Create(ctx, buyer)
	_ = db.Organizations().Create(ctx, org)
	price, body, now := 999, "text", time.Now()
	item := &store.Content{CreatorID: creator.ID, OrganizationID: &org.ID, Title: "Film", Slug: "film",
		ContentType: store.ContentWritten, ContentBody: &body, Visibility: store.VisibilityPublic,
		Status: store.ContentPublished, PriceCents: &price, PublishedAt: &now}
	_ = db.Content().Create(ctx, item)

	svc := purchase.New(db, purchase.NewLocalPayments("http://localhost:8080"), nil, nil,
		purchase.Config{PublicURL: "http://localhost:8080", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	a := &actor.Actor{UserID: buyer.ID, Role: store.RoleCustomer}
	sess, err := svc.Checkout(ctx, a, purchase.CheckoutInput{ContentID: item.ID,
		SuccessURL: "http://localhost:8080/thanks", CancelURL: "http://localhost:8080/film"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _, err := svc.CompleteLocalCheckout(ctx, a, sess.SessionID)
	if err != nil {
		fmt.Println(err)
		return
	}
	owns, _ := svc.HasPurchased(ctx, buyer.ID, item.ID)
	fmt.Println(p.Status, p.AmountPaidCents, p.PlatformFeeCents, p.CreatorPayoutCents, owns)
	// Output: completed 999 100 899 true
}
