package notify

// Built-in templates: what the platform sends when no stored template
// overrides them. Tokens are {{name}}; values are HTML-escaped in the HTML
// part.
type builtin struct {
	Subject, HTML, Text string
}

var builtins = map[string]builtin{
	"email-verification": {
		Subject: "Verify your email address",
		HTML: `<p>Hi {{userName}},</p>
<p>Confirm your email address for {{platformName}}:</p>
<p><a href="{{verificationUrl}}">Verify my email</a></p>
<p>The link works once and expires in {{expiryHours}} hours.</p>`,
		Text: "Hi {{userName}},\n\nConfirm your email address for {{platformName}}:\n{{verificationUrl}}\n\nThe link works once and expires in {{expiryHours}} hours.\n",
	},
	"password-reset": {
		Subject: "Reset your password",
		HTML: `<p>Hi {{userName}},</p>
<p>Someone asked to reset your {{platformName}} password. If it was you:</p>
<p><a href="{{resetUrl}}">Choose a new password</a></p>
<p>The link works once and expires in {{expiryHours}} hour(s). If it was not you, ignore this email.</p>`,
		Text: "Hi {{userName}},\n\nSomeone asked to reset your {{platformName}} password. If it was you, open:\n{{resetUrl}}\n\nThe link works once and expires in {{expiryHours}} hour(s). If it was not you, ignore this email.\n",
	},
	"password-changed": {
		Subject: "Your password has been changed",
		HTML: `<p>Hi {{userName}},</p>
<p>The password of your {{platformName}} account was just changed and every device was signed out.</p>
<p>If this was not you, contact {{supportEmail}} or visit <a href="{{supportUrl}}">{{supportUrl}}</a>.</p>`,
		Text: "Hi {{userName}},\n\nThe password of your {{platformName}} account was just changed and every device was signed out.\nIf this was not you, contact {{supportEmail}} or visit {{supportUrl}}.\n",
	},
	"purchase-receipt": {
		Subject: "Receipt for your purchase from {{platformName}}",
		HTML: `<p>Hi {{userName}},</p>
<p>Thank you for buying <strong>{{contentTitle}}</strong> for {{priceFormatted}} on {{purchaseDate}}.</p>
<p><a href="{{contentUrl}}">Watch now</a></p>
<p>Questions? {{supportEmail}}</p>`,
		Text: "Hi {{userName}},\n\nThank you for buying {{contentTitle}} for {{priceFormatted}} on {{purchaseDate}}.\nWatch now: {{contentUrl}}\n\nQuestions? {{supportEmail}}\n",
	},
}
