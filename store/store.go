// Package store holds the records of the data model, the repository
// interfaces every storage implementation provides, and the Blobs seam for
// object storage. It is a leaf: services depend on it, it depends on nothing
// of Codex but fault.
//
// Implementations: store/memory (embedded default) and store/postgres. Both
// must pass store/storetest; behaviour that differs between them is a bug.
package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store is a database. Repository methods called on it run in their own
// implicit transaction; RunInTx groups several into one.
type Store interface {
	Repos

	// RunInTx runs fn in one transaction: every change fn makes through tx
	// commits together when fn returns nil and none of it persists when fn
	// returns an error (or panics). fn must use only tx, never the Store
	// itself, while it runs. A failed call through tx ends the transaction
	// for PostgreSQL, so fn should return once a call fails.
	RunInTx(ctx context.Context, fn func(tx Repos) error) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// Close releases connections.
	Close() error
}

// Repos gives access to every repository.
type Repos interface {
	Users() UserRepo
	Accounts() AccountRepo
	Sessions() SessionRepo
	Verifications() VerificationRepo
	Organizations() OrganizationRepo
	Memberships() MembershipRepo
	OrgSettings() OrgSettingsRepo
	Media() MediaRepo
	Content() ContentRepo
	Access() AccessRepo
	Playback() PlaybackRepo
	Purchases() PurchaseRepo
	Fees() FeeRepo
	Templates() TemplateRepo
	EmailLog() EmailLogRepo
	EmailOptOuts() EmailOptOutRepo
	Admin() AdminRepo
}

// Page is a page request: Page is 1-based.
type Page struct {
	Page  int
	Limit int
}

// Default page size and bounds (reference conventions §4).
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxPage      = 1000
)

// Normalized returns p with zero values replaced by the defaults and limits
// clamped into range.
func (p Page) Normalized() Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.Limit < 1 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	return p
}

// Offset is the number of rows before the page.
func (p Page) Offset() int {
	p = p.Normalized()
	return (p.Page - 1) * p.Limit
}

// List is one page of results and the total across all pages.
type List[T any] struct {
	Items []T
	Total int
}

// Opt is one field of a patch: nothing changes unless Set is true. For a
// nullable column T is a pointer and a nil Value clears the column.
type Opt[T any] struct {
	Set   bool
	Value T
}

// Some returns a set Opt.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, Value: v} }

// SortOrder is ascending or descending; descending is the default.
type SortOrder string

const (
	Desc SortOrder = "desc"
	Asc  SortOrder = "asc"
)

// ---- accounts and sessions ----

// UserRepo stores users.
type UserRepo interface {
	// Create inserts u, filling ID (32 random alphanumerics) when empty and
	// the timestamps. Email must already be lower-cased. A taken email is a
	// unique violation on ConstraintUserEmail.
	Create(ctx context.Context, u *User) error
	Get(ctx context.Context, id string) (*User, error)
	GetByEmail(ctx context.Context, email string) (*User, error)
	Update(ctx context.Context, id string, p UserPatch) (*User, error)
}

// UserPatch changes some columns of a user.
type UserPatch struct {
	Name          Opt[string]
	Image         Opt[*string]
	Role          Opt[Role]
	EmailVerified Opt[bool]
}

// AccountRepo stores login methods.
type AccountRepo interface {
	Create(ctx context.Context, a *Account) error
	GetByUser(ctx context.Context, userID, providerID string) (*Account, error)
	SetPassword(ctx context.Context, userID, providerID, hash string) error
}

