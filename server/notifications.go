package server

import (
	"bytes"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/julienschmidt/httprouter"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/store"
)

// templateRoute is one route of /api/templates/*. The reference mixes
// static second segments (global, organizations, creator) with template
// ids (/:id/preview), which httprouter cannot register side by side, so
// the surface registers catch-all shapes and matches these patterns itself,
// static segments first.
type templateRoute struct {
	method  string
	pattern string // below /api/templates/, e.g. "organizations/:orgId/:id"
	preset  string
	h       HandlerFunc
}

// mountNotifications registers the notifications-api surface:
// /api/templates/* with template preview and test-send, and the public
// unsubscribe link. Handler adds its /health.
func mountNotifications(r *router) {
	n := notifications{r.srv}
	routes := []templateRoute{
		{"GET", "global", "api", n.list(globalScope)},
		{"POST", "global", "api", n.create(globalScope, false)},
		{"GET", "global/:id", "api", n.get(globalScope)},
		{"PATCH", "global/:id", "api", n.update(globalScope)},
		{"DELETE", "global/:id", "api", n.delete(globalScope)},
		{"GET", "organizations/:orgId", "api", n.list(orgScope)},
		{"POST", "organizations/:orgId", "api", n.create(orgScope, false)},
		{"GET", "organizations/:orgId/:id", "api", n.get(orgScope)},
		{"PATCH", "organizations/:orgId/:id", "api", n.update(orgScope)},
		{"DELETE", "organizations/:orgId/:id", "api", n.delete(orgScope)},
		{"GET", "creator", "api", n.list(creatorScope)},
		{"POST", "creator", "api", n.create(creatorScope, true)},
		{"GET", "creator/:id", "api", n.get(creatorScope)},
		{"PATCH", "creator/:id", "api", n.update(creatorScope)},
		{"DELETE", "creator/:id", "api", n.delete(creatorScope)},
		{"POST", ":id/preview", "api", n.preview},
		// Test-send puts mail in a real inbox: the strict preset on top of
		// the own-address rule.
		{"POST", ":id/test-send", "strict", n.testSend},
	}
	shapes := map[string]map[string]bool{} // httprouter path → methods
	for _, rt := range routes {
		depth := strings.Count(rt.pattern, "/") + 1
		path := "/api/templates"
		for i := 1; i <= depth; i++ {
			path += "/:p" + strconv.Itoa(i)
		}
		if shapes[path] == nil {
			shapes[path] = map[string]bool{}
		}
		shapes[path][rt.method] = true
	}
	for path, methods := range shapes {
		for m := range methods {
			r.handle(m, path, r.srv.templateDispatch(routes))
		}
	}

	unsubscribe := func(w http.ResponseWriter, req *http.Request) error {
		token := req.URL.Query().Get("token")
		if token == "" {
			return fault.InvalidField("query.token", "Required")
		}
		addr, err := r.srv.c.Notify().Unsubscribe(req.Context(), token)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, map[string]any{"unsubscribed": true, "email": addr})
	}
	// GET serves the link in the message body; POST is RFC 8058 one-click
	// from the List-Unsubscribe header.
	r.handle("GET", "/api/unsubscribe", unsubscribe, RateLimit("api"))
	r.handle("POST", "/api/unsubscribe", unsubscribe, RateLimit("api"))
}

// templateDispatch matches the request against routes, binds the pattern's
// parameters, applies the route's rate limit under its own name and runs it.
func (s *Server) templateDispatch(routes []templateRoute) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/templates/"), "/")
		var allow []string
		for _, rt := range routes {
			ps, ok := matchPattern(rt.pattern, segs)
			if !ok {
				continue
			}
			if rt.method != r.Method {
				allow = append(allow, rt.method)
				continue
			}
			path := "/api/templates/" + rt.pattern
			if info := infoFrom(r.Context()); info != nil {
				info.route = path
			}
			r = r.WithContext(withParams(r.Context(), ps))
			if err := s.routeLimit(w, r, rt.preset, rt.method+" "+path); err != nil {
				return err
			}
			return rt.h(w, r)
		}
		if len(allow) > 0 {
			sort.Strings(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			methodNotAllowed(w, r)
			return nil
		}
		notFound(w, r)
		return nil
	}
}

// matchPattern matches path segments against a pattern; a static segment
// wins over a parameter because patterns with statics are listed first
// and a parameter never matches a static name.
func matchPattern(pattern string, segs []string) (httprouter.Params, bool) {
	parts := strings.Split(pattern, "/")
	if len(parts) != len(segs) {
		return nil, false
	}
	var ps httprouter.Params
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			if segs[i] == "" || segs[i] == "global" || segs[i] == "organizations" || segs[i] == "creator" {
				return nil, false
			}
			ps = append(ps, httprouter.Param{Key: name, Value: segs[i]})
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return ps, true
}

type notifications struct{ srv *Server }

type scopeFunc func(r *http.Request) (notify.Scope, error)

func globalScope(*http.Request) (notify.Scope, error) { return notify.GlobalScope(), nil }

func creatorScope(*http.Request) (notify.Scope, error) { return notify.CreatorScope(), nil }

func orgScope(r *http.Request) (notify.Scope, error) {
	id, err := UUIDParam(r, "orgId")
	if err != nil {
		return notify.Scope{}, err
	}
	return notify.OrganizationScope(id), nil
}

