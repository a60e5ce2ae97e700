package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/content"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// mountContent registers the content-api surface: /api/content, /api/media
// and /api/access. Handler adds its /health, which also probes blob storage
// because this surface serves media.
func mountContent(r *router) {
	r.addCheck(r.srv.blobsCheck())
	s := r.srv
	api := RateLimit("api")
	del := RateLimit("auth") // the reference's preset for deletes: 5 per 15 min

	r.handle(http.MethodPost, "/api/content", s.createContent, api)
	r.handle(http.MethodGet, "/api/content", s.listContent, api)
	r.handle(http.MethodGet, "/api/content/:id", s.getContent, api)
	r.handle(http.MethodPatch, "/api/content/:id", s.updateContent, api)
	r.handle(http.MethodDelete, "/api/content/:id", s.deleteContent, del)
	r.handle(http.MethodPost, "/api/content/:id/publish", s.contentTransition((*content.Service).Publish), api)
	r.handle(http.MethodPost, "/api/content/:id/unpublish", s.contentTransition((*content.Service).Unpublish), api)
	r.handle(http.MethodPost, "/api/content/:id/archive", s.contentTransition((*content.Service).Archive), api)

	r.handle(http.MethodPost, "/api/media", s.createMedia, api)
	r.handle(http.MethodGet, "/api/media", s.listMedia, api)
	r.handle(http.MethodGet, "/api/media/:id", s.getMedia, api)
	r.handle(http.MethodPatch, "/api/media/:id", s.updateMedia, api)
	r.handle(http.MethodDelete, "/api/media/:id", s.deleteMedia, del)
	r.handle(http.MethodPost, "/api/media/:id/upload-url", s.mediaUploadURL, api)
	r.handle(http.MethodPost, "/api/media/:id/upload-complete", s.completeUpload, api)
	// The token is the credential, as in a presigned S3 URL; the body is
	// bounded by the declared size inside content.Upload.
	r.handle(http.MethodPut, "/api/media/:id/upload/:token", s.uploadMedia, MaxBodyBytes(content.MaxFileSizeBytes+1))

	r.handle(http.MethodGet, "/api/access/content/:id/stream", s.streamContent, RateLimit("streaming"))
	r.handle(http.MethodPost, "/api/access/content/:id/progress", s.saveProgress, api)
	r.handle(http.MethodGet, "/api/access/content/:id/progress", s.getProgress, api)
	r.handle(http.MethodGet, "/api/access/user/library", s.library, api)
	mountHLS(r)
}

// requireUser and requireAuthor run the policy before any input is read,
// as the reference does: 401 and 403 come before 400.
func requireUser(r *http.Request) error { return actor.RequireAuth(Actor(r)) }

func requireAuthor(r *http.Request) error { return actor.RequireRole(Actor(r), content.Authors...) }

// bodyUUID parses an optional id from a body.
func bodyUUID(path string, s *string, fe *[]fault.Field) *uuid.UUID {
	if s == nil || *s == "" {
		return nil
	}
	id, err := uuid.Parse(*s)
	if err != nil || len(*s) != 36 {
		*fe = append(*fe, fault.Field{Path: path, Message: "Invalid ID format"})
		return nil
	}
	return &id
}

// ---- content ----

type createContentBody struct {
	Title          string   `json:"title"`
	Slug           string   `json:"slug"`
	Description    *string  `json:"description"`
	ContentType    string   `json:"contentType"`
	MediaItemID    *string  `json:"mediaItemId"`
	ContentBody    *string  `json:"contentBody"`
	OrganizationID *string  `json:"organizationId"`
	Category       *string  `json:"category"`
	Tags           []string `json:"tags"`
	ThumbnailURL   *string  `json:"thumbnailUrl"`
	Visibility     string   `json:"visibility"`
	PriceCents     *int     `json:"priceCents"`
}

