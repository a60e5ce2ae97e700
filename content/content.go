// Package content owns content items and media items and their lifecycles:
// content goes draft → published → archived (and back to draft), media goes
// uploading → uploaded → transcoding → ready | failed, with only the system
// moving media forward.
//
// Uploads never let a client choose where an object lands: CreateMedia
// generates the key ({creatorId}/originals/{mediaId}/{filename}) and returns
// an upload target, a presigned S3 URL when the Blobs can presign and a URL
// signed by this service (served by the server, see Upload) otherwise.
// CompleteUpload checks what arrived and hands the item to a Transcoder.
package content

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Transcoder takes verified uploads. Enqueue is called with an item in the
// "uploaded" state; an implementation moves it on (to "transcoding", through
// MediaRepo.Update with IfStatus "uploaded") when it accepts the job, and
// returns a fault.Unavailable error when it cannot take jobs now, leaving
// the item "uploaded" for a later attempt.
type Transcoder interface {
	Enqueue(ctx context.Context, m store.MediaItem) error
}

// NoTranscoder is the Transcoder of a platform without transcoding: it
// refuses every job with ErrTranscoderUnavailable.
type NoTranscoder struct{}

// Enqueue always fails with ErrTranscoderUnavailable.
func (NoTranscoder) Enqueue(context.Context, store.MediaItem) error { return ErrTranscoderUnavailable }

