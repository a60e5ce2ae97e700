package content

import "github.com/codexforgo/codex/fault"

// Stable codes of the content and media API.
const (
	CodeSlugConflict          = "SLUG_CONFLICT"
	CodeContentTypeMismatch   = "CONTENT_TYPE_MISMATCH"
	CodeContentStateConflict  = "CONTENT_STATE_CONFLICT"
	CodeMediaStateConflict    = "MEDIA_STATE_CONFLICT"
	CodeOrganizationNotFound  = "ORGANIZATION_NOT_FOUND"
	CodeNotOrgCreator         = "NOT_ORGANIZATION_CREATOR"
	CodeUploadNotFound        = "UPLOAD_NOT_FOUND"
	CodeUploadSizeMismatch    = "UPLOAD_SIZE_MISMATCH"
	CodeUploadTypeMismatch    = "UPLOAD_TYPE_MISMATCH"
	CodeInvalidUploadURL      = "INVALID_UPLOAD_URL"
	CodeUploadURLExpired      = "UPLOAD_URL_EXPIRED"
	CodeTranscoderUnavailable = "TRANSCODER_UNAVAILABLE"
)

var (
	errContentNotFound = fault.New(fault.NotFound, fault.CodeContentNotFound, "Content not found")
	errMediaNotFound   = fault.New(fault.NotFound, fault.CodeMediaNotFound, "Media item not found")
	errOrgNotFound     = fault.New(fault.NotFound, CodeOrganizationNotFound, "Organization not found")
	errNotOrgCreator   = fault.New(fault.Forbidden, CodeNotOrgCreator,
		"Only active owners, admins and creators of the organization may publish content in it")
	errInvalidUploadURL = fault.New(fault.Forbidden, CodeInvalidUploadURL, "Invalid upload URL")
	errUploadURLExpired = fault.New(fault.Forbidden, CodeUploadURLExpired, "Upload URL expired; request a new one")

	// ErrTranscoderUnavailable is what NoTranscoder reports: the upload is
	// verified and the item stays "uploaded" until a transcoder takes it.
	ErrTranscoderUnavailable = fault.New(fault.Unavailable, CodeTranscoderUnavailable,
		"Upload verified; no transcoder is configured, so the media item stays uploaded")
)