func (s *Server) createContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	var b createContentBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := content.Create{
		Title: b.Title, Slug: b.Slug, Description: b.Description, ContentType: store.ContentType(b.ContentType),
		MediaItemID: bodyUUID("body.mediaItemId", b.MediaItemID, &fe), ContentBody: b.ContentBody,
		OrganizationID: bodyUUID("body.organizationId", b.OrganizationID, &fe), Category: b.Category,
		Tags: b.Tags, ThumbnailURL: b.ThumbnailURL, Visibility: store.Visibility(b.Visibility), PriceCents: b.PriceCents,
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	c, err := s.c.Content().Create(r.Context(), Actor(r), in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusCreated, c)
}

type updateContentBody struct {
	Title          Patch[string]   `json:"title"`
	Slug           Patch[string]   `json:"slug"`
	Description    Patch[string]   `json:"description"`
	ContentType    Patch[string]   `json:"contentType"`
	MediaItemID    Patch[string]   `json:"mediaItemId"`
	ContentBody    Patch[string]   `json:"contentBody"`
	OrganizationID Patch[string]   `json:"organizationId"`
	Category       Patch[string]   `json:"category"`
	Tags           Patch[[]string] `json:"tags"`
	ThumbnailURL   Patch[string]   `json:"thumbnailUrl"`
	Visibility     Patch[string]   `json:"visibility"`
	PriceCents     Patch[int]      `json:"priceCents"`
}

func optUUID(path string, n Patch[string], fe *[]fault.Field) store.Opt[*uuid.UUID] {
	switch {
	case !n.Set:
		return store.Opt[*uuid.UUID]{}
	case n.Null:
		return store.Some[*uuid.UUID](nil)
	}
	return store.Some(bodyUUID(path, &n.Value, fe))
}

func (s *Server) updateContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var b updateContentBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := content.Update{
		Title:          b.Title.NotNull("body.title", &fe),
		Slug:           b.Slug.NotNull("body.slug", &fe),
		Description:    b.Description.Nullable(),
		MediaItemID:    optUUID("body.mediaItemId", b.MediaItemID, &fe),
		ContentBody:    b.ContentBody.Nullable(),
		OrganizationID: optUUID("body.organizationId", b.OrganizationID, &fe),
		Category:       b.Category.Nullable(),
		Tags:           b.Tags.NotNull("body.tags", &fe),
		ThumbnailURL:   b.ThumbnailURL.Nullable(),
		PriceCents:     b.PriceCents.Nullable(),
	}
	if ct := b.ContentType.NotNull("body.contentType", &fe); ct.Set {
		in.ContentType = store.Some(store.ContentType(ct.Value))
	}
	if v := b.Visibility.NotNull("body.visibility", &fe); v.Set {
		in.Visibility = store.Some(store.Visibility(v.Value))
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	c, err := s.c.Content().Update(r.Context(), Actor(r), id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, c)
}

func (s *Server) getContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := s.c.Content().Get(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, d)
}

func (s *Server) listContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var fe []fault.Field
	var org *uuid.UUID
	if v := q.Get("organizationId"); v != "" {
		org = bodyUUID("query.organizationId", &v, &fe)
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	list, err := s.c.Content().List(r.Context(), Actor(r), content.Query{
		Status: store.ContentStatus(q.Get("status")), ContentType: store.ContentType(q.Get("contentType")),
		Visibility: store.Visibility(q.Get("visibility")), Category: q.Get("category"), OrganizationID: org,
		Search: q.Get("search"), SortBy: q.Get("sortBy"), Order: store.SortOrder(q.Get("sortOrder")),
	}, page)
	if err != nil {
		return err
	}
	return WriteList(w, list.Items, page, list.Total)
}

func (s *Server) contentTransition(fn func(*content.Service, context.Context, *actor.Actor, uuid.UUID) (*store.Content, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAuthor(r); err != nil {
			return err
		}
		id, err := UUIDParam(r, "id")
		if err != nil {
			return err
		}
		c, err := fn(s.c.Content(), r.Context(), Actor(r), id)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, c)
	}
}

