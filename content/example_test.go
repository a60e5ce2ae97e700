package content_test

import (
	"context"
	"fmt"
	"os"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/content"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
)

func Example() {
	ctx := context.Background()
	db := memory.New()
	dir, _ := os.MkdirTemp("", "blobs")
	defer os.RemoveAll(dir)
	blobs, _ := disk.New(dir)
	u := &store.User{Name: "Ada", Email: "ada@example.com", Role: store.RoleCreator}
	_ = db.Users().Create(ctx, u)
	ada := &actor.Actor{UserID: u.ID, Role: store.RoleCreator}

	svc := content.New(db, blobs, content.Config{PublicURL: "https://media.example.com", UploadKey: make([]byte, 32)})
	body := "Notes on the analytical engine."
	c, err := svc.Create(ctx, ada, content.Create{Title: "Notes", Slug: "notes", ContentType: store.ContentWritten, ContentBody: &body})
	if err != nil {
		panic(err)
	}
	c, _ = svc.Publish(ctx, ada, c.ID)
	fmt.Println(c.Slug, c.Status, c.Visibility)
	// Output: notes published public
}
