package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// NewMedia declares an upload. The object key is generated from the
// creator, the new media id and Filename; clients never choose keys.
type NewMedia struct {
	Title         string
	Description   *string
	MediaType     store.MediaType
	MimeType      string
	FileSizeBytes int64
	Filename      string
}

// MediaUpdate changes what a creator may change on a media item: its title
// and description. Status and keys move only through the upload and
// transcoding flow.
type MediaUpdate struct {
	Title       store.Opt[string]
	Description store.Opt[*string]
}

// UploadTarget tells a client where to PUT an original: send exactly the
// declared bytes to URL with Headers, before ExpiresAt.
type UploadTarget struct {
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// MediaUpload is a freshly declared media item and where to upload it.
type MediaUpload struct {
	store.MediaItem
	Upload UploadTarget `json:"upload"`
}

// MediaDetail is a media item with its creator.
type MediaDetail struct {
	store.MediaItem
	Creator *Person `json:"creator"`
}

// MediaQuery narrows a media list.
type MediaQuery struct {
	Status    store.MediaStatus
	MediaType store.MediaType
	SortBy    string
	Order     store.SortOrder
}

// UploadResult is the outcome of CompleteUpload. Status is the item's state
// afterwards: "uploaded" while it waits for a transcoder, "transcoding" once
// one took it.
type UploadResult struct {
	Success bool              `json:"success"`
	Status  store.MediaStatus `json:"status"`
	Media   store.MediaItem   `json:"-"`
}

// OriginalKey is where an original upload lives.
func OriginalKey(creatorID string, mediaID uuid.UUID, filename string) string {
	return creatorID + "/originals/" + mediaID.String() + "/" + filename
}

func (s *Service) loadMedia(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.MediaItem, error) {
	m, err := s.db.Media().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.CreatorID != a.UserID && !a.IsPlatformOwner()) {
		return nil, errMediaNotFound.WithDetails(map[string]string{"mediaItemId": id.String()})
	}
	return m, err
}

