// Package access decides who may watch what, issues streaming grants that
// cover a media item's whole HLS output, serves the objects a grant covers,
// and keeps playback progress and each user's library.
//
// The decision, for a signed-in user and a live content item:
//   - its creator, managers of its organization and platform owners may
//     always watch it, drafts included;
//   - others need it published (or archived, for those who already hold it),
//     and not private;
//   - an unexpired grant (purchased, complimentary, subscription) or a
//     completed purchase always admits;
//   - members_only content admits active members of its organization;
//   - otherwise priced content is refused and free content admitted.
//
// Visibility matters and membership alone does not unlock priced content
// (reference oddities 4 and 6).
package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Stable codes of the access API.
const (
	CodeGrantExpired = "GRANT_EXPIRED"
	CodeInvalidGrant = "INVALID_GRANT"
	CodeNoMedia      = "NO_MEDIA"
)

// Streaming grant lifetimes (the reference's API bounds).
const (
	MinExpiry     = 300 * time.Second
	MaxExpiry     = 7200 * time.Second
	DefaultExpiry = 3600 * time.Second
)

// CompletionThreshold is the share of a duration past which playback counts
// as completed.
const CompletionThreshold = 0.95

var (
	errContentNotFound = fault.New(fault.NotFound, fault.CodeContentNotFound, "Content not found")
	errAccessDenied    = fault.New(fault.Forbidden, fault.CodeAccessDenied, "User does not have access to this content")
	errInvalidGrant    = fault.New(fault.Forbidden, CodeInvalidGrant, "Invalid streaming grant")
	errGrantExpired    = fault.New(fault.Forbidden, CodeGrantExpired, "Streaming grant expired; request a new one")
	errObjectNotFound  = fault.New(fault.NotFound, fault.CodeNotFound, "The requested resource was not found")
)

