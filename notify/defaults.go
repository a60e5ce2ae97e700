package notify

// Template names the platform sends, and the data keys each one takes.
// Other services call Service.Send with these names; every data value is a
// string (format numbers and dates before sending).
const (
	// TemplateVerification: userName, verificationUrl*, expiryHours*.
	TemplateVerification = "email-verification"
	// TemplatePasswordReset: userName, resetUrl*, expiryHours*.
	TemplatePasswordReset = "password-reset"
	// TemplatePasswordChanged: userName, supportUrl.
	TemplatePasswordChanged = "password-changed"
	// TemplatePurchaseReceipt: userName, contentTitle*, priceFormatted*
	// (e.g. "$9.99"), purchaseDate*, contentUrl*. Send it with the
	// purchase's OrganizationID so the organization's branding and
	// override apply.
	TemplatePurchaseReceipt = "purchase-receipt"
	// TemplateTranscodingFinished: userName, mediaTitle*, mediaUrl. Sent to
	// the creator; CreatorID should be the creator's user id.
	TemplateTranscodingFinished = "transcoding-finished"
	// TemplateTranscodingFailed: userName, mediaTitle*, errorMessage,
	// mediaUrl. Sent to the creator.
	TemplateTranscodingFailed = "transcoding-failed"
)

// Keys marked * above are required; keys ending in Url must be absolute
// http(s) URLs.

// Brand tokens are available to every template. Their values come from the
// organization's settings when a send has an organization, else from the
// platform defaults; caller data never overrides them (a caller-chosen
// primaryColor would land in a CSS context that HTML escaping does not
// protect).
var brandTokens = []string{"platformName", "logoUrl", "primaryColor", "secondaryColor", "supportEmail", "contactUrl"}

// TokenUnsubscribeURL is filled by the service in non-transactional email
// with the recipient's one-click unsubscribe link.
const TokenUnsubscribeURL = "unsubscribeUrl"

// kind describes a template name the platform knows.
type kind struct {
	tokens   []string // specific tokens, beyond the brand ones
	required []string
	// transactional mail is what the recipient asked for by acting
	// (verification, receipts); it ignores opt-outs and has no
	// unsubscribe link.
	transactional bool
	// sample fills preview and test-send data the caller left out.
	sample  map[string]string
	builtin builtin
}

// builtin is the default content of a known template: what is sent when no
// stored active template overrides it.
type builtin struct {
	Subject, HTML, Text string
}

const htmlHead = `<div style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:0 auto;color:#111">
<h1 style="color:{{primaryColor}};font-size:20px">{{platformName}}</h1>
`

const htmlFoot = `<hr style="border:none;border-top:1px solid #ddd">
<p style="font-size:12px;color:#666">{{platformName}} · <a href="mailto:{{supportEmail}}">{{supportEmail}}</a> · <a href="{{contactUrl}}">{{contactUrl}}</a></p>
</div>`

const htmlFootUnsubscribe = `<hr style="border:none;border-top:1px solid #ddd">
<p style="font-size:12px;color:#666">{{platformName}} · <a href="mailto:{{supportEmail}}">{{supportEmail}}</a> · <a href="{{unsubscribeUrl}}">Unsubscribe from these notices</a></p>
</div>`

const textFoot = "\n--\n{{platformName}} · {{supportEmail}} · {{contactUrl}}\n"

const textFootUnsubscribe = "\n--\n{{platformName}} · {{supportEmail}}\nUnsubscribe from these notices: {{unsubscribeUrl}}\n"

