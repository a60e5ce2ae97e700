package store

import (
	"errors"

	"github.com/codexforgo/codex/fault"
)

// ErrNotFound is returned when a row does not exist (or is soft deleted and
// the method ignores deleted rows).
var ErrNotFound = fault.New(fault.NotFound, fault.CodeNotFound, "Resource not found")

// ErrPrecondition is returned when a guarded update (IfStatus) finds the row
// in another state.
var ErrPrecondition = fault.New(fault.Conflict, "STATE_CONFLICT", "Resource changed state")

// ConstraintKind is the kind of integrity constraint a write violated.
type ConstraintKind string

const (
	Unique     ConstraintKind = "unique"
	ForeignKey ConstraintKind = "foreign_key"
	Check      ConstraintKind = "check"
)

// Constraint names, shared by every implementation so callers can tell
// violations apart.
const (
	ConstraintUserEmail             = "users_email_unique"
	ConstraintSessionToken          = "sessions_token_unique"
	ConstraintOrgSlug               = "organizations_slug_unique"
	ConstraintMembership            = "idx_unique_org_membership"
	ConstraintContentSlugOrg        = "idx_unique_content_slug_per_org"
	ConstraintContentSlugPersonal   = "idx_unique_content_slug_personal"
	ConstraintAccess                = "content_access_user_content_unique"
	ConstraintPlayback              = "video_playback_user_id_content_id_unique"
	ConstraintPurchasePaymentIntent = "purchases_stripe_payment_intent_id_unique"
	ConstraintRevenueSplit          = "check_revenue_split_equals_total"
	ConstraintMediaReady            = "status_ready_requires_keys"
	ConstraintTemplateGlobal        = "idx_unique_template_global"
	ConstraintTemplateOrg           = "idx_unique_template_org"
	ConstraintTemplateCreator       = "idx_unique_template_creator"
	ConstraintCreatorOrgAgreement   = "creator_org_agreement_unique"
)

// ConstraintError is an integrity violation. It unwraps to a *fault.Error so
// an unhandled violation still maps to a sensible status (409 for unique,
// 422 for a missing reference, 400 for a failed check).
type ConstraintError struct {
	Kind       ConstraintKind
	Constraint string
	Err        error // driver error, if any
}

func (e *ConstraintError) Error() string {
	return "store: " + string(e.Kind) + " violation: " + e.Constraint
}

func (e *ConstraintError) Unwrap() []error {
	var f *fault.Error
	switch e.Kind {
	case Unique:
		f = fault.New(fault.Conflict, fault.CodeConflict, "Resource already exists")
	case ForeignKey:
		f = fault.New(fault.Unprocessable, fault.CodeBusinessLogic, "Referenced resource does not exist")
	default:
		f = fault.New(fault.Invalid, fault.CodeValidation, "Value violates a constraint")
	}
	if e.Err != nil {
		return []error{f, e.Err}
	}
	return []error{f}
}

// IsConstraint reports whether err is a violation of the named constraint
// (any constraint of the kind when name is empty).
func IsConstraint(err error, kind ConstraintKind, name string) bool {
	var ce *ConstraintError
	if !errors.As(err, &ce) {
		return false
	}
	return ce.Kind == kind && (name == "" || ce.Constraint == name)
}
