package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Scope addresses one of the three template scopes: the platform's global
// templates, one organization's, or the acting user's own (creator).
type Scope struct {
	Kind           store.TemplateScope
	OrganizationID uuid.UUID // organization scope only
}

// GlobalScope is the platform-wide scope.
func GlobalScope() Scope { return Scope{Kind: store.ScopeGlobal} }

// OrganizationScope is one organization's scope.
func OrganizationScope(id uuid.UUID) Scope {
	return Scope{Kind: store.ScopeOrganization, OrganizationID: id}
}

// CreatorScope is the acting user's own scope.
func CreatorScope() Scope { return Scope{Kind: store.ScopeCreator} }

// TemplateInput creates a template.
type TemplateInput struct {
	Name        string
	Subject     string
	HTMLBody    string
	TextBody    string
	Description *string
	Status      store.TemplateStatus // default draft
	// OrganizationID ties a creator template to one organization of which
	// the creator is an active member (creator scope only).
	OrganizationID *uuid.UUID
}

// TemplatePatch changes a template; name, scope and owner are immutable.
type TemplatePatch struct {
	Subject     store.Opt[string]
	HTMLBody    store.Opt[string]
	TextBody    store.Opt[string]
	Description store.Opt[*string]
	Status      store.Opt[store.TemplateStatus]
}

var (
	errTemplateNotFound = fault.New(fault.NotFound, fault.CodeNotFound, "Email template not found")
	errDuplicateName    = fault.New(fault.Conflict, fault.CodeConflict, "A template with this name already exists in this scope")
	errPlatformOwner    = fault.New(fault.Forbidden, fault.CodeForbidden, "Platform owner access required")
)

// creatorRoles may keep templates of their own.
var creatorRoles = []store.Role{store.RoleCreator, store.RoleAdmin, store.RolePlatformOwner}

// canRead checks that a may list and read templates of the scope: platform
// owners for global, active members for an organization, creators for
// their own.
func canRead(a *actor.Actor, sc Scope) error {
	switch sc.Kind {
	case store.ScopeGlobal:
		if err := actor.RequireAuth(a); err != nil {
			return err
		}
		if !a.IsPlatformOwner() {
			return errPlatformOwner
		}
		return nil
	case store.ScopeOrganization:
		return actor.RequireMember(a, sc.OrganizationID)
	case store.ScopeCreator:
		return actor.RequireRole(a, creatorRoles...)
	}
	return fault.InvalidField("scope", "Unknown template scope")
}

// canWrite checks that a may create, change and delete templates of the
// scope, and preview or test-send them: organization templates need an
// owner or admin of that organization.
func canWrite(a *actor.Actor, sc Scope) error {
	if sc.Kind == store.ScopeOrganization {
		return actor.RequireManager(a, sc.OrganizationID)
	}
	return canRead(a, sc)
}

// scopeOf is the scope a stored template lives in.
func scopeOf(t *store.EmailTemplate) Scope {
	sc := Scope{Kind: t.Scope}
	if t.Scope == store.ScopeOrganization && t.OrganizationID != nil {
		sc.OrganizationID = *t.OrganizationID
	}
	return sc
}

// inScope reports whether t is one of the scope's templates for a.
func inScope(a *actor.Actor, sc Scope, t *store.EmailTemplate) bool {
	if t.Scope != sc.Kind {
		return false
	}
	switch sc.Kind {
	case store.ScopeOrganization:
		return t.OrganizationID != nil && *t.OrganizationID == sc.OrganizationID
	case store.ScopeCreator:
		return t.CreatorID != nil && *t.CreatorID == a.UserID
	}
	return true
}

// ListTemplates returns a page of the scope's templates, newest first;
// status filters when non-empty.
func (s *Service) ListTemplates(ctx context.Context, a *actor.Actor, sc Scope, status store.TemplateStatus, page store.Page) (store.List[store.EmailTemplate], error) {
	if err := canRead(a, sc); err != nil {
		return store.List[store.EmailTemplate]{}, err
	}
	if status != "" && !status.Valid() {
		return store.List[store.EmailTemplate]{}, fault.InvalidField("query.status", "Must be draft, active or archived")
	}
	f := store.TemplateFilter{Scope: sc.Kind, Status: status}
	switch sc.Kind {
	case store.ScopeOrganization:
		f.OrganizationID = &sc.OrganizationID
	case store.ScopeCreator:
		f.CreatorID = a.UserID
	}
	return s.db.Templates().List(ctx, f, page.Normalized())
}

// GetTemplate returns one template of the scope.
func (s *Service) GetTemplate(ctx context.Context, a *actor.Actor, sc Scope, id uuid.UUID) (*store.EmailTemplate, error) {
	if err := canRead(a, sc); err != nil {
		return nil, err
	}
	return s.templateIn(ctx, a, sc, id)
}