// Config configures the service.
type Config struct {
	// PublicURL is the base of streaming URLs (no trailing slash).
	PublicURL string
	// GrantKey signs streaming grants; at least 32 bytes.
	GrantKey []byte
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the access service.
type Service struct {
	cfg    Config
	db     store.Store
	blobs  store.Blobs
	signer *Signer
}

// New returns the service. It panics on a GrantKey shorter than 32 bytes:
// a programming error that would make every grant forgeable.
func New(db store.Store, blobs store.Blobs, cfg Config) *Service {
	if len(cfg.GrantKey) < 32 {
		panic("access: GrantKey must be at least 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg, db: db, blobs: blobs, signer: NewSigner(cfg.PublicURL, cfg.GrantKey)}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// privileged reports whether a may watch c whatever its state: its creator,
// a manager of its organization, or a platform owner.
func privileged(a *actor.Actor, c *store.Content) bool {
	return a.UserID == c.CreatorID || a.IsPlatformOwner() ||
		(c.OrganizationID != nil && a.Manages(*c.OrganizationID))
}

// Check loads the content and decides whether a may watch it. Content a may
// not even know about (missing, deleted, or a draft of someone else) is a
// 404; content a could buy or join for is a 403 ACCESS_DENIED.
func (s *Service) Check(ctx context.Context, a *actor.Actor, contentID uuid.UUID) (*store.Content, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	c, err := s.db.Content().Get(ctx, contentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errContentNotFound
	}
	if err != nil {
		return nil, err
	}
	if privileged(a, c) {
		return c, nil
	}
	if c.Status == store.ContentDraft {
		return nil, errContentNotFound
	}
	if c.Visibility == store.VisibilityPrivate {
		return nil, errAccessDenied
	}
	held, err := s.holds(ctx, a.UserID, c.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case held:
		return c, nil
	case c.Status == store.ContentArchived:
		// Archived content is no longer offered, only kept for holders.
		return nil, errAccessDenied
	case c.Visibility == store.VisibilityMembersOnly:
		if c.OrganizationID != nil && a.MemberOf(*c.OrganizationID) {
			return c, nil
		}
		return nil, errAccessDenied
	case c.PriceCents != nil && *c.PriceCents > 0:
		return nil, errAccessDenied
	}
	return c, nil
}

// holds reports whether the user has an unexpired grant or a completed
// purchase of the content.
//
// Purchases are asked first: they are how most holders hold, and a
// purchase answers in one round trip where the grant check would add one.
func (s *Service) holds(ctx context.Context, userID string, contentID uuid.UUID) (bool, error) {
	bought, err := s.db.Purchases().HasCompleted(ctx, userID, contentID)
	if err != nil || bought {
		return bought, err
	}
	g, err := s.db.Access().Get(ctx, userID, contentID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return g.AccessType != store.AccessPreview && (g.ExpiresAt == nil || g.ExpiresAt.After(s.now())), nil
}

// Grant is a streaming grant: StreamingURL is the master playlist, and the
// token in it also admits every variant playlist and segment until
// ExpiresAt.
type Grant struct {
	StreamingURL string    `json:"streamingUrl"`
	ExpiresAt    time.Time `json:"expiresAt"`
	// ContentType is the media type, "video" or "audio".
	ContentType store.MediaType `json:"contentType"`
}

// Stream grants a the right to play the content's HLS output for expiry
// (MinExpiry..MaxExpiry; zero means DefaultExpiry).
func (s *Service) Stream(ctx context.Context, a *actor.Actor, contentID uuid.UUID, expiry time.Duration) (*Grant, error) {
	if expiry == 0 {
		expiry = DefaultExpiry
	}
	if expiry < MinExpiry || expiry > MaxExpiry {
		return nil, fault.InvalidField("query.expirySeconds", "Must be between 300 and 7200 seconds")
	}
	c, err := s.Check(ctx, a, contentID)
	if err != nil {
		return nil, err
	}
	if c.MediaItemID == nil {
		return nil, fault.New(fault.Unprocessable, CodeNoMedia, "Content has no media to stream")
	}
	m, err := s.db.Media().Get(ctx, *c.MediaItemID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fault.New(fault.Unprocessable, fault.CodeMediaNotReady, "Media item is no longer available")
	}
	if err != nil {
		return nil, err
	}
	if m.Status != store.MediaReady || m.HLSMasterPlaylistKey == nil {
		return nil, fault.New(fault.Unprocessable, fault.CodeMediaNotReady,
			fmt.Sprintf("Media item is not ready for streaming (status: %s)", m.Status)).
			WithDetails(map[string]string{"mediaId": m.ID.String(), "status": string(m.Status)})
	}
	prefix := HLSPrefix(m.CreatorID, m.ID)
	rel, ok := strings.CutPrefix(*m.HLSMasterPlaylistKey, prefix)
	if !ok || !validRel(rel) {
		return nil, fault.Internalf(errors.New("master playlist outside the media's HLS prefix"),
			"stream media %s key %q", m.ID, *m.HLSMasterPlaylistKey)
	}
	exp := s.now().Add(expiry).Truncate(time.Second)
	return &Grant{
		StreamingURL: s.signer.Sign(m.ID, m.CreatorID, exp, rel),
		ExpiresAt:    exp,
		ContentType:  m.MediaType,
	}, nil
}

// hlsTypes are the objects a grant serves, by extension, with their types.
var hlsTypes = map[string]string{
	".m3u8":   "application/vnd.apple.mpegurl",
	".ts":     "video/mp2t",
	".m4s":    "video/iso.segment",
	".mp4":    "video/mp4",
	".m4a":    "audio/mp4",
	".aac":    "audio/aac",
	".mp3":    "audio/mpeg",
	".vtt":    "text/vtt",
	".webvtt": "text/vtt",
	".key":    "application/octet-stream",
}

// validRel accepts a clean relative path: no empty, "." or ".." segments, no
// backslashes or NULs, so it can only name objects under the prefix.
func validRel(rel string) bool {
	if rel == "" || len(rel) > 512 || strings.ContainsAny(rel, "\\\x00") || path.Clean(rel) != rel || strings.HasPrefix(rel, "/") {
		return false
	}
	for _, seg := range strings.Split(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// HLSObject is one object served under a grant. Body is an io.ReadSeeker
// when the Blobs supports seeking (both store/disk and store/s3 do), which
// the server uses for Range requests. The caller closes Body.
type HLSObject struct {
	Body        io.ReadCloser
	Info        store.BlobInfo
	ContentType string
	// ExpiresAt is the grant's expiry, to bound how long clients cache.
	ExpiresAt time.Time
}

// OpenHLS verifies a grant token and opens rel under the media item's HLS
// prefix. Tampered or expired grants are 403; paths outside the prefix,
// unknown file types and missing objects are 404.
func (s *Service) OpenHLS(ctx context.Context, token, rel string) (*HLSObject, error) {
	claims, ok := s.signer.Verify(token)
	if !ok {
		return nil, errInvalidGrant
	}
	if !s.now().Before(claims.ExpiresAt) {
		return nil, errGrantExpired
	}
	ct, known := hlsTypes[strings.ToLower(path.Ext(rel))]
	if !known || !validRel(rel) {
		return nil, errObjectNotFound
	}
	body, info, err := s.blobs.Get(ctx, claims.Prefix()+rel)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, fault.Invalid) {
		return nil, errObjectNotFound
	}
	if err != nil {
		return nil, fault.Unavailablef(err, "Blob storage unavailable")
	}
	return &HLSObject{Body: body, Info: info, ContentType: ct, ExpiresAt: claims.ExpiresAt}, nil
}

// OpenURL is OpenHLS for a URL under a grant: the streaming URL itself, or
// a variant playlist or segment URL resolved against it, as a player would
// request them.
func (s *Service) OpenURL(ctx context.Context, url string) (*HLSObject, error) {
	token, rel, ok := s.signer.Split(url)
	if !ok {
		return nil, errObjectNotFound
	}
	return s.OpenHLS(ctx, token, rel)
}

// Signer exposes the grant signer (benchmarks, tools that mint grants for
// media they have already authorised).
func (s *Service) Signer() *Signer { return s.signer }

// ---- progress ----

// ProgressInput is a playback position report.
type ProgressInput struct {
	PositionSeconds int
	DurationSeconds int
	// Completed lets a player say the user finished (credits skipped);
	// reaching CompletionThreshold of the duration completes it anyway.
	Completed bool
}

// Maximum duration accepted in progress reports (a week of seconds).
const maxProgressSeconds = 7 * 24 * 3600

// SaveProgress records a's position in content a may watch. The stored
// position never goes backwards and completion, once reached, sticks.
func (s *Service) SaveProgress(ctx context.Context, a *actor.Actor, contentID uuid.UUID, in ProgressInput) (*store.Playback, error) {
	var fields []fault.Field
	if in.PositionSeconds < 0 || in.PositionSeconds > maxProgressSeconds {
		fields = append(fields, fault.Field{Path: "body.positionSeconds", Message: "Must be between 0 and 604800"})
	}
	if in.DurationSeconds < 1 || in.DurationSeconds > maxProgressSeconds {
		fields = append(fields, fault.Field{Path: "body.durationSeconds", Message: "Must be between 1 and 604800"})
	}
	if len(fields) > 0 {
		return nil, fault.InvalidFields(fields...)
	}
	if _, err := s.Check(ctx, a, contentID); err != nil {
		return nil, err
	}
	pos := min(in.PositionSeconds, in.DurationSeconds)
	done := in.Completed || float64(pos) >= float64(in.DurationSeconds)*CompletionThreshold
	p, err := s.db.Playback().Save(ctx, &store.Playback{
		UserID: a.UserID, ContentID: contentID, PositionSeconds: pos, DurationSeconds: in.DurationSeconds, Completed: done,
	})
	if store.IsConstraint(err, store.ForeignKey, "") {
		// Deleted between the check and the write.
		return nil, errContentNotFound
	}
	return p, err
}

// Progress returns a's playback row for content a may watch, nil when a
// has none.
func (s *Service) Progress(ctx context.Context, a *actor.Actor, contentID uuid.UUID) (*store.Playback, error) {
	if _, err := s.Check(ctx, a, contentID); err != nil {
		return nil, err
	}
	p, err := s.db.Playback().Get(ctx, a.UserID, contentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// ---- library ----

// LibraryQuery narrows a's library.
type LibraryQuery struct {
	Filter string // all (default), in-progress, completed
	SortBy string // recent (default), title, duration
}

// Library returns one page of what a holds through purchases and grants.
func (s *Service) Library(ctx context.Context, a *actor.Actor, q LibraryQuery, page store.Page) (store.List[store.LibraryItem], error) {
	if err := actor.RequireAuth(a); err != nil {
		return store.List[store.LibraryItem]{}, err
	}
	var fields []fault.Field
	switch q.Filter {
	case "", "all", "in-progress", "completed":
	default:
		fields = append(fields, fault.Field{Path: "query.filter", Message: "Must be all, in-progress or completed"})
	}
	switch q.SortBy {
	case "", "recent", "title", "duration":
	default:
		fields = append(fields, fault.Field{Path: "query.sortBy", Message: "Must be recent, title or duration"})
	}
	if len(fields) > 0 {
		return store.List[store.LibraryItem]{}, fault.InvalidFields(fields...)
	}
	return s.db.Access().Library(ctx, a.UserID, store.LibraryFilter{Progress: q.Filter, SortBy: q.SortBy, Now: s.now()}, page)
}
