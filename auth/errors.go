package auth

import "github.com/codexforgo/codex/fault"

// Stable codes of the auth API (the reference's, plus PASSWORD_TOO_WEAK).
const (
	CodeInvalidEmail        = "INVALID_EMAIL"
	CodePasswordTooShort    = "PASSWORD_TOO_SHORT"
	CodePasswordTooLong     = "PASSWORD_TOO_LONG"
	CodePasswordTooWeak     = "PASSWORD_TOO_WEAK"
	CodeUserExists          = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"
	CodeInvalidCredentials  = "INVALID_EMAIL_OR_PASSWORD"
	CodeEmailNotVerified    = "EMAIL_NOT_VERIFIED"
	CodeInvalidToken        = "INVALID_TOKEN"
	CodeTokenExpired        = "TOKEN_EXPIRED"
	CodeInvalidPassword     = "INVALID_PASSWORD"
	CodeCredentialNotFound  = "CREDENTIAL_ACCOUNT_NOT_FOUND"
	CodeSessionNotFound     = "SESSION_NOT_FOUND"
	CodeUserNotFound        = "USER_NOT_FOUND"
	CodeInvalidRole         = "INVALID_ROLE"
	CodeCannotChangeOwnRole = "CANNOT_CHANGE_OWN_ROLE"
	CodeInvalidName         = "INVALID_NAME"
	CodeInvalidImage        = "INVALID_IMAGE"
	CodeInvalidCallbackURL  = "INVALID_CALLBACK_URL"
)

var (
	errInvalidCredentials = fault.New(fault.Unauthenticated, CodeInvalidCredentials, "Invalid email or password")
	errEmailNotVerified   = fault.New(fault.Forbidden, CodeEmailNotVerified, "Email not verified")
	errInvalidToken       = fault.New(fault.Invalid, CodeInvalidToken, "Invalid or already used token")
	errTokenExpired       = fault.New(fault.Invalid, CodeTokenExpired, "Token expired")
	errUserExists         = fault.New(fault.Unprocessable, CodeUserExists, "User already exists. Use another email.")
)

func invalid(code, path, message string) *fault.Error {
	e := fault.New(fault.Invalid, code, message)
	e.Details = []fault.Field{{Path: path, Message: message}}
	return e
}
