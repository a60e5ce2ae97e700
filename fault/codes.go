package fault

// Stable error codes. Generic codes come from the kind; domain codes name the
// exact condition (the reference catalogue plus the ones Codex adds).
const (
	CodeValidation       = "VALIDATION_ERROR"
	CodeInvalidJSON      = "INVALID_JSON"
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeForbidden        = "FORBIDDEN"
	CodeNotFound         = "NOT_FOUND"
	CodeConflict         = "CONFLICT"
	CodeBusinessLogic    = "BUSINESS_LOGIC_ERROR"
	CodeRateLimited      = "RATE_LIMIT_EXCEEDED"
	CodeUnavailable      = "SERVICE_UNAVAILABLE"
	CodeInternal         = "INTERNAL_ERROR"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodePayloadTooLarge  = "PAYLOAD_TOO_LARGE"

	CodeAccessDenied         = "ACCESS_DENIED"
	CodeOrganizationMismatch = "ORGANIZATION_MISMATCH"
	CodeMediaNotReady        = "MEDIA_NOT_READY"
	CodeContentNotFound      = "CONTENT_NOT_FOUND"
	CodeMediaNotFound        = "MEDIA_NOT_FOUND"
	CodeOrgContextRequired   = "ORG_CONTEXT_REQUIRED"
)

// Field names one invalid input and why. Path is dotted and prefixed with the
// part of the request it came from: "body.title", "query.limit", "params.id".
type Field struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// InvalidFields is the 400 for input that failed validation. Details is the
// list of fields at fault.
func InvalidFields(fields ...Field) *Error {
	e := New(Invalid, CodeValidation, "Invalid request data")
	e.Details = fields
	return e
}

// InvalidField is InvalidFields for a single field.
func InvalidField(path, message string) *Error {
	return InvalidFields(Field{Path: path, Message: message})
}