func (s *Server) deleteContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.c.Content().Delete(r.Context(), Actor(r), id); err != nil {
		return err
	}
	return WriteData(w, http.StatusNoContent, nil)
}

// ---- media ----

type createMediaBody struct {
	Title         string  `json:"title"`
	Description   *string `json:"description"`
	MediaType     string  `json:"mediaType"`
	MimeType      string  `json:"mimeType"`
	FileSizeBytes int64   `json:"fileSizeBytes"`
	Filename      string  `json:"filename"`
}

func (s *Server) createMedia(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	var b createMediaBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	m, err := s.c.Content().CreateMedia(r.Context(), Actor(r), content.NewMedia{
		Title: b.Title, Description: b.Description, MediaType: store.MediaType(b.MediaType),
		MimeType: b.MimeType, FileSizeBytes: b.FileSizeBytes, Filename: b.Filename,
	})
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusCreated, m)
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	m, err := s.c.Content().GetMedia(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, m)
}

// updateMediaBody has only what a client may change; status and keys are
// unknown fields here, refused with a 400 (reference oddity 15).
type updateMediaBody struct {
	Title       Patch[string] `json:"title"`
	Description Patch[string] `json:"description"`
}

func (s *Server) updateMedia(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var b updateMediaBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := content.MediaUpdate{Title: b.Title.NotNull("body.title", &fe), Description: b.Description.Nullable()}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	m, err := s.c.Content().UpdateMedia(r.Context(), Actor(r), id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, m)
}

func (s *Server) listMedia(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.c.Content().ListMedia(r.Context(), Actor(r), content.MediaQuery{
		Status: store.MediaStatus(q.Get("status")), MediaType: store.MediaType(q.Get("mediaType")),
		SortBy: q.Get("sortBy"), Order: store.SortOrder(q.Get("sortOrder")),
	}, page)
	if err != nil {
		return err
	}
	return WriteList(w, list.Items, page, list.Total)
}

func (s *Server) deleteMedia(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.c.Content().DeleteMedia(r.Context(), Actor(r), id); err != nil {
		return err
	}
	return WriteData(w, http.StatusNoContent, nil)
}

func (s *Server) mediaUploadURL(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	t, err := s.c.Content().UploadTarget(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, t)
}

func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) error {
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.c.Content().Upload(r.Context(), id, Param(r, "token"), r.Body,
		r.Header.Get("Content-Type"), r.ContentLength); err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, map[string]bool{"success": true})
}

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuthor(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	res, err := s.c.Content().CompleteUpload(r.Context(), Actor(r), id)
	if err != nil && res != nil && errors.Is(err, fault.Unavailable) {
		// The upload itself succeeded: say where the item stands, which the
		// generic 5xx path would strip as internal detail.
		fe := fault.From(err)
		logger(r.Context()).Warn("media left uploaded", "media_id", id.String(), "code", fe.Code)
		writeErrorBody(w, fe.Kind.Status(), fe.Code, fe.Message,
			map[string]any{"mediaId": id.String(), "status": res.Status, "success": true})
		return nil
	}
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, res)
}

// ---- access ----

func (s *Server) streamContent(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	expiry := access.DefaultExpiry
	if vs, ok := r.URL.Query()["expirySeconds"]; ok {
		n, err := strconv.Atoi(vs[0])
		if err != nil {
			return fault.InvalidField("query.expirySeconds", "Must be a whole number of seconds")
		}
		if n < int(access.MinExpiry/time.Second) || n > int(access.MaxExpiry/time.Second) {
			return fault.InvalidField("query.expirySeconds", "Must be between 300 and 7200 seconds")
		}
		expiry = time.Duration(n) * time.Second
	}
	g, err := s.c.Access().Stream(r.Context(), Actor(r), id, expiry)
	if err != nil {
		return err
	}
	// A grant is a bearer credential; it must not be cached on the way.
	w.Header().Set("Cache-Control", "no-store")
	return WriteData(w, http.StatusOK, g)
}