var kinds = map[string]kind{
	TemplateVerification: {
		tokens:        []string{"userName", "verificationUrl", "expiryHours"},
		required:      []string{"verificationUrl", "expiryHours"},
		transactional: true,
		sample:        map[string]string{"userName": "Ada", "verificationUrl": "https://example.com/verify?token=sample", "expiryHours": "24"},
		builtin: builtin{
			Subject: "Verify your email address",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p>Confirm your email address for {{platformName}}:</p>
<p><a href="{{verificationUrl}}" style="background:{{primaryColor}};color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">Verify my email</a></p>
<p>The link works once and expires in {{expiryHours}} hours.</p>
` + htmlFoot,
			Text: "Hi {{userName}},\n\nConfirm your email address for {{platformName}}:\n{{verificationUrl}}\n\nThe link works once and expires in {{expiryHours}} hours.\n" + textFoot,
		},
	},
	TemplatePasswordReset: {
		tokens:        []string{"userName", "resetUrl", "expiryHours"},
		required:      []string{"resetUrl", "expiryHours"},
		transactional: true,
		sample:        map[string]string{"userName": "Ada", "resetUrl": "https://example.com/reset-password/sample", "expiryHours": "1"},
		builtin: builtin{
			Subject: "Reset your password",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p>Someone asked to reset your {{platformName}} password. If it was you:</p>
<p><a href="{{resetUrl}}" style="background:{{primaryColor}};color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">Choose a new password</a></p>
<p>The link works once and expires in {{expiryHours}} hour(s). If it was not you, ignore this email.</p>
` + htmlFoot,
			Text: "Hi {{userName}},\n\nSomeone asked to reset your {{platformName}} password. If it was you, open:\n{{resetUrl}}\n\nThe link works once and expires in {{expiryHours}} hour(s). If it was not you, ignore this email.\n" + textFoot,
		},
	},
	TemplatePasswordChanged: {
		tokens:        []string{"userName", "supportUrl"},
		transactional: true,
		sample:        map[string]string{"userName": "Ada", "supportUrl": "https://example.com/support"},
		builtin: builtin{
			Subject: "Your password has been changed",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p>The password of your {{platformName}} account was just changed and every device was signed out.</p>
<p>If this was not you, contact <a href="mailto:{{supportEmail}}">{{supportEmail}}</a> or visit <a href="{{supportUrl}}">{{supportUrl}}</a>.</p>
` + htmlFoot,
			Text: "Hi {{userName}},\n\nThe password of your {{platformName}} account was just changed and every device was signed out.\nIf this was not you, contact {{supportEmail}} or visit {{supportUrl}}.\n" + textFoot,
		},
	},
	TemplatePurchaseReceipt: {
		tokens:        []string{"userName", "contentTitle", "priceFormatted", "purchaseDate", "contentUrl"},
		required:      []string{"contentTitle", "priceFormatted", "purchaseDate", "contentUrl"},
		transactional: true,
		sample: map[string]string{"userName": "Ada", "contentTitle": "Sample video", "priceFormatted": "$9.99",
			"purchaseDate": "1 January 2026", "contentUrl": "https://example.com/content/sample"},
		builtin: builtin{
			Subject: "Receipt for your purchase from {{platformName}}",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p>Thank you for buying <strong>{{contentTitle}}</strong>.</p>
<table style="border-collapse:collapse">
<tr><td style="padding:4px 12px 4px 0">Item</td><td>{{contentTitle}}</td></tr>
<tr><td style="padding:4px 12px 4px 0">Price</td><td>{{priceFormatted}}</td></tr>
<tr><td style="padding:4px 12px 4px 0">Date</td><td>{{purchaseDate}}</td></tr>
</table>
<p><a href="{{contentUrl}}" style="background:{{primaryColor}};color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">Watch now</a></p>
<p>Questions? <a href="mailto:{{supportEmail}}">{{supportEmail}}</a></p>
` + htmlFoot,
			Text: "Hi {{userName}},\n\nThank you for buying {{contentTitle}}.\n\nItem: {{contentTitle}}\nPrice: {{priceFormatted}}\nDate: {{purchaseDate}}\n\nWatch now: {{contentUrl}}\n\nQuestions? {{supportEmail}}\n" + textFoot,
		},
	},
	TemplateTranscodingFinished: {
		tokens:   []string{"userName", "mediaTitle", "mediaUrl"},
		required: []string{"mediaTitle"},
		sample:   map[string]string{"userName": "Ada", "mediaTitle": "Sample upload", "mediaUrl": "https://example.com/media/sample"},
		builtin: builtin{
			Subject: "Your media is ready: {{mediaTitle}}",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p><strong>{{mediaTitle}}</strong> has finished processing and is ready to publish.</p>
<p><a href="{{mediaUrl}}">Open it</a></p>
` + htmlFootUnsubscribe,
			Text: "Hi {{userName}},\n\n{{mediaTitle}} has finished processing and is ready to publish.\n{{mediaUrl}}\n" + textFootUnsubscribe,
		},
	},
	TemplateTranscodingFailed: {
		tokens:   []string{"userName", "mediaTitle", "errorMessage", "mediaUrl"},
		required: []string{"mediaTitle"},
		sample: map[string]string{"userName": "Ada", "mediaTitle": "Sample upload", "errorMessage": "The file could not be decoded",
			"mediaUrl": "https://example.com/media/sample"},
		builtin: builtin{
			Subject: "Processing failed: {{mediaTitle}}",
			HTML: htmlHead + `<p>Hi {{userName}},</p>
<p>We could not process <strong>{{mediaTitle}}</strong>: {{errorMessage}}</p>
<p>You can retry or upload the file again: <a href="{{mediaUrl}}">open it</a>.</p>
` + htmlFootUnsubscribe,
			Text: "Hi {{userName}},\n\nWe could not process {{mediaTitle}}: {{errorMessage}}\nYou can retry or upload the file again: {{mediaUrl}}\n" + textFootUnsubscribe,
		},
	},
}

// kindOf returns what the platform knows about a template name. Custom
// names may use the brand tokens only (and the unsubscribe link: they are
// never transactional).
func kindOf(name string) (kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// Transactional reports whether mail from the template is transactional:
// sent whatever the recipient's opt-outs, without an unsubscribe link.
func Transactional(name string) bool {
	k, ok := kindOf(name)
	return ok && k.transactional
}

// AllowedTokens lists the tokens a template with the name may use.
func AllowedTokens(name string) []string {
	out := append([]string(nil), brandTokens...)
	k, ok := kindOf(name)
	out = append(out, k.tokens...)
	if !ok || !k.transactional {
		out = append(out, TokenUnsubscribeURL)
	}
	return out
}

// BuiltinNames lists the templates that have built-in content.
func BuiltinNames() []string {
	return []string{TemplateVerification, TemplatePasswordReset, TemplatePasswordChanged,
		TemplatePurchaseReceipt, TemplateTranscodingFinished, TemplateTranscodingFailed}
}
