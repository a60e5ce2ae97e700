package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// obj is one JSON object of the OpenAPI document.
type obj = map[string]any

// schemas turns Go types into JSON Schema (2020-12, as OpenAPI 3.1 uses)
// the way encoding/json writes them, so the document cannot drift from the
// records and response structs: field names come from the json tags,
// pointers, slices and maps are nullable because nil encodes as null, and
// omitempty fields are optional. Named types listed in components become
// $refs; everything else is inlined.
type schemas struct {
	names      map[reflect.Type]string
	components obj
	// request makes nothing required: request structs decode absent
	// fields as zero values and leave "required" to the operation.
	request bool
}

// schemaProvider lets a type that decodes itself (Patch) say what JSON
// it accepts.
type schemaProvider interface {
	openAPISchema(s *schemas) obj
}

// enums lists the values of the string types that have a fixed set; the
// Valid methods in package store are the authority.
var enums = map[reflect.Type][]any{
	reflect.TypeFor[store.Role]():             {store.RoleCustomer, store.RoleCreator, store.RoleAdmin, store.RoleSystem, store.RolePlatformOwner},
	reflect.TypeFor[store.MembershipRole]():   {store.MemberOwner, store.MemberAdmin, store.MemberCreator, store.MemberSubscriber, store.MemberMember},
	reflect.TypeFor[store.MembershipStatus](): {store.MembershipActive, store.MembershipInactive, store.MembershipInvited},
	reflect.TypeFor[store.MediaType]():        {store.MediaVideo, store.MediaAudio},
	reflect.TypeFor[store.MediaStatus]():      {store.MediaUploading, store.MediaUploaded, store.MediaTranscoding, store.MediaReady, store.MediaFailed},
	reflect.TypeFor[store.ContentType]():      {store.ContentVideo, store.ContentAudio, store.ContentWritten},
	reflect.TypeFor[store.Visibility]():       {store.VisibilityPublic, store.VisibilityPrivate, store.VisibilityMembersOnly, store.VisibilityPurchasedOnly},
	reflect.TypeFor[store.ContentStatus]():    {store.ContentDraft, store.ContentPublished, store.ContentArchived},
	reflect.TypeFor[store.AccessType]():       {store.AccessPurchased, store.AccessSubscription, store.AccessComplimentary, store.AccessPreview},
	reflect.TypeFor[store.PurchaseStatus]():   {store.PurchasePending, store.PurchaseCompleted, store.PurchaseRefunded, store.PurchaseFailed},
	reflect.TypeFor[store.TemplateScope]():    {store.ScopeGlobal, store.ScopeOrganization, store.ScopeCreator},
	reflect.TypeFor[store.TemplateStatus]():   {store.TemplateDraft, store.TemplateActive, store.TemplateArchived},
	reflect.TypeFor[store.EmailStatus]():      {store.EmailPending, store.EmailSuccess, store.EmailFailed},
}

func newSchemas(named map[string]any) *schemas {
	s := &schemas{names: map[reflect.Type]string{}, components: obj{}}
	for name, v := range named {
		s.names[reflect.TypeOf(v)] = name
	}
	return s
}

// ref returns the schema of v's type.
func (s *schemas) ref(v any) obj { return s.of(reflect.TypeOf(v)) }

// requestBody returns the schema of a request struct: the same mapping with
// no required fields.
func (s *schemas) requestBody(v any, required ...string) obj {
	s.request = true
	defer func() { s.request = false }()
	o := s.of(reflect.TypeOf(v))
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func (s *schemas) of(t reflect.Type) obj {
	if p, ok := reflect.New(t).Elem().Interface().(schemaProvider); ok {
		return p.openAPISchema(s)
	}
	if name, ok := s.names[t]; ok && !s.request {
		if _, done := s.components[name]; !done {
			s.components[name] = obj{} // a placeholder stops recursion
			s.components[name] = s.inline(t)
		}
		return obj{"$ref": "#/components/schemas/" + name}
	}
	return s.inline(t)
}

func (s *schemas) inline(t reflect.Type) obj {
	if vs, ok := enums[t]; ok {
		return obj{"type": "string", "enum": vs}
	}
	switch t {
	case reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case reflect.TypeFor[uuid.UUID]():
		return obj{"type": "string", "format": "uuid"}
	case reflect.TypeFor[json.RawMessage]():
		return obj{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return orNull(s.of(t.Elem()))
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.Slice, reflect.Array:
		return obj{"type": []any{"array", "null"}, "items": s.of(t.Elem())}
	case reflect.Map:
		return obj{"type": []any{"object", "null"}, "additionalProperties": s.of(t.Elem())}
	case reflect.Struct:
		props, required := obj{}, []string{}
		s.fields(t, props, &required)
		o := obj{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 && !s.request {
			o["required"] = required
		}
		return o
	}
	return obj{} // interfaces: any JSON value
}

// fields adds t's JSON fields to props, flattening embedded structs as
// encoding/json does.
func (s *schemas) fields(t reflect.Type, props obj, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				s.fields(et, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.of(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}

// orNull also admits null. A $ref or an enum cannot just gain a type.
func orNull(o obj) obj {
	_, isRef := o["$ref"]
	_, isEnum := o["enum"]
	switch t := o["type"].(type) {
	case string:
		if !isEnum {
			o["type"] = []any{t, "null"}
			return o
		}
	case []any:
		return o // already nullable
	}
	if isRef || isEnum || len(o) > 0 {
		return obj{"anyOf": []any{o, obj{"type": "null"}}}
	}
	return o // {} admits null already
}

// A Patch accepts the value or null; absence is its zero value.
func (Patch[T]) openAPISchema(s *schemas) obj { return orNull(s.of(reflect.TypeFor[T]())) }
