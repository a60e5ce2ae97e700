package server

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/codexforgo/codex"
)

// The OpenAPI document is generated from the operation table in
// openapi_routes.go and the Go types the handlers encode, once per process.
// openapi_test.go holds it to the router (every route documented, every
// documented route served) and to real responses.

var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.Marshal(openAPIDocument())
	if err != nil {
		panic(fmt.Sprintf("server: encoding the OpenAPI document: %v", err))
	}
	return append(b, '\n')
})

// serveOpenAPI answers GET /openapi.json.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIJSON())
	return nil
}

type authMode int

const (
	authRequired authMode = iota
	authOptional          // the route answers anonymous callers too
	authNone              // no session is read (public, or a signed call)
)

// operation is one documented route. Route is the pattern the router
// reports for it: as registered, or, for the routes a surface dispatches
// itself, the pattern it logs and rate-limits under.
type operation struct {
	Method, Route string
	Tag           string
	// Enums are path parameters documented as one templated path but
	// registered once per value (/health/:surface).
	Enums map[string][]string

	summary, description string
	auth                 authMode
	limit                string
	params               []obj
	pathSchemas          map[string]obj
	body                 obj
	responses            map[int]obj
	errs                 []int
}

func (o *operation) public() *operation   { o.auth = authNone; return o }
func (o *operation) optional() *operation { o.auth = authOptional; return o }
func (o *operation) rl(preset string) *operation {
	o.limit = preset
	return o
}
func (o *operation) desc(d string) *operation { o.description = d; return o }
func (o *operation) errors(codes ...int) *operation {
	o.errs = append(o.errs, codes...)
	return o
}

// query documents a query parameter.
func (o *operation) query(name string, schema obj, desc string) *operation {
	p := obj{"name": name, "in": "query", "schema": schema}
	if desc != "" {
		p["description"] = desc
	}
	o.params = append(o.params, p)
	return o
}

// paged adds ?page= and ?limit=.
func (o *operation) paged() *operation {
	o.params = append(o.params, obj{"$ref": "#/components/parameters/page"}, obj{"$ref": "#/components/parameters/limit"})
	return o
}

func (o *operation) header(name, desc string) *operation {
	o.params = append(o.params, obj{"name": name, "in": "header", "required": true, "schema": str(), "description": desc})
	return o
}

// path overrides the schema of a path parameter (default: a string).
func (o *operation) path(name string, schema obj) *operation {
	if o.pathSchemas == nil {
		o.pathSchemas = map[string]obj{}
	}
	o.pathSchemas[name] = schema
	return o
}

func (o *operation) pathEnum(name string, values ...string) *operation {
	if o.Enums == nil {
		o.Enums = map[string][]string{}
	}
	o.Enums[name] = values
	return o.path(name, obj{"type": "string", "enum": values})
}

// json sets a required JSON request body.
func (o *operation) json(schema obj) *operation {
	o.body = obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
	return o
}

// jsonOptional sets a JSON request body that may be left out.
func (o *operation) jsonOptional(schema obj) *operation {
	o.json(schema)
	o.body["required"] = false
	return o
}

// bodyAs sets a required request body of other media types.
func (o *operation) bodyAs(content obj) *operation {
	o.body = obj{"required": true, "content": content}
	return o
}

func (o *operation) respond(status int, r obj) *operation {
	if o.responses == nil {
		o.responses = map[int]obj{}
	}
	if r["description"] == nil {
		r["description"] = http.StatusText(status)
	}
	o.responses[status] = r
	return o
}

// ok documents a JSON success response.
func (o *operation) ok(status int, schema obj) *operation {
	return o.respond(status, obj{"content": obj{"application/json": obj{"schema": schema}}})
}

// ---- schema helpers ----

