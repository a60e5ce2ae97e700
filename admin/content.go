package admin

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// ContentQuery narrows the cross-creator content list. Status is "" or
// "all" (no filter), draft, published or archived.
type ContentQuery struct {
	Status      string
	ContentType store.ContentType
	Search      string
}

// Content lists the scope's live content from every creator, newest first,
// each with its creator. Platform-wide, personal content is listed too.
func (s *Service) Content(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, q ContentQuery, page store.Page) (store.List[store.AdminContent], error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return store.List[store.AdminContent]{}, err
	}
	var fields []fault.Field
	f := store.AdminContentFilter{OrganizationID: sc.OrganizationID, ContentType: q.ContentType, Search: q.Search}
	switch st := store.ContentStatus(q.Status); {
	case q.Status == "" || q.Status == "all":
	case st.Valid():
		f.Status = st
	default:
		fields = append(fields, fault.Field{Path: "query.status", Message: "Must be draft, published, archived or all"})
	}
	if q.ContentType != "" && !q.ContentType.Valid() {
		fields = append(fields, fault.Field{Path: "query.contentType", Message: "Must be video, audio or written"})
	}
	if err := checkSearch(q.Search); err != nil {
		fields = append(fields, fault.From(err).Details.([]fault.Field)...)
	}
	if len(fields) > 0 {
		return store.List[store.AdminContent]{}, fault.InvalidFields(fields...)
	}
	return s.db.Admin().ListContent(ctx, f, page)
}

// inScope loads live content of the scope; anything else is the same 404,
// so an organization's admins learn nothing about other organizations'
// content.
func (s *Service) inScope(ctx context.Context, sc Scope, id uuid.UUID) (*store.Content, error) {
	c, err := s.db.Content().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errContentNotFound
	}
	if err != nil {
		return nil, err
	}
	if sc.OrganizationID != nil && (c.OrganizationID == nil || *c.OrganizationID != *sc.OrganizationID) {
		return nil, errContentNotFound
	}
	return c, nil
}

func (s *Service) withCreator(ctx context.Context, c *store.Content) (*store.AdminContent, error) {
	u, err := s.db.Users().Get(ctx, c.CreatorID)
	if err != nil {
		return nil, err
	}
	return &store.AdminContent{Content: *c, Creator: store.ContentCreator{ID: u.ID, Email: u.Email, Name: u.Name}}, nil
}

// transition checks the scope, then lets the content service apply its own
// rules (publishing video or audio needs ready media; the caller needs an
// author role), so the admin surface and the creator surface agree.
func (s *Service) transition(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, id uuid.UUID,
	fn func(context.Context, *actor.Actor, uuid.UUID) (*store.Content, error)) (*store.AdminContent, error) {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if _, err := s.inScope(ctx, sc, id); err != nil {
		return nil, err
	}
	c, err := fn(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.withCreator(ctx, c)
}

// Publish makes content of the scope live, under the content service's
// publish rules.
func (s *Service) Publish(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, id uuid.UUID) (*store.AdminContent, error) {
	return s.transition(ctx, a, orgID, id, s.content.Publish)
}

// Unpublish returns content of the scope to draft.
func (s *Service) Unpublish(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, id uuid.UUID) (*store.AdminContent, error) {
	return s.transition(ctx, a, orgID, id, s.content.Unpublish)
}

// DeleteContent soft-deletes content of the scope; a second delete is a 404.
func (s *Service) DeleteContent(ctx context.Context, a *actor.Actor, orgID *uuid.UUID, id uuid.UUID) error {
	sc, err := s.Resolve(ctx, a, orgID)
	if err != nil {
		return err
	}
	if _, err := s.inScope(ctx, sc, id); err != nil {
		return err
	}
	return s.content.Delete(ctx, a, id)
}
