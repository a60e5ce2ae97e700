package store

import (
	"time"

	"github.com/google/uuid"
)

// Records mirror the tables of the data model one to one. JSON tags are the
// wire names of the reference API (camelCase); secrets never serialise.

// Role is a platform role (users.role).
type Role string

const (
	RoleCustomer      Role = "customer"
	RoleCreator       Role = "creator"
	RoleAdmin         Role = "admin"
	RoleSystem        Role = "system"
	RolePlatformOwner Role = "platform_owner"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCustomer, RoleCreator, RoleAdmin, RoleSystem, RolePlatformOwner:
		return true
	}
	return false
}

// User is an account holder. Users are never soft deleted.
type User struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Email         string    `json:"email"` // stored lower-cased
	EmailVerified bool      `json:"emailVerified"`
	Image         *string   `json:"image"`
	Role          Role      `json:"role"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

// ProviderCredential is the provider id of email/password accounts.
const ProviderCredential = "credential"

// Account is one login method of a user. Email/password users have exactly
// one, with ProviderID "credential" and the password hash.
type Account struct {
	ID           string    `json:"id"`
	AccountID    string    `json:"accountId"`
	ProviderID   string    `json:"providerId"`
	UserID       string    `json:"userId"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// Session is a signed-in device. Only the SHA-256 of the bearer token is
