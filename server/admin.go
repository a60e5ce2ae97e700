package server

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/admin"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// mountAdmin registers the admin-api surface: /api/admin/* (analytics,
// customers, cross-creator content). Handler adds its /health.
//
// Every route takes ?organizationId= to name the organization; see package
// admin for who may see what. httprouter needs one wildcard name per
// position, so the customer of the grant routes is :id like in the
// customer detail route (the reference calls it :customerId).
func mountAdmin(r *router) {
	h := adminHandlers{r.srv}
	api := RateLimit("api")

	r.handle(http.MethodGet, "/api/admin/status", h.status, api)

	r.handle(http.MethodGet, "/api/admin/analytics/revenue", h.revenue, api)
	r.handle(http.MethodGet, "/api/admin/analytics/top-content", h.topContent, api)
	r.handle(http.MethodGet, "/api/admin/analytics/customers", h.customerStats, api)
	r.handle(http.MethodGet, "/api/admin/analytics/dashboard", h.dashboard, api)

	r.handle(http.MethodGet, "/api/admin/customers", h.customers, api)
	r.handle(http.MethodGet, "/api/admin/customers/:id", h.customer, api)
	r.handle(http.MethodPost, "/api/admin/customers/:id/grant-access/:contentId", h.grant, api)
	r.handle(http.MethodDelete, "/api/admin/customers/:id/grant-access/:contentId", h.revoke, api)

	r.handle(http.MethodGet, "/api/admin/content", h.content, api)
	r.handle(http.MethodPost, "/api/admin/content/:id/publish", h.transition((*admin.Service).Publish), api)
	r.handle(http.MethodPost, "/api/admin/content/:id/unpublish", h.transition((*admin.Service).Unpublish), api)
	r.handle(http.MethodDelete, "/api/admin/content/:id", h.deleteContent, api)

	r.handle(http.MethodPatch, "/api/admin/users/:id/role", h.setRole, api)
}

type adminHandlers struct{ srv *Server }

func (h adminHandlers) svc() *admin.Service { return h.srv.c.Admin() }

// adminAuthed returns the signed-in actor and the organizationId query
// parameter. Authentication comes first, so an anonymous call with bad
// input is a 401.
func adminAuthed(r *http.Request) (*actor.Actor, *uuid.UUID, error) {
	a := Actor(r)
	if err := actor.RequireAuth(a); err != nil {
		return nil, nil, err
	}
	s := r.URL.Query().Get("organizationId")
	if s == "" {
		return a, nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return nil, nil, fault.InvalidField("query.organizationId", "Invalid ID format")
	}
	return a, &id, nil
}

func (h adminHandlers) status(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	st, err := h.svc().Status(r.Context(), a)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, st)
}

// rangeQuery reads startDate and endDate; the zero Range when neither is
// given and def is false.
func (h adminHandlers) rangeQuery(r *http.Request, def bool) (admin.Range, error) {
	q := r.URL.Query()
	start, end := q.Get("startDate"), q.Get("endDate")
	if start == "" && end == "" && !def {
		return admin.Range{}, nil
	}
	return admin.ParseRange(start, end, time.Now())
}

func (h adminHandlers) revenue(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	rng, err := h.rangeQuery(r, true)
	if err != nil {
		return err
	}
	st, err := h.svc().Revenue(r.Context(), a, org, rng)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, st)
}

func topLimit(r *http.Request) (int, error) {
	limit, fields := intQuery(r.URL.Query(), "limit", admin.DefaultTopLimit, admin.MaxTopLimit)
	if len(fields) > 0 {
		return 0, fault.InvalidFields(fields...)
	}
	return limit, nil
}

func (h adminHandlers) topContent(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	limit, err := topLimit(r)
	if err != nil {
		return err
	}
	rng, err := h.rangeQuery(r, false)
	if err != nil {
		return err
	}
	items, err := h.svc().TopContent(r.Context(), a, org, admin.TopQuery{Limit: limit, Range: rng})
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, items)
}