type progressBody struct {
	PositionSeconds *int `json:"positionSeconds"`
	DurationSeconds *int `json:"durationSeconds"`
	Completed       bool `json:"completed"`
}

func (s *Server) saveProgress(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var b progressBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	if b.PositionSeconds == nil {
		fe = append(fe, fault.Field{Path: "body.positionSeconds", Message: "Required"})
	}
	if b.DurationSeconds == nil {
		fe = append(fe, fault.Field{Path: "body.durationSeconds", Message: "Required"})
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	if _, err := s.c.Access().SaveProgress(r.Context(), Actor(r), id, access.ProgressInput{
		PositionSeconds: *b.PositionSeconds, DurationSeconds: *b.DurationSeconds, Completed: b.Completed,
	}); err != nil {
		return err
	}
	return WriteData(w, http.StatusNoContent, nil)
}

type progressView struct {
	PositionSeconds int       `json:"positionSeconds"`
	DurationSeconds int       `json:"durationSeconds"`
	Completed       bool      `json:"completed"`
	PercentComplete int       `json:"percentComplete"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

func viewProgress(p *store.Playback) *progressView {
	if p == nil {
		return nil
	}
	pct := 0
	if p.DurationSeconds > 0 {
		pct = min(100, (p.PositionSeconds*100+p.DurationSeconds/2)/p.DurationSeconds)
	}
	return &progressView{p.PositionSeconds, p.DurationSeconds, p.Completed, pct, p.UpdatedAt}
}

func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	p, err := s.c.Access().Progress(r.Context(), Actor(r), id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, map[string]*progressView{"progress": viewProgress(p)})
}

type libraryContent struct {
	ID              uuid.UUID         `json:"id"`
	Title           string            `json:"title"`
	Slug            string            `json:"slug"`
	Description     string            `json:"description"`
	ThumbnailURL    *string           `json:"thumbnailUrl"`
	ContentType     store.ContentType `json:"contentType"`
	DurationSeconds int               `json:"durationSeconds"`
	Status          string            `json:"status"`
}

type libraryPurchase struct {
	PurchasedAt time.Time `json:"purchasedAt"`
	PriceCents  int       `json:"priceCents"`
}

type libraryAccess struct {
	Type       store.AccessType `json:"type"`
	AcquiredAt time.Time        `json:"acquiredAt"`
}

type libraryItem struct {
	Content  libraryContent   `json:"content"`
	Purchase *libraryPurchase `json:"purchase"`
	Access   libraryAccess    `json:"access"`
	Progress *progressView    `json:"progress"`
}

func (s *Server) library(w http.ResponseWriter, r *http.Request) error {
	if err := requireUser(r); err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.c.Access().Library(r.Context(), Actor(r), access.LibraryQuery{Filter: q.Get("filter"), SortBy: q.Get("sortBy")}, page)
	if err != nil {
		return err
	}
	items := make([]libraryItem, 0, len(list.Items))
	for _, it := range list.Items {
		c := it.Content
		v := libraryItem{
			Content: libraryContent{
				ID: c.ID, Title: c.Title, Slug: c.Slug, ThumbnailURL: c.ThumbnailURL, ContentType: c.ContentType,
				Status: string(c.Status),
			},
			Access:   libraryAccess{Type: it.AccessType, AcquiredAt: it.AcquiredAt},
			Progress: viewProgress(it.Progress),
		}
		if c.Description != nil {
			v.Content.Description = *c.Description
		}
		if it.MediaDurationSeconds != nil {
			v.Content.DurationSeconds = *it.MediaDurationSeconds
		}
		if it.AmountPaidCents != nil {
			v.Purchase = &libraryPurchase{PurchasedAt: it.AcquiredAt, PriceCents: *it.AmountPaidCents}
		}
		items = append(items, v)
	}
	return WriteList(w, items, page, list.Total)
}