// stored (column sessions.token); the token itself never reaches the store.
type Session struct {
	ID        string    `json:"id"`
	TokenHash string    `json:"-"`
	UserID    string    `json:"userId"`
	ExpiresAt time.Time `json:"expiresAt"`
	IPAddress *string   `json:"ipAddress"`
	UserAgent *string   `json:"userAgent"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Verification is a single-use token (email verification, password reset).
// Identifier holds a purpose prefix and the token's hash, Value the user id.
type Verification struct {
	ID         string    `json:"id"`
	Identifier string    `json:"-"`
	Value      string    `json:"-"`
	ExpiresAt  time.Time `json:"expiresAt"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Organization is a tenant. Soft deleted; its slug stays taken afterwards.
type Organization struct {
	ID          uuid.UUID  `json:"id"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	Description *string    `json:"description"`
	LogoURL     *string    `json:"logoUrl"`
	WebsiteURL  *string    `json:"websiteUrl"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	DeletedAt   *time.Time `json:"deletedAt"`
}

// MembershipRole is a role inside one organization.
type MembershipRole string

const (
	MemberOwner      MembershipRole = "owner"
	MemberAdmin      MembershipRole = "admin"
	MemberCreator    MembershipRole = "creator"
	MemberSubscriber MembershipRole = "subscriber"
	MemberMember     MembershipRole = "member"
)

// Valid reports whether r is a known membership role.
func (r MembershipRole) Valid() bool {
	switch r {
	case MemberOwner, MemberAdmin, MemberCreator, MemberSubscriber, MemberMember:
		return true
	}
	return false
}

// Manages reports whether the role may manage its organization.
func (r MembershipRole) Manages() bool { return r == MemberOwner || r == MemberAdmin }

// MembershipStatus: only active memberships grant anything.
type MembershipStatus string

const (
	MembershipActive   MembershipStatus = "active"
	MembershipInactive MembershipStatus = "inactive"
	MembershipInvited  MembershipStatus = "invited"
)

// Valid reports whether s is a known membership status.
func (s MembershipStatus) Valid() bool {
	return s == MembershipActive || s == MembershipInactive || s == MembershipInvited
}

// Membership links a user to an organization, one row per pair.
type Membership struct {
	ID             uuid.UUID        `json:"id"`
	OrganizationID uuid.UUID        `json:"organizationId"`
	UserID         string           `json:"userId"`
	Role           MembershipRole   `json:"role"`
	Status         MembershipStatus `json:"status"`
	InvitedBy      *string          `json:"invitedBy"`
	CreatedAt      time.Time        `json:"createdAt"` // "joinedAt"
	UpdatedAt      time.Time        `json:"updatedAt"`
}

// Defaults of the lazily created settings rows.
const (
	DefaultPrimaryColor = "#3B82F6"
	DefaultPlatformName = "Codex Platform"
	DefaultSupportEmail = "support@example.com"
	DefaultTimezone     = "UTC"
)

// Branding is branding_settings.
type Branding struct {
	LogoURL         *string `json:"logoUrl"`
	LogoPath        *string `json:"-"` // object key of the stored logo
	PrimaryColorHex string  `json:"primaryColorHex"`
}

// Contact is contact_settings.
type Contact struct {
	PlatformName string  `json:"platformName"`
	SupportEmail string  `json:"supportEmail"`
	ContactURL   *string `json:"contactUrl"`
	Timezone     string  `json:"timezone"`
}

// Features is feature_settings.
type Features struct {
	EnableSignups   bool `json:"enableSignups"`
	EnablePurchases bool `json:"enablePurchases"`
}

// OrgSettings is the hub with its three spokes; absent rows read as defaults.
type OrgSettings struct {
	Branding Branding `json:"branding"`
	Contact  Contact  `json:"contact"`
	Features Features `json:"features"`
}

// DefaultOrgSettings is what an organization without settings rows reads.
func DefaultOrgSettings() OrgSettings {
	return OrgSettings{
		Branding: Branding{PrimaryColorHex: DefaultPrimaryColor},
		Contact:  Contact{PlatformName: DefaultPlatformName, SupportEmail: DefaultSupportEmail, Timezone: DefaultTimezone},
		Features: Features{EnableSignups: true, EnablePurchases: true},
	}
}

// MediaType is the kind of a media item.
type MediaType string

const (
	MediaVideo MediaType = "video"
	MediaAudio MediaType = "audio"
)

// Valid reports whether t is a known media type.
func (t MediaType) Valid() bool { return t == MediaVideo || t == MediaAudio }

// MediaStatus is the media lifecycle: uploading → uploaded → transcoding → ready | failed.
type MediaStatus string

const (
	MediaUploading   MediaStatus = "uploading"
	MediaUploaded    MediaStatus = "uploaded"
	MediaTranscoding MediaStatus = "transcoding"
	MediaReady       MediaStatus = "ready"
	MediaFailed      MediaStatus = "failed"
)

// Valid reports whether s is a known media status.
func (s MediaStatus) Valid() bool {
	switch s {
	case MediaUploading, MediaUploaded, MediaTranscoding, MediaReady, MediaFailed:
		return true
	}
	return false
}

// MaxTranscodingAttempts caps retries (check_max_transcoding_attempts).
const MaxTranscodingAttempts = 3

// MediaItem is an uploaded original and its transcoding state.
type MediaItem struct {
	ID                   uuid.UUID   `json:"id"`
	CreatorID            string      `json:"creatorId"`
	Title                string      `json:"title"`
	Description          *string     `json:"description"`
	MediaType            MediaType   `json:"mediaType"`
	Status               MediaStatus `json:"status"`
	R2Key                string      `json:"r2Key"`
	FileSizeBytes        *int64      `json:"fileSizeBytes"`
	MimeType             *string     `json:"mimeType"`
	DurationSeconds      *int        `json:"durationSeconds"`
	Width                *int        `json:"width"`
	Height               *int        `json:"height"`
	HLSMasterPlaylistKey *string     `json:"hlsMasterPlaylistKey"`
	HLSPreviewKey        *string     `json:"hlsPreviewKey"`
	ThumbnailKey         *string     `json:"thumbnailKey"`
	WaveformKey          *string     `json:"waveformKey"`
	WaveformImageKey     *string     `json:"waveformImageKey"`
	RunpodJobID          *string     `json:"runpodJobId"`
	TranscodingError     *string     `json:"transcodingError"`
	TranscodingAttempts  int         `json:"transcodingAttempts"`
	TranscodingPriority  int         `json:"transcodingPriority"`
	MezzanineKey         *string     `json:"mezzanineKey"`
	MezzanineStatus      *string     `json:"mezzanineStatus"`
	ReadyVariants        []string    `json:"readyVariants"`
	LoudnessIntegrated   *int        `json:"loudnessIntegrated"`
	LoudnessPeak         *int        `json:"loudnessPeak"`
	LoudnessRange        *int        `json:"loudnessRange"`
	UploadedAt           *time.Time  `json:"uploadedAt"`
	CreatedAt            time.Time   `json:"createdAt"`
	UpdatedAt            time.Time   `json:"updatedAt"`
	DeletedAt            *time.Time  `json:"deletedAt"`
}

// ContentType is the kind of a content item.
type ContentType string

const (
	ContentVideo   ContentType = "video"
	ContentAudio   ContentType = "audio"
	ContentWritten ContentType = "written"
)

// Valid reports whether t is a known content type.
func (t ContentType) Valid() bool {
	return t == ContentVideo || t == ContentAudio || t == ContentWritten
}

// Visibility of a content item.
type Visibility string

const (
	VisibilityPublic        Visibility = "public"
	VisibilityPrivate       Visibility = "private"
	VisibilityMembersOnly   Visibility = "members_only"
	VisibilityPurchasedOnly Visibility = "purchased_only"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool {
	switch v {
	case VisibilityPublic, VisibilityPrivate, VisibilityMembersOnly, VisibilityPurchasedOnly:
		return true
	}
	return false
}

// ContentStatus is the content lifecycle: draft → published → archived.
type ContentStatus string

const (
	ContentDraft     ContentStatus = "draft"
	ContentPublished ContentStatus = "published"
	ContentArchived  ContentStatus = "archived"
)

// Valid reports whether s is a known content status.
func (s ContentStatus) Valid() bool {
	return s == ContentDraft || s == ContentPublished || s == ContentArchived
}

// Content is a publishable item, optionally backed by one media item.
type Content struct {
	ID             uuid.UUID     `json:"id"`
	CreatorID      string        `json:"creatorId"`
	OrganizationID *uuid.UUID    `json:"organizationId"`
	MediaItemID    *uuid.UUID    `json:"mediaItemId"`
	Title          string        `json:"title"`
	Slug           string        `json:"slug"`
	Description    *string       `json:"description"`
	ContentType    ContentType   `json:"contentType"`
	ThumbnailURL   *string       `json:"thumbnailUrl"`
	ContentBody    *string       `json:"contentBody"`
	Category       *string       `json:"category"`
	Tags           []string      `json:"tags"`
	Visibility     Visibility    `json:"visibility"`
	PriceCents     *int          `json:"priceCents"`
	Status         ContentStatus `json:"status"`
	PublishedAt    *time.Time    `json:"publishedAt"`
	ViewCount      int           `json:"viewCount"`
	PurchaseCount  int           `json:"purchaseCount"`
	CreatedAt      time.Time     `json:"createdAt"`
	UpdatedAt      time.Time     `json:"updatedAt"`
	DeletedAt      *time.Time    `json:"deletedAt"`
}

// AccessType of a content_access grant.
type AccessType string

const (
	AccessPurchased     AccessType = "purchased"
	AccessSubscription  AccessType = "subscription"
	AccessComplimentary AccessType = "complimentary"
	AccessPreview       AccessType = "preview"
)

// Valid reports whether t is a known access type.
func (t AccessType) Valid() bool {
	switch t {
	case AccessPurchased, AccessSubscription, AccessComplimentary, AccessPreview:
		return true
	}
	return false
}

// ContentAccess is a grant of one content item to one user.
type ContentAccess struct {
	ID             uuid.UUID  `json:"id"`
	UserID         string     `json:"userId"`
	ContentID      uuid.UUID  `json:"contentId"`
	OrganizationID uuid.UUID  `json:"organizationId"`
	AccessType     AccessType `json:"accessType"`
	ExpiresAt      *time.Time `json:"expiresAt"`
	GrantedBy      *string    `json:"grantedBy"` // who granted a complimentary access
	Reason         *string    `json:"reason"`    // why
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// Playback is the resume position of a user in a content item.
type Playback struct {
	ID              uuid.UUID `json:"id"`
	UserID          string    `json:"userId"`
	ContentID       uuid.UUID `json:"contentId"`
	PositionSeconds int       `json:"positionSeconds"`
	DurationSeconds int       `json:"durationSeconds"`
	Completed       bool      `json:"completed"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// PurchaseStatus of a purchase.
type PurchaseStatus string

const (
	PurchasePending   PurchaseStatus = "pending"
	PurchaseCompleted PurchaseStatus = "completed"
	PurchaseRefunded  PurchaseStatus = "refunded"
	PurchaseFailed    PurchaseStatus = "failed"
)

// Valid reports whether s is a known purchase status.
func (s PurchaseStatus) Valid() bool {
	switch s {
	case PurchasePending, PurchaseCompleted, PurchaseRefunded, PurchaseFailed:
		return true
	}
	return false
}

// Purchase is an immutable revenue-split snapshot of one payment.
// AmountPaidCents = PlatformFeeCents + OrganizationFeeCents + CreatorPayoutCents.
type Purchase struct {
	ID                    uuid.UUID      `json:"id"`
	CustomerID            string         `json:"customerId"`
	ContentID             uuid.UUID      `json:"contentId"`
	OrganizationID        uuid.UUID      `json:"organizationId"`
	AmountPaidCents       int            `json:"amountPaidCents"`
	Currency              string         `json:"currency"`
	PlatformFeeCents      int            `json:"platformFeeCents"`
	OrganizationFeeCents  int            `json:"organizationFeeCents"`
	CreatorPayoutCents    int            `json:"creatorPayoutCents"`
	PlatformAgreementID   *uuid.UUID     `json:"platformAgreementId"`
	CreatorOrgAgreementID *uuid.UUID     `json:"creatorOrgAgreementId"`
	StripePaymentIntentID string         `json:"stripePaymentIntentId"`
	Status                PurchaseStatus `json:"status"`
	PurchasedAt           *time.Time     `json:"purchasedAt"`
	RefundedAt            *time.Time     `json:"refundedAt"`
	RefundReason          *string        `json:"refundReason"`
	RefundAmountCents     *int           `json:"refundAmountCents"`
	StripeRefundID        *string        `json:"stripeRefundId"`
	CreatedAt             time.Time      `json:"createdAt"`
	UpdatedAt             time.Time      `json:"updatedAt"`
}

// DefaultPlatformFeeBps is the seeded platform fee (10%).
const DefaultPlatformFeeBps = 1000

// PlatformFee is a time-versioned platform default fee (platform_fee_config).
type PlatformFee struct {
	ID             uuid.UUID  `json:"id"`
	FeeBps         int        `json:"platformFeePercentage"`
	EffectiveFrom  time.Time  `json:"effectiveFrom"`
	EffectiveUntil *time.Time `json:"effectiveUntil"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// OrgPlatformAgreement overrides the platform fee for one organization.
type OrgPlatformAgreement struct {
	ID             uuid.UUID  `json:"id"`
	OrganizationID uuid.UUID  `json:"organizationId"`
	FeeBps         int        `json:"platformFeePercentage"`
	EffectiveFrom  time.Time  `json:"effectiveFrom"`
	EffectiveUntil *time.Time `json:"effectiveUntil"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// CreatorOrgAgreement is the organization's share of a creator's revenue
// after the platform fee.
type CreatorOrgAgreement struct {
	ID             uuid.UUID  `json:"id"`
	CreatorID      string     `json:"creatorId"`
	OrganizationID uuid.UUID  `json:"organizationId"`
	FeeBps         int        `json:"organizationFeePercentage"`
	EffectiveFrom  time.Time  `json:"effectiveFrom"`
	EffectiveUntil *time.Time `json:"effectiveUntil"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

// TemplateScope of an email template.
type TemplateScope string

const (
	ScopeGlobal       TemplateScope = "global"
	ScopeOrganization TemplateScope = "organization"
	ScopeCreator      TemplateScope = "creator"
)

// Valid reports whether s is a known scope.
func (s TemplateScope) Valid() bool {
	return s == ScopeGlobal || s == ScopeOrganization || s == ScopeCreator
}

// TemplateStatus of an email template; only active templates send.
type TemplateStatus string

const (
	TemplateDraft    TemplateStatus = "draft"
	TemplateActive   TemplateStatus = "active"
	TemplateArchived TemplateStatus = "archived"
)

// Valid reports whether s is a known template status.
func (s TemplateStatus) Valid() bool {
	return s == TemplateDraft || s == TemplateActive || s == TemplateArchived
}

// EmailTemplate is a named template in one scope.
type EmailTemplate struct {
	ID             uuid.UUID      `json:"id"`
	Name           string         `json:"name"`
	Scope          TemplateScope  `json:"scope"`
	OrganizationID *uuid.UUID     `json:"organizationId"`
	CreatorID      *string        `json:"creatorId"`
	CreatedBy      *string        `json:"createdBy"`
	Subject        string         `json:"subject"`
	HTMLBody       string         `json:"htmlBody"`
	TextBody       string         `json:"textBody"`
	Description    *string        `json:"description"`
	Status         TemplateStatus `json:"status"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
	DeletedAt      *time.Time     `json:"deletedAt"`
}

// EmailStatus of one send in the email log.
type EmailStatus string

const (
	EmailPending EmailStatus = "pending"
	EmailSuccess EmailStatus = "success"
	EmailFailed  EmailStatus = "failed"
)

// Valid reports whether s is a known email status.
func (s EmailStatus) Valid() bool {
	return s == EmailPending || s == EmailSuccess || s == EmailFailed
}

// EmailLog records one email send (email_audit_logs) and its delivery state.
type EmailLog struct {
	ID             uuid.UUID   `json:"id"`
	OrganizationID *uuid.UUID  `json:"organizationId"`
	CreatorID      *string     `json:"creatorId"`
	TemplateName   string      `json:"templateName"`
	RecipientEmail string      `json:"recipientEmail"`
	Status         EmailStatus `json:"status"`
	Error          *string     `json:"error"`
	Metadata       *string     `json:"-"` // JSON of the template data; may hold PII
	Attempts       int         `json:"attempts"`
	NextAttemptAt  *time.Time  `json:"nextAttemptAt"`
	CreatedAt      time.Time   `json:"createdAt"`
	UpdatedAt      time.Time   `json:"updatedAt"`
}