func (n notifications) list(scope scopeFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sc, err := scope(r)
		if err != nil {
			return err
		}
		page, err := PageQuery(r)
		if err != nil {
			return err
		}
		// The reference accepts ?scope= and ignores it; the path says it.
		status := store.TemplateStatus(r.URL.Query().Get("status"))
		l, err := n.srv.c.Notify().ListTemplates(r.Context(), Actor(r), sc, status, page)
		if err != nil {
			return err
		}
		return WriteList(w, l.Items, page, l.Total)
	}
}

func (n notifications) get(scope scopeFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sc, err := scope(r)
		if err != nil {
			return err
		}
		id, err := UUIDParam(r, "id")
		if err != nil {
			return err
		}
		t, err := n.srv.c.Notify().GetTemplate(r.Context(), Actor(r), sc, id)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, t)
	}
}

type templateCreateBody struct {
	Name        string               `json:"name"`
	Subject     string               `json:"subject"`
	HTMLBody    string               `json:"htmlBody"`
	TextBody    string               `json:"textBody"`
	Description *string              `json:"description"`
	Status      store.TemplateStatus `json:"status"`
}

type creatorTemplateCreateBody struct {
	templateCreateBody
	OrganizationID *uuid.UUID `json:"organizationId"`
}

func (n notifications) create(scope scopeFunc, creator bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sc, err := scope(r)
		if err != nil {
			return err
		}
		var in creatorTemplateCreateBody
		if creator {
			err = DecodeJSON(r, &in)
		} else {
			err = DecodeJSON(r, &in.templateCreateBody)
		}
		if err != nil {
			return err
		}
		t, err := n.srv.c.Notify().CreateTemplate(r.Context(), Actor(r), sc, notify.TemplateInput{
			Name: in.Name, Subject: in.Subject, HTMLBody: in.HTMLBody, TextBody: in.TextBody,
			Description: in.Description, Status: in.Status, OrganizationID: in.OrganizationID,
		})
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusCreated, t)
	}
}

type templateUpdateBody struct {
	Subject     *string               `json:"subject"`
	HTMLBody    *string               `json:"htmlBody"`
	TextBody    *string               `json:"textBody"`
	Description Patch[string]         `json:"description"`
	Status      *store.TemplateStatus `json:"status"`
}

func opt[T any](p *T) store.Opt[T] {
	if p == nil {
		return store.Opt[T]{}
	}
	return store.Some(*p)
}

func (n notifications) update(scope scopeFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sc, err := scope(r)
		if err != nil {
			return err
		}
		id, err := UUIDParam(r, "id")
		if err != nil {
			return err
		}
		var in templateUpdateBody
		if err := DecodeJSON(r, &in); err != nil {
			return err
		}
		p := notify.TemplatePatch{
			Subject: opt(in.Subject), HTMLBody: opt(in.HTMLBody), TextBody: opt(in.TextBody), Status: opt(in.Status),
		}
		if in.Description.Set {
			p.Description = in.Description.Nullable()
		}
		t, err := n.srv.c.Notify().UpdateTemplate(r.Context(), Actor(r), sc, id, p)
		if err != nil {
			return err
		}
		return WriteData(w, http.StatusOK, t)
	}
}

func (n notifications) delete(scope scopeFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sc, err := scope(r)
		if err != nil {
			return err
		}
		id, err := UUIDParam(r, "id")
		if err != nil {
			return err
		}
		if err := n.srv.c.Notify().DeleteTemplate(r.Context(), Actor(r), sc, id); err != nil {
			return err
		}
		return WriteData(w, http.StatusNoContent, nil)
	}
}

type previewBody struct {
	Data map[string]any `json:"data"`
}

type testSendBody struct {
	RecipientEmail string         `json:"recipientEmail"`
	Data           map[string]any `json:"data"`
}

// decodeOptional decodes a body that may be left out entirely.
func decodeOptional(r *http.Request, dst any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return DecodeJSON(r, dst) // reports the read error (size limit) the usual way
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return DecodeJSON(r, dst)
}

// templateData turns preview data (string, number or boolean values, at
// most 50 keys, as in the reference) into strings.
func templateData(in map[string]any) (map[string]string, error) {
	if len(in) > 50 {
		return nil, fault.InvalidField("body.data", "At most 50 keys")
	}
	out := make(map[string]string, len(in))
	var fields []fault.Field
	for k, v := range in {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(v)
		default:
			fields = append(fields, fault.Field{Path: "body.data." + k, Message: "Expected string, number or boolean"})
		}
	}
	if len(fields) > 0 {
		sort.Slice(fields, func(i, j int) bool { return fields[i].Path < fields[j].Path })
		return nil, fault.InvalidFields(fields...)
	}
	return out, nil
}

func (n notifications) preview(w http.ResponseWriter, r *http.Request) error {
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var in previewBody
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	data, err := templateData(in.Data)
	if err != nil {
		return err
	}
	out, err := n.srv.c.Notify().Preview(r.Context(), Actor(r), id, data)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

func (n notifications) testSend(w http.ResponseWriter, r *http.Request) error {
	id, err := UUIDParam(r, "id")
	if err != nil {
		return err
	}
	var in testSendBody
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	data, err := templateData(in.Data)
	if err != nil {
		return err
	}
	e, err := n.srv.c.Notify().TestSend(r.Context(), Actor(r), id, in.RecipientEmail, data)
	if err != nil {
		return err
	}
	// Delivery is asynchronous: success means queued; the id is the email
	// log entry that records the outcome.
	return WriteData(w, http.StatusOK, map[string]any{"success": true, "messageId": e.ID, "status": e.Status})
}
