// Package notify is the platform's email: templates in three scopes
// (global, organization, creator), {{token}} rendering, and delivery that
// loses nothing.
//
// A send (Service.Send) resolves the template by name — the organization's
// active template beats the creator's beats the global one, and with none
// active the built-in content of the known names applies — renders it with
// the brand of the organization (or the platform defaults), records it as a
// pending entry in the email log and returns. A background worker hands
// due entries to the Mailer, retries failures with exponential backoff and
// marks an entry failed after MaxAttempts. Entries live in the store, so a
// restart (or another instance) picks up whatever was pending.
//
// Mailers: LogMailer (the embedded default), Outbox (in memory, for tests),
// notify/smtp and notify/resend.
//
// Non-transactional templates (the transcoding notices and every custom
// name) carry a List-Unsubscribe header and an {{unsubscribeUrl}} token; an
// address that used it gets none of them any more.
package notify