func (h adminHandlers) customerStats(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	st, err := h.svc().CustomerStats(r.Context(), a, org)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, st)
}

func (h adminHandlers) dashboard(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	limit, err := topLimit(r)
	if err != nil {
		return err
	}
	rng, err := h.rangeQuery(r, true)
	if err != nil {
		return err
	}
	d, err := h.svc().Dashboard(r.Context(), a, org, rng, limit)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, d)
}

func (h adminHandlers) customers(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	list, err := h.svc().Customers(r.Context(), a, org, r.URL.Query().Get("search"), page)
	if err != nil {
		return err
	}
	return WriteList(w, list.Items, page, list.Total)
}

func (h adminHandlers) customer(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	d, err := h.svc().Customer(r.Context(), a, org, Param(r, "id"), page)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, d)
}

// grantBody is the optional body of a grant.
type grantBody struct {
	Reason    *string `json:"reason"`
	ExpiresAt *string `json:"expiresAt"`
}

func (h adminHandlers) grant(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	contentID, err := UUIDParam(r, "contentId")
	if err != nil {
		return err
	}
	var g admin.Grant
	// The body is optional: a grant without a reason or an expiry.
	if r.ContentLength != 0 {
		var b grantBody
		if err := DecodeJSON(r, &b); err != nil {
			return err
		}
		if b.Reason != nil {
			g.Reason = *b.Reason
		}
		if b.ExpiresAt != nil {
			t, err := time.Parse(time.RFC3339Nano, *b.ExpiresAt)
			if err != nil {
				return fault.InvalidField("body.expiresAt", "Must be an RFC 3339 timestamp")
			}
			g.ExpiresAt = &t
		}
	}
	access, err := h.svc().GrantAccess(r.Context(), a, org, Param(r, "id"), contentID, g)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, struct {
		Success bool                 `json:"success"`
		Access  *store.ContentAccess `json:"access"`
	}{true, access})
}

func (h adminHandlers) revoke(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	contentID, err := UUIDParam(r, "contentId")
	if err != nil {
		return err
	}
	if err := h.svc().RevokeAccess(r.Context(), a, org, Param(r, "id"), contentID); err != nil {
		return err
	}
	return WriteData(w, http.StatusNoContent, nil)
}

func (h adminHandlers) content(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc().Content(r.Context(), a, org, admin.ContentQuery{
		Status: q.Get("status"), ContentType: store.ContentType(q.Get("contentType")), Search: q.Get("search"),
	}, page)
	if err != nil {
		return err
	}
	return WriteList(w, list.Items, page, list.Total)
}

func (h adminHandlers) transition(fn func(*admin.Service, context.Context, *actor.Actor, *uuid.UUID, uuid.UUID) (*store.AdminContent, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, org, err := adminAuthed(r)
		if err != nil {
			return err
		}
		id, err := UUIDParam(r, "id")
		if err != nil {
			return err
		}
		c, err := fn(h.svc(), r.Context(), a, org, id)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, c)
	}
}

func (h adminHandlers) deleteContent(w http.ResponseWriter, r *http.Request) error {
	a, org, err := adminAuthed(r)
	if err != nil {
		return err
	}
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	if err := h.svc().DeleteContent(r.Context(), a, org, id); err != nil {
		return err
	}
	return WriteData(w, http.StatusNoContent, nil)
}

func (h adminHandlers) setRole(w http.ResponseWriter, r *http.Request) error {
	a := Actor(r)
	if err := actor.RequireAuth(a); err != nil {
		return err
	}
	var b struct {
		Role *string `json:"role"`
	}
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	if b.Role == nil {
		return fault.InvalidField("body.role", "Required")
	}
	u, err := h.svc().SetRole(r.Context(), a, Param(r, "id"), store.Role(*b.Role))
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, u)
}