func str() obj                  { return obj{"type": "string"} }
func strf(format string) obj    { return obj{"type": "string", "format": format} }
func boolean() obj              { return obj{"type": "boolean"} }
func integer() obj              { return obj{"type": "integer"} }
func constant(v any) obj        { return obj{"const": v} }
func arrayOf(items obj) obj     { return obj{"type": "array", "items": items} }
func strEnum(vs ...string) obj  { return obj{"type": "string", "enum": vs} }
func component(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// object is a closed object of the given properties, all required unless
// listed in optional.
func object(props obj, optional ...string) obj {
	var req []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(optional, k) {
			req = append(req, k)
		}
	}
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

// data is the {"data": …} envelope. JSON Schema has no generics, so each
// use narrows the DataEnvelope component to its own data.
func data(schema obj) obj {
	return obj{"allOf": []any{component("DataEnvelope"), object(obj{"data": schema})}}
}

// list is the {"data":{"items":[…],"pagination":{…}}} envelope.
func list(item obj) obj {
	return obj{"allOf": []any{component("ListEnvelope"),
		object(obj{"data": object(obj{"items": arrayOf(item), "pagination": component("Pagination")})})}}
}

// ---- the document ----

// api collects the operations of the document, tagged by surface.
type api struct {
	s   *schemas
	ops []*operation
	tag string
}

func (a *api) op(method, route, summary string) *operation {
	o := &operation{Method: method, Route: route, Tag: a.tag, summary: summary}
	a.ops = append(a.ops, o)
	return o
}

var routeParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns /api/content/:id into /api/content/{id}.
func openAPIPath(route string) string { return routeParam.ReplaceAllString(route, "{$1}") }

func openAPIDocument() obj {
	a := &api{s: newSchemas(namedSchemas())}
	documentRoutes(a)

	paths := obj{}
	responses := obj{}
	for _, o := range a.ops {
		p := openAPIPath(o.Route)
		item, _ := paths[p].(obj)
		if item == nil {
			item = obj{}
			paths[p] = item
		}
		item[strings.ToLower(o.Method)] = o.render(a.s, responses)
	}

	a.s.components["Pagination"] = a.s.ref(Pagination{})
	a.s.components["DataEnvelope"] = obj{"description": "Every success outside /api/auth/.",
		"type": "object", "required": []any{"data"}, "properties": obj{"data": obj{}}}
	a.s.components["ListEnvelope"] = obj{"description": "Every list: one page of items.",
		"type": "object", "required": []any{"data"}, "properties": obj{"data": obj{
			"type": "object", "required": []any{"items", "pagination"},
			"properties": obj{"items": obj{"type": "array"}, "pagination": component("Pagination")},
		}}}
	a.s.components["FieldError"] = object(obj{"path": str(), "message": str()})
	a.s.components["Error"] = object(obj{
		"error": object(obj{
			"code":    str(),
			"message": str(),
			"details": obj{
				"description": "Field errors of a 400, or an object with more about the error (retryAfter on a 429).",
				"oneOf":       []any{arrayOf(component("FieldError")), obj{"type": "object"}},
			},
		}, "details"),
	})
	authErr := object(obj{"code": str(), "message": str()})
	authErr["description"] = "The auth surface's flat error body, as its clients parse it."
	a.s.components["AuthError"] = authErr

	var tags []any
	for _, sf := range Surfaces() {
		tags = append(tags, obj{"name": string(sf), "description": "The " + string(sf) + " surface."})
	}
	tags = append(tags, obj{"name": "platform", "description": "Health, metrics and this document, on every handler."})

	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "Codex reference server",
			"version": codex.Version,
			"description": "Every surface of the Codex platform. Successes are {\"data\": …} (lists: " +
				"{\"data\":{\"items\",\"pagination\"}}) and errors {\"error\":{\"code\",\"message\",\"details\"?}}, " +
				"except under /api/auth/, which answers bare bodies and flat {\"code\",\"message\"} errors. " +
				"Every response carries X-Request-ID and the security headers; rate-limited routes carry " +
				"X-RateLimit-Limit, -Remaining and -Reset, and a 429 carries Retry-After.",
		},
		"servers": []any{obj{"url": "http://localhost:8080", "description": "codex serve, every surface"}},
		"tags":    tags,
		"paths":   paths,
		"components": obj{
			"schemas":   a.s.components,
			"responses": responses,
			"parameters": obj{
				"page":  obj{"name": "page", "in": "query", "schema": obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 1}},
				"limit": obj{"name": "limit", "in": "query", "schema": obj{"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
			},
			"securitySchemes": obj{
				"bearer": obj{"type": "http", "scheme": "bearer", "description": "A session token from sign-in."},
				"cookie": obj{"type": "apiKey", "in": "cookie", "name": SessionCookie,
					"description": "The session cookie; writes that carry it must come from an allowed Origin."},
			},
		},
		"security": signedIn,
	}
}

var signedIn = []any{obj{"bearer": []any{}}, obj{"cookie": []any{}}}

func (o *operation) render(s *schemas, responses obj) obj {
	out := obj{
		"operationId": operationID(o.Method, o.Route),
		"summary":     o.summary,
		"tags":        []any{o.Tag},
	}
	if o.description != "" {
		out["description"] = o.description
	}
	switch o.auth {
	case authRequired:
		out["security"] = signedIn
	case authOptional:
		out["security"] = append([]any{obj{}}, signedIn...)
	case authNone:
		out["security"] = []any{}
	}
	if o.limit != "" {
		out["x-rate-limit"] = o.limit
	}

	params := []any{}
	for _, m := range routeParam.FindAllStringSubmatch(o.Route, -1) {
		schema := o.pathSchemas[m[1]]
		if schema == nil {
			schema = str()
		}
		p := obj{"name": m[1], "in": "path", "required": true, "schema": schema}
		if strings.HasPrefix(m[0], "*") {
			p["description"] = "The rest of the path; may contain slashes."
		}
		params = append(params, p)
	}
	for _, p := range o.params {
		params = append(params, p)
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if o.body != nil {
		out["requestBody"] = o.body
	}

	// Errors every route of its kind can answer, besides its own.
	codes := append([]int{http.StatusInternalServerError, http.StatusServiceUnavailable}, o.errs...)
	if len(params) > 0 || o.body != nil {
		codes = append(codes, http.StatusBadRequest)
	}
	if o.auth == authRequired {
		codes = append(codes, http.StatusUnauthorized)
	}
	if o.Method != http.MethodGet && o.Method != http.MethodHead {
		codes = append(codes, http.StatusForbidden) // the cookie's Origin check
	}
	if o.limit != "" {
		codes = append(codes, http.StatusTooManyRequests)
	}
	rs := obj{}
	for code, r := range o.responses {
		rs[strconv.Itoa(code)] = r
	}
	for _, code := range codes {
		key := strconv.Itoa(code)
		if _, done := rs[key]; done {
			continue
		}
		name, schema := "Error"+key, "Error"
		if isAuthPath(o.Route) {
			name, schema = "AuthError"+key, "AuthError"
		}
		if _, done := responses[name]; !done {
			responses[name] = obj{
				"description": http.StatusText(code),
				"content":     obj{"application/json": obj{"schema": component(schema)}},
			}
		}
		rs[key] = obj{"$ref": "#/components/responses/" + name}
	}
	out["responses"] = rs
	return out
}

// operationID is the method and route in camel case:
// GET /api/content/:id → getApiContentById.
func operationID(method, route string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(route, "/") {
		by := strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*")
		if by {
			seg = "by-" + seg[1:]
		}
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '.' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