// CreateMedia declares a media item in the "uploading" state and returns
// where to upload its original.
func (s *Service) CreateMedia(ctx context.Context, a *actor.Actor, in NewMedia) (*MediaUpload, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	var ck checker
	title := ck.text("title", "Title", in.Title, 1, MaxMediaTitle)
	desc := ck.optText("description", "Description", in.Description, MaxMediaDesc)
	if !in.MediaType.Valid() {
		ck.fail("mediaType", "Media type must be video or audio")
	}
	kind, ok := AllowedMimeTypes[in.MimeType]
	switch {
	case !ok:
		ck.fail("mimeType", "Unsupported file format")
	case in.MediaType.Valid() && kind != string(in.MediaType):
		ck.fail("mimeType", "%s is not a %s format", in.MimeType, in.MediaType)
	}
	if in.FileSizeBytes < 1 || in.FileSizeBytes > MaxFileSizeBytes {
		ck.fail("fileSizeBytes", "File size must be between 1 byte and 5 GiB")
	}
	if !validFilename(in.Filename) {
		ck.fail("filename", "Filename must be 1 to 255 letters, digits, '.', '_' or '-', without '..'")
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	id := uuid.New()
	size, mt := in.FileSizeBytes, in.MimeType
	m := &store.MediaItem{
		ID: id, CreatorID: a.UserID, Title: title, Description: desc, MediaType: in.MediaType,
		Status: store.MediaUploading, R2Key: OriginalKey(a.UserID, id, in.Filename),
		FileSizeBytes: &size, MimeType: &mt, TranscodingPriority: 2,
	}
	if err := s.db.Media().Create(ctx, m); err != nil {
		return nil, err
	}
	t, err := s.uploadTarget(ctx, m)
	if err != nil {
		return nil, err
	}
	return &MediaUpload{MediaItem: *m, Upload: *t}, nil
}

// UploadTarget issues a fresh upload target for an item still uploading
// (the first one may have expired).
func (s *Service) UploadTarget(ctx context.Context, a *actor.Actor, id uuid.UUID) (*UploadTarget, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	m, err := s.loadMedia(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if m.Status != store.MediaUploading {
		return nil, notAwaitingUpload(m)
	}
	return s.uploadTarget(ctx, m)
}

func notAwaitingUpload(m *store.MediaItem) error {
	return fault.New(fault.Conflict, CodeMediaStateConflict,
		fmt.Sprintf("Media item is not awaiting an upload (status: %s)", m.Status)).
		WithDetails(map[string]string{"mediaItemId": m.ID.String(), "status": string(m.Status)})
}

func (s *Service) uploadTarget(ctx context.Context, m *store.MediaItem) (*UploadTarget, error) {
	exp := s.now().Add(s.cfg.UploadExpiry).Truncate(time.Second)
	if p, ok := s.blobs.(store.Presigner); ok {
		url, hdr, err := p.PresignPut(ctx, m.R2Key, *m.MimeType, *m.FileSizeBytes, s.cfg.UploadExpiry)
		if err != nil {
			return nil, fault.Unavailablef(err, "Could not prepare the upload")
		}
		headers := map[string]string{}
		for k := range hdr {
			// Host is the URL's; the client's HTTP stack sets it.
			if k != "Host" {
				headers[k] = hdr.Get(k)
			}
		}
		return &UploadTarget{Method: http.MethodPut, URL: url, Headers: headers, ExpiresAt: exp}, nil
	}
	if len(s.cfg.UploadKey) < 32 {
		return nil, fault.Internalf(errors.New("content: UploadKey shorter than 32 bytes"), "sign upload")
	}
	tok := signUpload(s.cfg.UploadKey, uploadClaims{mediaID: m.ID, expiry: exp, size: *m.FileSizeBytes}, m.R2Key, *m.MimeType)
	return &UploadTarget{
		Method:    http.MethodPut,
		URL:       s.cfg.PublicURL + "/api/media/" + m.ID.String() + "/upload/" + tok,
		Headers:   map[string]string{"Content-Type": *m.MimeType},
		ExpiresAt: exp,
	}, nil
}

// Upload stores an original sent to a server-signed upload URL. The token
// is the credential (like a presigned URL, no session is needed); it binds
// the media item, the object key, the declared size and content type and an
// expiry. contentLength is the request's declared length, -1 when unknown.
func (s *Service) Upload(ctx context.Context, mediaID uuid.UUID, token string, body io.Reader, contentType string, contentLength int64) error {
	claims, raw, ok := parseUpload(token)
	if !ok || claims.mediaID != mediaID || len(s.cfg.UploadKey) < 32 {
		return errInvalidUploadURL
	}
	m, err := s.db.Media().Get(ctx, mediaID)
	if errors.Is(err, store.ErrNotFound) {
		return errInvalidUploadURL
	}
	if err != nil {
		return err
	}
	if m.MimeType == nil || m.FileSizeBytes == nil || *m.FileSizeBytes != claims.size ||
		!verifyUpload(s.cfg.UploadKey, raw, m.R2Key, *m.MimeType) {
		return errInvalidUploadURL
	}
	if !s.now().Before(claims.expiry) {
		return errUploadURLExpired
	}
	return s.putOriginal(ctx, m, body, contentType, contentLength)
}

// UploadOriginal stores the original of a's media item from a Go program,
// without going through an upload URL: the same checks as Upload (the item
// is still uploading, the type and exact size are the declared ones), with
// the actor's ownership in place of the URL's signature. Call
// CompleteUpload afterwards, as an HTTP client would.
func (s *Service) UploadOriginal(ctx context.Context, a *actor.Actor, id uuid.UUID, body io.Reader, contentType string, contentLength int64) error {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return err
	}
	m, err := s.loadMedia(ctx, a, id)
	if err != nil {
		return err
	}
	if m.MimeType == nil || m.FileSizeBytes == nil {
		return notAwaitingUpload(m)
	}
	return s.putOriginal(ctx, m, body, contentType, contentLength)
}

// putOriginal streams an original into Blobs, holding it to the declared
// type and size.
func (s *Service) putOriginal(ctx context.Context, m *store.MediaItem, body io.Reader, contentType string, contentLength int64) error {
	if m.Status != store.MediaUploading {
		return notAwaitingUpload(m)
	}
	size := *m.FileSizeBytes
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != *m.MimeType {
		return fault.New(fault.Invalid, CodeUploadTypeMismatch,
			fmt.Sprintf("Content-Type must be %s, as declared", *m.MimeType))
	}
	if contentLength >= 0 && contentLength != size {
		return sizeMismatch(size, contentLength)
	}
	lr := &exactReader{r: body, left: size}
	err := s.blobs.Put(ctx, m.R2Key, lr, size, *m.MimeType)
	if lr.over || (err != nil && errors.Is(err, fault.Invalid)) {
		return sizeMismatch(size, -1).Wrap(err)
	}
	return err
}

func sizeMismatch(want, got int64) *fault.Error {
	msg := fmt.Sprintf("Upload must be exactly %d bytes, as declared", want)
	if got >= 0 {
		msg = fmt.Sprintf("Upload is %d bytes; %d were declared", got, want)
	}
	return fault.New(fault.Invalid, CodeUploadSizeMismatch, msg)
}

// exactReader fails a body longer than declared as soon as the extra byte
// arrives, instead of storing gigabytes to find out afterwards.
type exactReader struct {
	r    io.Reader
	left int64
	over bool
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		var one [1]byte
		n, err := e.r.Read(one[:])
		if n > 0 {
			e.over = true
			return 0, errors.New("content: upload longer than declared")
		}
		return 0, err
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	return n, err
}

// GetMedia returns a's media item with its creator.
func (s *Service) GetMedia(ctx context.Context, a *actor.Actor, id uuid.UUID) (*MediaDetail, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, err
	}
	m, err := s.loadMedia(ctx, a, id)
	if err != nil {
		return nil, err
	}
	u, err := s.db.Users().Get(ctx, m.CreatorID)
	if err != nil {
		return nil, err
	}
	return &MediaDetail{MediaItem: *m, Creator: &Person{ID: u.ID, Email: u.Email, Name: u.Name}}, nil
}