func (s *Service) templateIn(ctx context.Context, a *actor.Actor, sc Scope, id uuid.UUID) (*store.EmailTemplate, error) {
	t, err := s.db.Templates().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !inScope(a, sc, t)) {
		return nil, errTemplateNotFound.WithDetails(map[string]string{"templateId": id.String()})
	}
	return t, err
}

// CreateTemplate stores a new template in the scope. A name already used
// by a live template of the same scope owner is a 409.
func (s *Service) CreateTemplate(ctx context.Context, a *actor.Actor, sc Scope, in TemplateInput) (*store.EmailTemplate, error) {
	if err := canWrite(a, sc); err != nil {
		return nil, err
	}
	if in.Status == "" {
		in.Status = store.TemplateDraft
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		in.Description = &d
	}
	var fields []fault.Field
	if !nameRE.MatchString(in.Name) || len(in.Name) < 3 || len(in.Name) > 100 {
		fields = append(fields, fault.Field{Path: "body.name", Message: "Must be 3-100 characters of lower-case letters, digits and dashes, starting with a letter"})
	}
	if in.OrganizationID != nil && sc.Kind != store.ScopeCreator {
		fields = append(fields, fault.Field{Path: "body.organizationId", Message: "Only creator templates take an organization"})
	}
	fields = append(fields, checkContent(in.Name, in.Subject, in.HTMLBody, in.TextBody, in.Description, in.Status)...)
	if len(fields) > 0 {
		return nil, fault.InvalidFields(fields...)
	}
	t := &store.EmailTemplate{
		Name: in.Name, Scope: sc.Kind, CreatedBy: &a.UserID,
		Subject: in.Subject, HTMLBody: in.HTMLBody, TextBody: in.TextBody,
		Description: in.Description, Status: in.Status,
	}
	switch sc.Kind {
	case store.ScopeOrganization:
		t.OrganizationID = &sc.OrganizationID
	case store.ScopeCreator:
		t.CreatorID = &a.UserID
		if in.OrganizationID != nil {
			if err := actor.RequireMember(a, *in.OrganizationID); err != nil {
				return nil, err
			}
			t.OrganizationID = in.OrganizationID
		}
	}
	if err := s.db.Templates().Create(ctx, t); err != nil {
		if store.IsConstraint(err, store.Unique, "") {
			return nil, errDuplicateName.WithDetails(map[string]string{"name": in.Name})
		}
		return nil, err
	}
	return t, nil
}

