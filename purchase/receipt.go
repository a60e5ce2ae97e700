package purchase

import (
	"fmt"
	"strings"

	"github.com/codexforgo/codex/store"
)

// ReceiptData is the data of the purchase-receipt email template:
// userName, contentTitle, priceFormatted, purchaseDate and contentUrl
// (publicURL + "/content/<id>").
func ReceiptData(p store.Purchase, c store.Content, buyer store.User, publicURL string) map[string]string {
	date := p.CreatedAt
	if p.PurchasedAt != nil {
		date = *p.PurchasedAt
	}
	return map[string]string{
		"userName":       buyer.Name,
		"contentTitle":   c.Title,
		"priceFormatted": FormatPrice(int64(p.AmountPaidCents), p.Currency),
		"purchaseDate":   date.UTC().Format("2 January 2006"),
		"contentUrl":     strings.TrimRight(publicURL, "/") + "/content/" + c.ID.String(),
	}
}

// FormatPrice renders cents of a two-decimal currency: "$9.99" for usd,
// "9.99 EUR" otherwise.
func FormatPrice(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	amount := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	if strings.EqualFold(currency, "usd") || currency == "" {
		return sign + "$" + amount
	}
	return sign + amount + " " + strings.ToUpper(currency)
}