// UpdateMedia changes the title or description of a's media item.
func (s *Service) UpdateMedia(ctx context.Context, a *actor.Actor, id uuid.UUID, in MediaUpdate) (*store.MediaItem, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	if _, err := s.loadMedia(ctx, a, id); err != nil {
		return nil, err
	}
	var ck checker
	var p store.MediaPatch
	if in.Title.Set {
		p.Title = store.Some(ck.text("title", "Title", in.Title.Value, 1, MaxMediaTitle))
	}
	if in.Description.Set {
		p.Description = store.Some(ck.optText("description", "Description", in.Description.Value, MaxMediaDesc))
	}
	if err := ck.err(); err != nil {
		return nil, err
	}
	m, err := s.db.Media().Update(ctx, id, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errMediaNotFound
	}
	return m, err
}

// ListMedia returns a's media items.
func (s *Service) ListMedia(ctx context.Context, a *actor.Actor, q MediaQuery, page store.Page) (store.List[store.MediaItem], error) {
	if err := actor.RequireAuth(a); err != nil {
		return store.List[store.MediaItem]{}, err
	}
	var fields []fault.Field
	if q.Status != "" && !q.Status.Valid() {
		fields = append(fields, fault.Field{Path: "query.status", Message: "Must be uploading, uploaded, transcoding, ready or failed"})
	}
	if q.MediaType != "" && !q.MediaType.Valid() {
		fields = append(fields, fault.Field{Path: "query.mediaType", Message: "Must be video or audio"})
	}
	switch q.SortBy {
	case "", "createdAt", "uploadedAt", "title":
	default:
		fields = append(fields, fault.Field{Path: "query.sortBy", Message: "Must be createdAt, uploadedAt or title"})
	}
	if q.Order != "" && q.Order != store.Asc && q.Order != store.Desc {
		fields = append(fields, fault.Field{Path: "query.sortOrder", Message: "Must be asc or desc"})
	}
	if len(fields) > 0 {
		return store.List[store.MediaItem]{}, fault.InvalidFields(fields...)
	}
	return s.db.Media().List(ctx, store.MediaFilter{
		CreatorID: a.UserID, Status: q.Status, MediaType: q.MediaType, SortBy: q.SortBy, Order: q.Order,
	}, page)
}