// Config configures the service.
type Config struct {
	// PublicURL is the base of server-signed upload URLs (no trailing slash).
	PublicURL string
	// UploadKey signs upload URLs when the Blobs cannot presign. Required
	// in that case; at least 32 bytes.
	UploadKey []byte
	// UploadExpiry is how long an upload target stays valid (default 1 h).
	UploadExpiry time.Duration
	// Transcoder takes verified uploads (default NoTranscoder).
	Transcoder Transcoder
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the content and media service.
type Service struct {
	cfg   Config
	db    store.Store
	blobs store.Blobs
}

// New returns the service.
func New(db store.Store, blobs store.Blobs, cfg Config) *Service {
	if cfg.UploadExpiry <= 0 {
		cfg.UploadExpiry = time.Hour
	}
	if cfg.Transcoder == nil {
		cfg.Transcoder = NoTranscoder{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg, db: db, blobs: blobs}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Authors are the platform roles that may create and edit content and
// media; customers may not.
var Authors = []store.Role{store.RoleCreator, store.RoleAdmin, store.RolePlatformOwner}

// Person is the public face of a user in relations.
type Person struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// ---- content ----

// Create is a new content item.
type Create struct {
	Title          string
	Slug           string
	Description    *string
	ContentType    store.ContentType
	MediaItemID    *uuid.UUID
	ContentBody    *string
	OrganizationID *uuid.UUID
	Category       *string
	Tags           []string
	ThumbnailURL   *string
	// Visibility defaults to purchased_only for priced content and public
	// for free content (a purchased_only item must have a price).
	Visibility store.Visibility
	PriceCents *int
}

// Update changes some fields of a content item; unset fields stay. The
// result must satisfy the same rules as Create.
type Update struct {
	Title          store.Opt[string]
	Slug           store.Opt[string]
	Description    store.Opt[*string]
	ContentType    store.Opt[store.ContentType]
	MediaItemID    store.Opt[*uuid.UUID]
	ContentBody    store.Opt[*string]
	OrganizationID store.Opt[*uuid.UUID]
	Category       store.Opt[*string]
	Tags           store.Opt[[]string]
	ThumbnailURL   store.Opt[*string]
	Visibility     store.Opt[store.Visibility]
	PriceCents     store.Opt[*int]
}

// Detail is a content item with its relations.
type Detail struct {
	store.Content
	// MediaItem is the linked media, nil when none or soft deleted.
	MediaItem    *store.MediaItem    `json:"mediaItem"`
	Organization *store.Organization `json:"organization"`
	Creator      *Person             `json:"creator"`
}

// Query narrows a content list.
type Query struct {
	Status         store.ContentStatus
	ContentType    store.ContentType
	Visibility     store.Visibility
	Category       string
	OrganizationID *uuid.UUID
	Search         string
	SortBy         string
	Order          store.SortOrder
}

// normalize checks every field of c on its own, then the rules across
// fields. It is the single definition of a valid content item, shared by
// Create and Update.
func normalize(c *store.Content) error {
	var ck checker
	c.Title = ck.text("title", "Title", c.Title, 1, MaxTitle)
	c.Slug = ck.slug("slug", c.Slug)
	c.Description = ck.optText("description", "Description", c.Description, MaxDescription)
	if !c.ContentType.Valid() {
		ck.fail("contentType", "Content type must be video, audio or written")
	}
	c.ContentBody = ck.optText("contentBody", "Content body", c.ContentBody, MaxContentBody)
	if c.Category != nil {
		v := ck.text("category", "Category", *c.Category, 1, MaxCategory)
		c.Category = &v
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	c.Tags = ck.tags("tags", c.Tags)
	c.ThumbnailURL = ck.httpURL("thumbnailUrl", c.ThumbnailURL)
	if !c.Visibility.Valid() {
		ck.fail("visibility", "Visibility must be public, private, members_only or purchased_only")
	}
	ck.price("priceCents", c.PriceCents)
	if len(ck.fields) > 0 {
		return ck.err()
	}
	if (c.ContentType == store.ContentVideo || c.ContentType == store.ContentAudio) && c.MediaItemID == nil {
		ck.fail("mediaItemId", "Media item is required for video and audio content")
	}
	if c.ContentType == store.ContentWritten && c.ContentBody == nil {
		ck.fail("contentBody", "Content body is required for written content")
	}
	if c.Visibility == store.VisibilityPurchasedOnly && (c.PriceCents == nil || *c.PriceCents == 0) {
		ck.fail("visibility", "Free content cannot have purchased_only visibility; set priceCents or choose another visibility")
	}
	return ck.err()
}

// canManage reports whether a may see and change c: its creator, a manager
// of its organization, or a platform owner.
func canManage(a *actor.Actor, c *store.Content) bool {
	if !a.Authenticated() {
		return false
	}
	return a.UserID == c.CreatorID || a.IsPlatformOwner() ||
		(c.OrganizationID != nil && a.Manages(*c.OrganizationID))
}

// load returns the live content a may manage; anything else is the same
// 404, so ids of other people's content reveal nothing.
func (s *Service) load(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	c, err := s.db.Content().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errContentNotFound
	}
	if err != nil {
		return nil, err
	}
	if !canManage(a, c) {
		return nil, errContentNotFound
	}
	return c, nil
}

// checkOrg fails unless the organization exists and a may put content in
// it: an active owner, admin or creator member, or a platform owner.
func (s *Service) checkOrg(ctx context.Context, a *actor.Actor, orgID uuid.UUID) error {
	if _, err := s.db.Organizations().Get(ctx, orgID); errors.Is(err, store.ErrNotFound) {
		return errOrgNotFound.WithDetails(map[string]string{"organizationId": orgID.String()})
	} else if err != nil {
		return err
	}
	if a.IsPlatformOwner() {
		return nil
	}
	m, err := s.db.Memberships().Get(ctx, orgID, a.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return errNotOrgCreator
	}
	if err != nil {
		return err
	}
	if m.Status != store.MembershipActive ||
		!slices.Contains([]store.MembershipRole{store.MemberOwner, store.MemberAdmin, store.MemberCreator}, m.Role) {
		return errNotOrgCreator
	}
	return nil
}

// checkMedia fails unless mediaID names live media of the creator whose
// type fits the content type.
func (s *Service) checkMedia(ctx context.Context, creatorID string, mediaID uuid.UUID, ct store.ContentType) (*store.MediaItem, error) {
	m, err := s.db.Media().Get(ctx, mediaID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.CreatorID != creatorID) {
		return nil, errMediaNotFound.WithDetails(map[string]string{"mediaItemId": mediaID.String()})
	}
	if err != nil {
		return nil, err
	}
	if ct != store.ContentWritten && string(m.MediaType) != string(ct) {
		return nil, fault.New(fault.Unprocessable, CodeContentTypeMismatch, "Content type does not match media type").
			WithDetails(map[string]string{"expectedType": string(ct), "actualType": string(m.MediaType)})
	}
	return m, nil
}

// checkPublishable is the rule for content to be live: video and audio need
// live media of the right type that is ready to stream.
func (s *Service) checkPublishable(ctx context.Context, c *store.Content) error {
	if c.ContentType == store.ContentWritten {
		return nil
	}
	if c.MediaItemID == nil {
		return fault.New(fault.Unprocessable, fault.CodeMediaNotReady, "Cannot publish content without media")
	}
	m, err := s.checkMedia(ctx, c.CreatorID, *c.MediaItemID, c.ContentType)
	if errors.Is(err, fault.NotFound) {
		return fault.New(fault.Unprocessable, fault.CodeMediaNotReady, "Linked media item no longer exists").
			WithDetails(map[string]string{"mediaItemId": c.MediaItemID.String()})
	}
	if err != nil {
		return err
	}
	if m.Status != store.MediaReady {
		return fault.New(fault.Unprocessable, fault.CodeMediaNotReady, "Media item not ready for publishing (status: "+string(m.Status)+")").
			WithDetails(map[string]string{"mediaItemId": m.ID.String(), "status": string(m.Status)})
	}
	return nil
}

func slugConflict(err error, slug string) error {
	if store.IsConstraint(err, store.Unique, store.ConstraintContentSlugOrg) ||
		store.IsConstraint(err, store.Unique, store.ConstraintContentSlugPersonal) {
		return fault.New(fault.Conflict, CodeSlugConflict, "Content with this slug already exists").
			WithDetails(map[string]string{"slug": slug}).Wrap(err)
	}
	return err
}

// Create adds a draft content item by a.
func (s *Service) Create(ctx context.Context, a *actor.Actor, in Create) (*store.Content, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	vis := in.Visibility
	if vis == "" {
		vis = store.VisibilityPublic
		if in.PriceCents != nil && *in.PriceCents > 0 {
			vis = store.VisibilityPurchasedOnly
		}
	}
	c := &store.Content{
		CreatorID: a.UserID, OrganizationID: in.OrganizationID, MediaItemID: in.MediaItemID,
		Title: in.Title, Slug: in.Slug, Description: in.Description, ContentType: in.ContentType,
		ThumbnailURL: in.ThumbnailURL, ContentBody: in.ContentBody, Category: in.Category,
		Tags: in.Tags, Visibility: vis, PriceCents: in.PriceCents, Status: store.ContentDraft,
	}
	if err := normalize(c); err != nil {
		return nil, err
	}
	if c.OrganizationID != nil {
		if err := s.checkOrg(ctx, a, *c.OrganizationID); err != nil {
			return nil, err
		}
	}
	if c.MediaItemID != nil {
		if _, err := s.checkMedia(ctx, c.CreatorID, *c.MediaItemID, c.ContentType); err != nil {
			return nil, err
		}
	}
	if err := s.db.Content().Create(ctx, c); err != nil {
		return nil, slugConflict(err, c.Slug)
	}
	return c, nil
}

// Get returns a content item a manages, with its relations.
func (s *Service) Get(ctx context.Context, a *actor.Actor, id uuid.UUID) (*Detail, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Content: *c}
	if c.MediaItemID != nil {
		m, err := s.db.Media().Get(ctx, *c.MediaItemID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		d.MediaItem = m
	}
	if c.OrganizationID != nil {
		o, err := s.db.Organizations().Get(ctx, *c.OrganizationID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		d.Organization = o
	}
	u, err := s.db.Users().Get(ctx, c.CreatorID)
	if err != nil {
		return nil, err
	}
	d.Creator = &Person{ID: u.ID, Email: u.Email, Name: u.Name}
	return d, nil
}

// Update changes a content item a manages. The merged item must pass every
// rule of Create, and published content must stay publishable.
func (s *Service) Update(ctx context.Context, a *actor.Actor, id uuid.UUID, in Update) (*store.Content, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	old, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	n := *old
	apply(&n.Title, in.Title)
	apply(&n.Slug, in.Slug)
	apply(&n.Description, in.Description)
	apply(&n.ContentType, in.ContentType)
	apply(&n.MediaItemID, in.MediaItemID)
	apply(&n.ContentBody, in.ContentBody)
	apply(&n.OrganizationID, in.OrganizationID)
	apply(&n.Category, in.Category)
	apply(&n.Tags, in.Tags)
	apply(&n.ThumbnailURL, in.ThumbnailURL)
	apply(&n.Visibility, in.Visibility)
	apply(&n.PriceCents, in.PriceCents)
	if err := normalize(&n); err != nil {
		return nil, err
	}
	if n.OrganizationID != nil && (old.OrganizationID == nil || *old.OrganizationID != *n.OrganizationID) {
		if err := s.checkOrg(ctx, a, *n.OrganizationID); err != nil {
			return nil, err
		}
	}
	if n.MediaItemID != nil {
		if _, err := s.checkMedia(ctx, n.CreatorID, *n.MediaItemID, n.ContentType); err != nil {
			return nil, err
		}
	}
	if n.Status == store.ContentPublished {
		if err := s.checkPublishable(ctx, &n); err != nil {
			return nil, err
		}
	}
	// The publishability check above holds for the status we read; the
	// guard makes a concurrent publish or unpublish fail this update
	// instead of slipping past it.
	p := store.ContentPatch{
		IfStatus:       []store.ContentStatus{old.Status},
		Title:          store.Some(n.Title),
		Slug:           store.Some(n.Slug),
		Description:    store.Some(n.Description),
		ContentType:    store.Some(n.ContentType),
		MediaItemID:    store.Some(n.MediaItemID),
		ContentBody:    store.Some(n.ContentBody),
		OrganizationID: store.Some(n.OrganizationID),
		Category:       store.Some(n.Category),
		Tags:           store.Some(n.Tags),
		ThumbnailURL:   store.Some(n.ThumbnailURL),
		Visibility:     store.Some(n.Visibility),
		PriceCents:     store.Some(n.PriceCents),
	}
	c, err := s.db.Content().Update(ctx, id, p)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errContentNotFound
	case errors.Is(err, store.ErrPrecondition):
		return nil, fault.New(fault.Conflict, CodeContentStateConflict, "Content changed state during the update; retry")
	case err != nil:
		return nil, slugConflict(err, n.Slug)
	}
	return c, nil
}

func apply[T any](dst *T, o store.Opt[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// List returns a's own content, or, with OrganizationID set and a managing
// that organization, all of the organization's content.
func (s *Service) List(ctx context.Context, a *actor.Actor, q Query, page store.Page) (store.List[store.Content], error) {
	if err := actor.RequireAuth(a); err != nil {
		return store.List[store.Content]{}, err
	}
	if err := checkQuery(q); err != nil {
		return store.List[store.Content]{}, err
	}
	f := store.ContentFilter{
		CreatorID: a.UserID, Status: q.Status, ContentType: q.ContentType, Visibility: q.Visibility,
		Category: q.Category, Search: q.Search, SortBy: q.SortBy, Order: q.Order,
	}
	if q.OrganizationID != nil {
		f.OrganizationID = store.Some(q.OrganizationID)
		if a.Manages(*q.OrganizationID) {
			f.CreatorID = ""
		}
	}
	return s.db.Content().List(ctx, f, page)
}

func checkQuery(q Query) error {
	var fields []fault.Field
	bad := func(name, msg string) { fields = append(fields, fault.Field{Path: "query." + name, Message: msg}) }
	if q.Status != "" && !q.Status.Valid() {
		bad("status", "Must be draft, published or archived")
	}
	if q.ContentType != "" && !q.ContentType.Valid() {
		bad("contentType", "Must be video, audio or written")
	}
	if q.Visibility != "" && !q.Visibility.Valid() {
		bad("visibility", "Must be public, private, members_only or purchased_only")
	}
	if runes(q.Category) > MaxCategory {
		bad("category", "Must be 100 characters or less")
	}
	if runes(q.Search) > MaxSearch {
		bad("search", "Must be 255 characters or less")
	}
	switch q.SortBy {
	case "", "createdAt", "updatedAt", "publishedAt", "title", "viewCount", "purchaseCount":
	default:
		bad("sortBy", "Must be createdAt, updatedAt, publishedAt, title, viewCount or purchaseCount")
	}
	if q.Order != "" && q.Order != store.Asc && q.Order != store.Desc {
		bad("sortOrder", "Must be asc or desc")
	}
	if len(fields) > 0 {
		return fault.InvalidFields(fields...)
	}
	return nil
}

// transition moves content between statuses with a guard, so two racing
// requests cannot both believe they made the change.
func (s *Service) transition(ctx context.Context, id uuid.UUID, from []store.ContentStatus, p store.ContentPatch) (*store.Content, error) {
	p.IfStatus = from
	c, err := s.db.Content().Update(ctx, id, p)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errContentNotFound
	case errors.Is(err, store.ErrPrecondition):
		return nil, fault.New(fault.Conflict, CodeContentStateConflict, "Content changed state; reload and retry")
	}
	return c, err
}

// Publish makes a draft or archived item live once it is publishable.
// Publishing published content changes nothing.
func (s *Service) Publish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if c.Status == store.ContentPublished {
		return c, nil
	}
	if err := s.checkPublishable(ctx, c); err != nil {
		return nil, err
	}
	now := s.now()
	return s.transition(ctx, id, []store.ContentStatus{c.Status}, store.ContentPatch{
		Status: store.Some(store.ContentPublished), PublishedAt: store.Some(&now),
	})
}

// Unpublish returns an item to draft; publishedAt keeps the last
// publication. A draft stays as it is.
func (s *Service) Unpublish(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if c.Status == store.ContentDraft {
		return c, nil
	}
	return s.transition(ctx, id, []store.ContentStatus{store.ContentPublished, store.ContentArchived},
		store.ContentPatch{Status: store.Some(store.ContentDraft)})
}

// Archive retires published content: it is no longer offered, while those
// who bought it keep watching it.
func (s *Service) Archive(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Content, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case store.ContentArchived:
		return c, nil
	case store.ContentDraft:
		return nil, fault.New(fault.Conflict, CodeContentStateConflict, "Only published content can be archived")
	}
	return s.transition(ctx, id, []store.ContentStatus{store.ContentPublished},
		store.ContentPatch{Status: store.Some(store.ContentArchived)})
}

// Delete soft-deletes an item; its slug stays taken.
func (s *Service) Delete(ctx context.Context, a *actor.Actor, id uuid.UUID) error {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return err
	}
	if _, err := s.load(ctx, a, id); err != nil {
		return err
	}
	if err := s.db.Content().SoftDelete(ctx, id); errors.Is(err, store.ErrNotFound) {
		return errContentNotFound
	} else if err != nil {
		return err
	}
	return nil
}