// UpdateTemplate changes a template of the scope.
func (s *Service) UpdateTemplate(ctx context.Context, a *actor.Actor, sc Scope, id uuid.UUID, p TemplatePatch) (*store.EmailTemplate, error) {
	if err := canWrite(a, sc); err != nil {
		return nil, err
	}
	cur, err := s.templateIn(ctx, a, sc, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	if p.Subject.Set {
		next.Subject = p.Subject.Value
	}
	if p.HTMLBody.Set {
		next.HTMLBody = p.HTMLBody.Value
	}
	if p.TextBody.Set {
		next.TextBody = p.TextBody.Value
	}
	if p.Description.Set && p.Description.Value != nil {
		d := strings.TrimSpace(*p.Description.Value)
		p.Description.Value = &d
		next.Description = &d
	}
	if p.Status.Set {
		next.Status = p.Status.Value
	}
	// The whole result is checked, so a patch of one part cannot leave a
	// template that would have been refused at creation.
	if fields := checkContent(cur.Name, next.Subject, next.HTMLBody, next.TextBody, next.Description, next.Status); len(fields) > 0 {
		return nil, fault.InvalidFields(fields...)
	}
	t, err := s.db.Templates().Update(ctx, id, store.TemplatePatch{
		Subject: p.Subject, HTMLBody: p.HTMLBody, TextBody: p.TextBody,
		Description: p.Description, Status: p.Status,
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTemplateNotFound.WithDetails(map[string]string{"templateId": id.String()})
	}
	return t, err
}

// DeleteTemplate soft-deletes a template of the scope; sends fall back to
// the next scope at once.
func (s *Service) DeleteTemplate(ctx context.Context, a *actor.Actor, sc Scope, id uuid.UUID) error {
	if err := canWrite(a, sc); err != nil {
		return err
	}
	if _, err := s.templateIn(ctx, a, sc, id); err != nil {
		return err
	}
	err := s.db.Templates().SoftDelete(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return errTemplateNotFound.WithDetails(map[string]string{"templateId": id.String()})
	}
	return err
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)

// checkContent validates what a template says: lengths, the tokens its
// name allows, and no script in the HTML.
func checkContent(name, subject, htmlBody, textBody string, description *string, status store.TemplateStatus) []fault.Field {
	var fields []fault.Field
	if n := utf8.RuneCountInString(subject); n < 1 || n > 500 || strings.TrimSpace(subject) == "" {
		fields = append(fields, fault.Field{Path: "body.subject", Message: "Must be 1-500 characters"})
	}
	if n := utf8.RuneCountInString(htmlBody); n < 10 || n > 100000 {
		fields = append(fields, fault.Field{Path: "body.htmlBody", Message: "Must be 10-100000 characters"})
	}
	if n := utf8.RuneCountInString(textBody); n < 10 || n > 100000 {
		fields = append(fields, fault.Field{Path: "body.textBody", Message: "Must be 10-100000 characters"})
	}
	if description != nil && utf8.RuneCountInString(*description) > 1000 {
		fields = append(fields, fault.Field{Path: "body.description", Message: "Must be at most 1000 characters"})
	}
	if !status.Valid() {
		fields = append(fields, fault.Field{Path: "body.status", Message: "Must be draft, active or archived"})
	}
	allowed := AllowedTokens(name)
	for _, part := range []struct{ path, text string }{
		{"body.subject", subject}, {"body.htmlBody", htmlBody}, {"body.textBody", textBody},
	} {
		if unknown := unknownTokens(part.text, allowed); len(unknown) > 0 {
			fields = append(fields, fault.Field{Path: part.path, Message: fmt.Sprintf(
				"Unknown tokens: {{%s}}. Allowed: %s", strings.Join(unknown, "}}, {{"), strings.Join(allowed, ", "))})
		}
	}
	for _, p := range scriptProblems(htmlBody) {
		fields = append(fields, fault.Field{Path: "body.htmlBody", Message: p})
	}
	return fields
}

// Rendered is a template filled with data, as a recipient would see it.
type Rendered struct {
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
}

// Preview renders the template itself (not whatever a send would resolve
// to), whatever its status, with data laid over sample values for the
// tokens the caller leaves out. The caller needs manage rights on the
// template's scope. Data is checked as a send would check it.
func (s *Service) Preview(ctx context.Context, a *actor.Actor, id uuid.UUID, data map[string]string) (Rendered, error) {
	t, merged, err := s.manageable(ctx, a, id, data)
	if err != nil {
		return Rendered{}, err
	}
	msg, err := s.render(ctx, content{t.Subject, t.HTMLBody, t.TextBody}, t.Name, a.Email, t.OrganizationID, merged, !Transactional(t.Name))
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{msg.Subject, msg.HTML, msg.Text}, nil
}

var (
	errTestRecipient  = fault.New(fault.Forbidden, fault.CodeForbidden, "Test emails can only be sent to your own email address")
	errTestUnverified = fault.New(fault.Forbidden, fault.CodeForbidden, "Verify your email address before sending test emails")
)

// TestSend renders the template like Preview and queues it to the caller's
// own, verified address (to may be empty or must be that address), so the
// feature cannot send mail to strangers. It returns the email log entry.
func (s *Service) TestSend(ctx context.Context, a *actor.Actor, id uuid.UUID, to string, data map[string]string) (*store.EmailLog, error) {
	t, merged, err := s.manageable(ctx, a, id, data)
	if err != nil {
		return nil, err
	}
	if to != "" && !strings.EqualFold(strings.TrimSpace(to), a.Email) {
		return nil, errTestRecipient
	}
	if !a.EmailVerified {
		return nil, errTestUnverified
	}
	addr, ok := normalizeAddress(a.Email)
	if !ok {
		return nil, ErrInvalidAddress
	}
	// A test goes to the person asking for it, so no opt-out applies.
	msg, err := s.render(ctx, content{t.Subject, t.HTMLBody, t.TextBody}, t.Name, addr, t.OrganizationID, merged, false)
	if err != nil {
		return nil, err
	}
	msg.Subject = "[Test] " + msg.Subject
	entry := &store.EmailLog{
		OrganizationID: t.OrganizationID, CreatorID: t.CreatorID,
		TemplateName: t.Name, RecipientEmail: addr, Status: store.EmailPending,
	}
	return s.enqueue(ctx, entry, msg)
}

// manageable loads a live template a may manage and merges data over the
// template's sample data, checking it as a send would.
func (s *Service) manageable(ctx context.Context, a *actor.Actor, id uuid.UUID, data map[string]string) (*store.EmailTemplate, map[string]string, error) {
	if err := actor.RequireAuth(a); err != nil {
		return nil, nil, err
	}
	t, err := s.db.Templates().Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errTemplateNotFound.WithDetails(map[string]string{"templateId": id.String()})
	}
	if err != nil {
		return nil, nil, err
	}
	sc := scopeOf(t)
	if err := canWrite(a, sc); err != nil {
		return nil, nil, err
	}
	if sc.Kind == store.ScopeCreator && (t.CreatorID == nil || *t.CreatorID != a.UserID) {
		return nil, nil, fault.New(fault.Forbidden, fault.CodeForbidden, "Access denied for email template")
	}
	k, known := kindOf(t.Name)
	merged := maps.Clone(k.sample)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, data)
	if known {
		if err := checkData(k, merged); err != nil {
			return nil, nil, err
		}
	}
	return t, merged, nil
}
