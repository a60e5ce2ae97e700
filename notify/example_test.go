package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/store/memory"
)

// A product service sends a receipt by template name; delivery happens in
// the background and is recorded in the email log.
func ExampleService_Send() {
	db := memory.New()
	var out notify.Outbox
	s := notify.New(db, &out, notify.Config{From: "Codex <noreply@codex.test>", Log: quiet})
	defer s.Close()

	_, err := s.Send(context.Background(), notify.Request{
		Template: notify.TemplatePurchaseReceipt,
		To:       "ada@example.com",
		Data: map[string]string{
			"userName": "Ada", "contentTitle": "Night Shift", "priceFormatted": "$9.99",
			"purchaseDate": "2 January 2026", "contentUrl": "https://codex.test/content/night-shift",
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := out.Wait("ada@example.com", notify.TemplatePurchaseReceipt, 5*time.Second)
	fmt.Println(m.Subject)
	// Output: Receipt for your purchase from Codex
}