// CompleteUpload checks the uploaded original (present, of the declared
// size, plausibly of the declared type), moves the item from "uploading" to
// "uploaded" and hands it to the transcoder. Calling it again on an item
// left "uploaded" retries the hand-off. When the transcoder cannot take the
// job the result still says where the item stands, alongside the error.
func (s *Service) CompleteUpload(ctx context.Context, a *actor.Actor, id uuid.UUID) (*UploadResult, error) {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return nil, err
	}
	m, err := s.loadMedia(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if m.Status != store.MediaUploading && m.Status != store.MediaUploaded {
		return nil, notAwaitingUpload(m)
	}
	if err := s.verifyOriginal(ctx, m); err != nil {
		return nil, err
	}
	if m.Status == store.MediaUploading {
		now := s.now()
		m, err = s.db.Media().Update(ctx, id, store.MediaPatch{
			IfStatus:   []store.MediaStatus{store.MediaUploading},
			Status:     store.Some(store.MediaUploaded),
			UploadedAt: store.Some(&now),
		})
		if errors.Is(err, store.ErrPrecondition) {
			// Another request moved it first; report where it is now.
			cur, gerr := s.db.Media().Get(ctx, id)
			if gerr != nil {
				return nil, gerr
			}
			return nil, notAwaitingUpload(cur)
		}
		if err != nil {
			return nil, err
		}
	}
	res := &UploadResult{Success: true, Status: m.Status, Media: *m}
	if err := s.cfg.Transcoder.Enqueue(ctx, *m); err != nil {
		return res, err
	}
	if cur, err := s.db.Media().Get(ctx, id); err == nil {
		res.Status, res.Media = cur.Status, *cur
	}
	return res, nil
}

func (s *Service) verifyOriginal(ctx context.Context, m *store.MediaItem) error {
	info, err := s.blobs.Stat(ctx, m.R2Key)
	if errors.Is(err, store.ErrNotFound) {
		return fault.New(fault.Unprocessable, CodeUploadNotFound, "No upload found; PUT the file to the upload URL first")
	}
	if err != nil {
		return fault.Unavailablef(err, "Blob storage unavailable")
	}
	if m.FileSizeBytes != nil && info.Size != *m.FileSizeBytes {
		return fault.New(fault.Unprocessable, CodeUploadSizeMismatch,
			fmt.Sprintf("Uploaded file is %d bytes; %d were declared", info.Size, *m.FileSizeBytes)).
			WithDetails(map[string]int64{"expected": *m.FileSizeBytes, "actual": info.Size})
	}
	mt := ""
	if m.MimeType != nil {
		mt = *m.MimeType
	}
	rc, _, err := s.blobs.Get(ctx, m.R2Key)
	if err != nil {
		return fault.Unavailablef(err, "Blob storage unavailable")
	}
	defer rc.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fault.Unavailablef(err, "Blob storage unavailable")
	}
	if !sniffMatches(mt, head[:n]) {
		return fault.New(fault.Unprocessable, CodeUploadTypeMismatch,
			fmt.Sprintf("Uploaded file does not look like %s", mt))
	}
	return nil
}

// DeleteMedia soft-deletes a's media item. Content linked to it can no
// longer be published or streamed.
func (s *Service) DeleteMedia(ctx context.Context, a *actor.Actor, id uuid.UUID) error {
	if err := actor.RequireRole(a, Authors...); err != nil {
		return err
	}
	if _, err := s.loadMedia(ctx, a, id); err != nil {
		return err
	}
	if err := s.db.Media().SoftDelete(ctx, id); errors.Is(err, store.ErrNotFound) {
		return errMediaNotFound
	} else if err != nil {
		return err
	}
	return nil
}