// SessionRepo stores sessions by the hash of their token.
type SessionRepo interface {
	Create(ctx context.Context, s *Session) error
	// GetWithUser returns the session with the given token hash and its
	// user in one round trip, whether or not it has expired.
	GetWithUser(ctx context.Context, tokenHash string) (*Session, *User, error)
	Get(ctx context.Context, id string) (*Session, error)
	// ListByUser returns the user's sessions that expire after now, newest first.
	ListByUser(ctx context.Context, userID string, now time.Time) ([]Session, error)
	// Extend moves a session's expiry (sliding sessions).
	Extend(ctx context.Context, id string, expiresAt time.Time) error
	// Delete removes one session and returns it (for cache invalidation).
	Delete(ctx context.Context, id string) (*Session, error)
	// DeleteByUser removes every session of the user except exceptID (empty
	// = all) and returns what it removed.
	DeleteByUser(ctx context.Context, userID, exceptID string) ([]Session, error)
	// DeleteExpired removes sessions that expired before now.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// VerificationRepo stores single-use tokens.
type VerificationRepo interface {
	Create(ctx context.Context, v *Verification) error
	// Get returns the token without consuming it.
	Get(ctx context.Context, identifier string) (*Verification, error)
	// Consume deletes the token and returns it, atomically: of two
	// concurrent calls at most one gets it. Expiry is the caller's check.
	Consume(ctx context.Context, identifier string) (*Verification, error)
	// DeleteByValue removes every token whose identifier starts with prefix
	// and whose value is value (e.g. older reset tokens of one user).
	DeleteByValue(ctx context.Context, prefix, value string) (int, error)
}

// ---- organizations ----

// OrganizationRepo stores organizations. Every read except SlugTaken
// ignores soft-deleted rows.
type OrganizationRepo interface {
	// Create inserts o. The slug is unique across live and deleted rows
	// (ConstraintOrgSlug).
	Create(ctx context.Context, o *Organization) error
	Get(ctx context.Context, id uuid.UUID) (*Organization, error)
	GetBySlug(ctx context.Context, slug string) (*Organization, error)
	// SlugTaken reports whether any row, deleted or not, has the slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	Update(ctx context.Context, id uuid.UUID, p OrganizationPatch) (*Organization, error)
	SoftDelete(ctx context.Context, id uuid.UUID) error
	List(ctx context.Context, f OrganizationFilter, page Page) (List[Organization], error)
	// Lock holds the live organization's row against concurrent writers
	// until the surrounding transaction ends (ErrNotFound when missing or
	// deleted), so checks such as "one owner must remain" cannot race.
	// Outside RunInTx it only checks that the organization is live.
	Lock(ctx context.Context, id uuid.UUID) error
}

// OrganizationPatch changes some columns of an organization.
type OrganizationPatch struct {
	Name        Opt[string]
	Slug        Opt[string]
	Description Opt[*string]
	LogoURL     Opt[*string]
	WebsiteURL  Opt[*string]
}

// OrganizationFilter narrows an organization list.
type OrganizationFilter struct {
	Search   string    // case-insensitive substring of name or description
	MemberID string    // only organizations where this user has an active membership
	SortBy   string    // "createdAt" (default) or "name"; ties broken by id
	Order    SortOrder // default desc
}

// MembershipRepo stores memberships, one per (organization, user).
type MembershipRepo interface {
	Create(ctx context.Context, m *Membership) error
	Get(ctx context.Context, orgID uuid.UUID, userID string) (*Membership, error)
	// ListByOrg returns the organization's memberships, oldest first.
	ListByOrg(ctx context.Context, orgID uuid.UUID) ([]Membership, error)
	// ListByUser returns the user's memberships in live organizations, oldest first.
	ListByUser(ctx context.Context, userID string) ([]Membership, error)
	Update(ctx context.Context, orgID uuid.UUID, userID string, p MembershipPatch) (*Membership, error)
	Delete(ctx context.Context, orgID uuid.UUID, userID string) error
	// Count counts the organization's memberships with the role and status.
	Count(ctx context.Context, orgID uuid.UUID, role MembershipRole, status MembershipStatus) (int, error)
	// ListMembers returns one page of the organization's memberships with
	// their users' email and name, oldest first (ties by id).
	ListMembers(ctx context.Context, orgID uuid.UUID, page Page) (List[Member], error)
}

// Member is a membership with its user's email and name.
type Member struct {
	Membership
	Email string `json:"email"`
	Name  string `json:"name"`
}

// MembershipPatch changes a membership.
type MembershipPatch struct {
	Role   Opt[MembershipRole]
	Status Opt[MembershipStatus]
}

// OrgSettingsRepo stores per-organization settings. Rows are created lazily
// on the first update; reads of missing rows return the defaults.
type OrgSettingsRepo interface {
	Get(ctx context.Context, orgID uuid.UUID) (*OrgSettings, error)
	UpdateBranding(ctx context.Context, orgID uuid.UUID, p BrandingPatch) (*Branding, error)
	UpdateContact(ctx context.Context, orgID uuid.UUID, p ContactPatch) (*Contact, error)
	UpdateFeatures(ctx context.Context, orgID uuid.UUID, p FeaturesPatch) (*Features, error)
}

// BrandingPatch changes branding settings.
type BrandingPatch struct {
	LogoURL         Opt[*string]
	LogoPath        Opt[*string]
	PrimaryColorHex Opt[string]
}

// ContactPatch changes contact settings.
type ContactPatch struct {
	PlatformName Opt[string]
	SupportEmail Opt[string]
	ContactURL   Opt[*string]
	Timezone     Opt[string]
}

// FeaturesPatch changes feature toggles.
type FeaturesPatch struct {
	EnableSignups   Opt[bool]
	EnablePurchases Opt[bool]
}

// ---- content and media ----

// MediaRepo stores media items. Reads ignore soft-deleted rows unless the
// method says otherwise.
type MediaRepo interface {
	Create(ctx context.Context, m *MediaItem) error
	Get(ctx context.Context, id uuid.UUID) (*MediaItem, error)
	// GetIncludingDeleted also returns soft-deleted rows.
	GetIncludingDeleted(ctx context.Context, id uuid.UUID) (*MediaItem, error)
	// Update applies p. When p.IfStatus is non-empty the row must currently
	// have one of those statuses, checked atomically with the write;
	// otherwise ErrPrecondition.
	Update(ctx context.Context, id uuid.UUID, p MediaPatch) (*MediaItem, error)
	SoftDelete(ctx context.Context, id uuid.UUID) error
	List(ctx context.Context, f MediaFilter, page Page) (List[MediaItem], error)
	// GetByJobID finds a live item by its transcoding job id.
	GetByJobID(ctx context.Context, jobID string) (*MediaItem, error)
	// ListByStatus returns live items with the status, oldest first.
	ListByStatus(ctx context.Context, status MediaStatus) ([]MediaItem, error)
}

// MediaPatch changes some columns of a media item.
type MediaPatch struct {
	IfStatus []MediaStatus // guard; empty = no guard

	Title                Opt[string]
	Description          Opt[*string]
	Status               Opt[MediaStatus]
	R2Key                Opt[string]
	FileSizeBytes        Opt[*int64]
	MimeType             Opt[*string]
	DurationSeconds      Opt[*int]
	Width                Opt[*int]
	Height               Opt[*int]
	HLSMasterPlaylistKey Opt[*string]
	HLSPreviewKey        Opt[*string]
	ThumbnailKey         Opt[*string]
	WaveformKey          Opt[*string]
	WaveformImageKey     Opt[*string]
	RunpodJobID          Opt[*string]
	TranscodingError     Opt[*string]
	TranscodingAttempts  Opt[int]
	TranscodingPriority  Opt[int]
	ReadyVariants        Opt[[]string]
	LoudnessIntegrated   Opt[*int]
	LoudnessPeak         Opt[*int]
	LoudnessRange        Opt[*int]
	UploadedAt           Opt[*time.Time]
}

// MediaFilter narrows a media list.
type MediaFilter struct {
	CreatorID string
	Status    MediaStatus // empty = any
	MediaType MediaType   // empty = any
	SortBy    string      // "createdAt" (default), "uploadedAt", "title"; ties by id
	Order     SortOrder
}

// ContentRepo stores content. Reads ignore soft-deleted rows.
type ContentRepo interface {
	// Create inserts c. Slugs are unique per organization
	// (ConstraintContentSlugOrg) and per creator for personal content
	// (ConstraintContentSlugPersonal), counting soft-deleted rows.
	Create(ctx context.Context, c *Content) error
	Get(ctx context.Context, id uuid.UUID) (*Content, error)
	// Update applies p (guarded by p.IfStatus like MediaRepo.Update). It
	// changes nothing p does not name: moving content out of its
	// organization leaves status and published_at alone (the reference's
	// unpublish trigger is data-model Oddity 38; the service decides).
	Update(ctx context.Context, id uuid.UUID, p ContentPatch) (*Content, error)
	SoftDelete(ctx context.Context, id uuid.UUID) error
	List(ctx context.Context, f ContentFilter, page Page) (List[Content], error)
	// GetIncludingDeleted also returns soft-deleted rows (a payment for
	// content deleted after checkout must still be recorded).
	GetIncludingDeleted(ctx context.Context, id uuid.UUID) (*Content, error)
}

// ContentPatch changes some columns of a content item.
type ContentPatch struct {
	IfStatus []ContentStatus // guard; empty = no guard

	OrganizationID Opt[*uuid.UUID]
	MediaItemID    Opt[*uuid.UUID]
	Title          Opt[string]
	Slug           Opt[string]
	Description    Opt[*string]
	ContentType    Opt[ContentType]
	ThumbnailURL   Opt[*string]
	ContentBody    Opt[*string]
	Category       Opt[*string]
	Tags           Opt[[]string]
	Visibility     Opt[Visibility]
	PriceCents     Opt[*int]
	Status         Opt[ContentStatus]
	PublishedAt    Opt[*time.Time]
}

// ContentFilter narrows a content list. Zero fields do not filter.
type ContentFilter struct {
	CreatorID      string
	OrganizationID Opt[*uuid.UUID] // Set with nil = personal content only
	Status         ContentStatus
	ContentType    ContentType
	Visibility     Visibility
	Category       string
	Search         string // case-insensitive substring of title or description
	SortBy         string // createdAt (default), updatedAt, publishedAt, title, viewCount, purchaseCount; ties by id
	Order          SortOrder
}

// ---- access and playback ----

// AccessRepo stores content access grants, one per (user, content).
type AccessRepo interface {
	// Upsert creates the grant or, when one exists for the pair, replaces
	// its type, organization, expiry, grantor and reason.
	Upsert(ctx context.Context, a *ContentAccess) error
	Get(ctx context.Context, userID string, contentID uuid.UUID) (*ContentAccess, error)
	Delete(ctx context.Context, userID string, contentID uuid.UUID) error
	// DeleteIfType deletes the pair's grant only when it is of type t, in
	// one atomic step, and reports whether it did (a refund revokes the
	// grant its purchase made, never a complimentary one given since).
	DeleteIfType(ctx context.Context, userID string, contentID uuid.UUID, t AccessType) (bool, error)
	// ListByUser returns the user's grants, oldest first.
	ListByUser(ctx context.Context, userID string) ([]ContentAccess, error)
	// Library returns the user's library (see LibraryFilter), one page of it.
	Library(ctx context.Context, userID string, f LibraryFilter, page Page) (List[LibraryItem], error)
}

// PlaybackRepo stores resume positions.
type PlaybackRepo interface {
	// Save upserts the (user, content) row: the stored position never goes
	// backwards, the duration is replaced, and Completed, once true, stays
	// true. It returns the stored row.
	Save(ctx context.Context, p *Playback) (*Playback, error)
	Get(ctx context.Context, userID string, contentID uuid.UUID) (*Playback, error)
}

// LibraryFilter narrows a user's library: the live, published or archived
// content the user holds through a completed purchase or an unexpired grant
// (archiving stops sales, not what buyers already hold).
type LibraryFilter struct {
	// Progress is "" or "all", "in-progress" (started, not completed) or
	// "completed".
	Progress string
	// SortBy is "recent" (default: latest acquisition first), "title"
	// (ascending, bytewise) or "duration" (longest first, unknown last);
	// ties by content id.
	SortBy string
	// Now decides which grants have expired.
	Now time.Time
}

// LibraryItem is one content item of a user's library, once per content
// however many purchases and grants lead to it.
type LibraryItem struct {
	Content Content
	// MediaDurationSeconds is the linked live media's duration, if known.
	MediaDurationSeconds *int
	// AcquiredAt is the latest purchase or grant of the item.
	AcquiredAt time.Time
	// AccessType is how the latest acquisition was made (purchased,
	// complimentary, subscription).
	AccessType AccessType
	// AmountPaidCents is the latest completed purchase's amount; nil when
	// the item came only through grants.
	AmountPaidCents *int
	// Progress is the user's playback row, if any.
	Progress *Playback
}

// ---- purchases ----

// PurchaseRepo stores purchases.
type PurchaseRepo interface {
	// Create inserts p; the payment intent id is unique
	// (ConstraintPurchasePaymentIntent).
	Create(ctx context.Context, p *Purchase) error
	Get(ctx context.Context, id uuid.UUID) (*Purchase, error)
	GetByPaymentIntent(ctx context.Context, paymentIntentID string) (*Purchase, error)
	Update(ctx context.Context, id uuid.UUID, p PurchasePatch) (*Purchase, error)
	List(ctx context.Context, f PurchaseFilter, page Page) (List[Purchase], error)
	// HasCompleted reports whether the customer has a completed purchase of the content.
	HasCompleted(ctx context.Context, customerID string, contentID uuid.UUID) (bool, error)
	// ListWithContent is List with each purchase's content summary
	// (soft-deleted content included), in the same order.
	ListWithContent(ctx context.Context, f PurchaseFilter, page Page) (List[PurchaseWithContent], error)
}

// PurchaseContent is the summary of the content a purchase is for.
type PurchaseContent struct {
	ID           uuid.UUID   `json:"id"`
	Title        string      `json:"title"`
	Slug         string      `json:"slug"`
	ThumbnailURL *string     `json:"thumbnailUrl"`
	ContentType  ContentType `json:"contentType"`
}

// PurchaseWithContent is a purchase joined to its content.
type PurchaseWithContent struct {
	Purchase
	Content PurchaseContent `json:"content"`
}

// PurchasePatch changes the mutable columns of a purchase.
type PurchasePatch struct {
	Status            Opt[PurchaseStatus]
	RefundedAt        Opt[*time.Time]
	RefundReason      Opt[*string]
	RefundAmountCents Opt[*int]
	StripeRefundID    Opt[*string]
}

// PurchaseFilter narrows a purchase list (ordered by purchasedAt desc, then id).
type PurchaseFilter struct {
	CustomerID     string
	OrganizationID *uuid.UUID
	ContentID      *uuid.UUID
	Status         PurchaseStatus
}

// FeeRepo stores the fee tables. The Current* methods return the row in
// effect at the instant (effective_from <= at < effective_until), latest
// effective_from first; ErrNotFound when none is.
type FeeRepo interface {
	CreatePlatformFee(ctx context.Context, f *PlatformFee) error
	CurrentPlatformFee(ctx context.Context, at time.Time) (*PlatformFee, error)
	CreateOrgPlatformAgreement(ctx context.Context, a *OrgPlatformAgreement) error
	CurrentOrgPlatformAgreement(ctx context.Context, orgID uuid.UUID, at time.Time) (*OrgPlatformAgreement, error)
	CreateCreatorOrgAgreement(ctx context.Context, a *CreatorOrgAgreement) error
	CurrentCreatorOrgAgreement(ctx context.Context, creatorID string, orgID uuid.UUID, at time.Time) (*CreatorOrgAgreement, error)
}

// ---- notifications ----

// TemplateRepo stores email templates. Reads ignore soft-deleted rows.
type TemplateRepo interface {
	// Create inserts t; names are unique per scope owner among live rows
	// (ConstraintTemplateGlobal, ConstraintTemplateOrg, ConstraintTemplateCreator).
	Create(ctx context.Context, t *EmailTemplate) error
	Get(ctx context.Context, id uuid.UUID) (*EmailTemplate, error)
	Update(ctx context.Context, id uuid.UUID, p TemplatePatch) (*EmailTemplate, error)
	SoftDelete(ctx context.Context, id uuid.UUID) error
	List(ctx context.Context, f TemplateFilter, page Page) (List[EmailTemplate], error)
	// Candidates returns the live templates named name in the global scope,
	// the organization scope of orgID (when non-nil) and the creator scope
	// of creatorID (when non-empty), whatever their status.
	Candidates(ctx context.Context, name string, orgID *uuid.UUID, creatorID string) ([]EmailTemplate, error)
}

// TemplatePatch changes the mutable columns of a template.
type TemplatePatch struct {
	Subject     Opt[string]
	HTMLBody    Opt[string]
	TextBody    Opt[string]
	Description Opt[*string]
	Status      Opt[TemplateStatus]
}

// TemplateFilter narrows a template list (newest first, then id).
type TemplateFilter struct {
	Scope          TemplateScope
	OrganizationID *uuid.UUID
	CreatorID      string
	Status         TemplateStatus
}

// EmailLogRepo stores the email log.
type EmailLogRepo interface {
	Create(ctx context.Context, e *EmailLog) error
	Get(ctx context.Context, id uuid.UUID) (*EmailLog, error)
	Update(ctx context.Context, id uuid.UUID, p EmailLogPatch) (*EmailLog, error)
	// Due returns pending entries whose next attempt is at or before now, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]EmailLog, error)
	// Claim is Due that also moves each returned entry's next attempt to
	// leaseUntil in the same atomic step, so that several delivery workers
	// (one per server) never pick the same entry, and an entry whose worker
	// died is picked up again once the lease ends.
	Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]EmailLog, error)
	List(ctx context.Context, f EmailLogFilter, page Page) (List[EmailLog], error)
}

// EmailLogPatch changes the delivery state of a log entry.
type EmailLogPatch struct {
	Status        Opt[EmailStatus]
	Error         Opt[*string]
	Attempts      Opt[int]
	NextAttemptAt Opt[*time.Time]
	Metadata      Opt[*string]
}

// EmailLogFilter narrows the email log (newest first).
type EmailLogFilter struct {
	RecipientEmail string
	TemplateName   string
	Status         EmailStatus
}

// EmailOptOut records that an address asked for no more non-transactional
// email (an unsubscribe link). Addresses are stored lower-cased.
type EmailOptOut struct {
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"createdAt"`
}

// EmailOptOutRepo stores opt-outs, one per address.
type EmailOptOutRepo interface {
	// Add records the opt-out; adding an address twice keeps the first
	// record and is not an error.
	Add(ctx context.Context, email string) (*EmailOptOut, error)
	// Get returns the opt-out of the address, or ErrNotFound.
	Get(ctx context.Context, email string) (*EmailOptOut, error)
	// Remove deletes the opt-out (the address subscribes again).
	Remove(ctx context.Context, email string) error
}
