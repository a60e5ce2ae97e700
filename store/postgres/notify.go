package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// Enum columns are read as text and written through a text parameter cast
// to the enum, so pgx needs no registration of the enum types (which do not
// exist yet when a connection to an unmigrated database is made).

// A value outside a native enum would fail with "invalid input value"
// (22P02) before any constraint is consulted. These names report it as the
// check violation the memory store reports, so callers see one error.
const (
	checkTemplateScope  = "check_template_scope"
	checkTemplateStatus = "check_template_status"
	checkEmailStatus    = "check_email_status"
)

func checkErr(name string) error {
	return &store.ConstraintError{Kind: store.Check, Constraint: name}
}

func checkTemplateEnums(scope store.TemplateScope, status store.TemplateStatus) error {
	if !scope.Valid() {
		return checkErr(checkTemplateScope)
	}
	if !status.Valid() {
		return checkErr(checkTemplateStatus)
	}
	return nil
}

// ---- templates ----

type templateRepo repos

const templateCols = `id, name, scope::text, organization_id, creator_id, created_by, subject, html_body, text_body,
	description, status::text, created_at, updated_at, deleted_at`

func scanTemplate(s scanner) (*store.EmailTemplate, error) {
	var t store.EmailTemplate
	err := s.Scan(&t.ID, &t.Name, &t.Scope, &t.OrganizationID, &t.CreatorID, &t.CreatedBy, &t.Subject,
		&t.HTMLBody, &t.TextBody, &t.Description, &t.Status, &t.CreatedAt, &t.UpdatedAt, &t.DeletedAt)
	return &t, err
}

func (r templateRepo) Create(ctx context.Context, t *store.EmailTemplate) error {
	if t.ID == uuid.Nil {
		t.ID = uuid.New()
	}
	if err := checkTemplateEnums(t.Scope, t.Status); err != nil {
		return err
	}
	got, err := queryOne(ctx, r.q, "create template", scanTemplate,
		`INSERT INTO email_templates (id, name, scope, organization_id, creator_id, created_by, subject, html_body,
		     text_body, description, status, created_at, updated_at)
		 VALUES ($1, $2, $3::text::template_scope, $4, $5, $6, $7, $8, $9, $10, $11::text::template_status,
		     clock_timestamp(), clock_timestamp())
		 RETURNING `+templateCols,
		t.ID, t.Name, string(t.Scope), t.OrganizationID, t.CreatorID, t.CreatedBy, t.Subject, t.HTMLBody,
		t.TextBody, t.Description, string(t.Status))
	if err != nil {
		return err
	}
	*t = *got
	return nil
}

func (r templateRepo) Get(ctx context.Context, id uuid.UUID) (*store.EmailTemplate, error) {
	return queryOne(ctx, r.q, "get template", scanTemplate,
		"SELECT "+templateCols+" FROM email_templates WHERE id = $1 AND deleted_at IS NULL", id)
}

func (r templateRepo) Update(ctx context.Context, id uuid.UUID, p store.TemplatePatch) (*store.EmailTemplate, error) {
	var a args
	s := newSetter(&a)
	set(s, "subject", p.Subject)
	set(s, "html_body", p.HTMLBody)
	set(s, "text_body", p.TextBody)
	set(s, "description", p.Description)
	if p.Status.Set {
		if !p.Status.Value.Valid() {
			return nil, checkErr(checkTemplateStatus)
		}
		s.expr("status", "?::text::template_status", string(p.Status.Value))
	}
	return queryOne(ctx, r.q, "update template", scanTemplate,
		"UPDATE email_templates SET "+s.sql()+" WHERE id = "+a.add(id)+" AND deleted_at IS NULL RETURNING "+templateCols,
		a...)
}

func (r templateRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return exec1(ctx, r.q, "delete template",
		`UPDATE email_templates SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
		 WHERE id = $1 AND deleted_at IS NULL`, id)
}

func (r templateRepo) List(ctx context.Context, f store.TemplateFilter, page store.Page) (store.List[store.EmailTemplate], error) {
	var a args
	w := newWhere(&a, "deleted_at IS NULL")
	if f.Scope != "" {
		w.and("scope = ?::text::template_scope", string(f.Scope))
	}
	if f.OrganizationID != nil {
		w.and("organization_id = ?", *f.OrganizationID)
	}
	if f.CreatorID != "" {
		w.and("creator_id = ?", f.CreatorID)
	}
	if f.Status != "" {
		w.and("status = ?::text::template_status", string(f.Status))
	}
	return list(ctx, r.q, "list templates", templateCols, "email_templates", w,
		"created_at DESC, id ASC", page, scanTemplate)
}

func (r templateRepo) Candidates(ctx context.Context, name string, orgID *uuid.UUID, creatorID string) ([]store.EmailTemplate, error) {
	return queryAll(ctx, r.q, "template candidates", scanTemplate,
		"SELECT "+templateCols+` FROM email_templates
		 WHERE name = $1 AND deleted_at IS NULL AND (
		     scope = 'global'
		     OR (scope = 'organization' AND $2::uuid IS NOT NULL AND organization_id = $2::uuid)
		     OR (scope = 'creator' AND $3::text <> '' AND creator_id = $3::text)
		 )
		 ORDER BY created_at ASC, id ASC`,
		name, orgID, creatorID)
}

// ---- email log ----

type emailLogRepo repos

const emailLogCols = `id, organization_id, creator_id, template_name, recipient_email, status::text, error, metadata,
	attempts, next_attempt_at, created_at, updated_at`

func scanEmailLog(s scanner) (*store.EmailLog, error) {
	var e store.EmailLog
	err := s.Scan(&e.ID, &e.OrganizationID, &e.CreatorID, &e.TemplateName, &e.RecipientEmail, &e.Status,
		&e.Error, &e.Metadata, &e.Attempts, &e.NextAttemptAt, &e.CreatedAt, &e.UpdatedAt)
	return &e, err
}

func (r emailLogRepo) Create(ctx context.Context, e *store.EmailLog) error {
	if e.ID == uuid.Nil {
		e.ID = uuid.New()
	}
	if !e.Status.Valid() {
		return checkErr(checkEmailStatus)
	}
	got, err := queryOne(ctx, r.q, "create email log", scanEmailLog,
		`INSERT INTO email_audit_logs (id, organization_id, creator_id, template_name, recipient_email, status, error,
		     metadata, attempts, next_attempt_at, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6::text::email_send_status, $7, $8, $9, $10, clock_timestamp(), clock_timestamp())
		 RETURNING `+emailLogCols,
		e.ID, e.OrganizationID, e.CreatorID, e.TemplateName, e.RecipientEmail, string(e.Status), e.Error,
		e.Metadata, e.Attempts, e.NextAttemptAt)
	if err != nil {
		return err
	}
	*e = *got
	return nil
}

func (r emailLogRepo) Get(ctx context.Context, id uuid.UUID) (*store.EmailLog, error) {
	return queryOne(ctx, r.q, "get email log", scanEmailLog,
		"SELECT "+emailLogCols+" FROM email_audit_logs WHERE id = $1", id)
}

func (r emailLogRepo) Update(ctx context.Context, id uuid.UUID, p store.EmailLogPatch) (*store.EmailLog, error) {
	var a args
	s := newSetter(&a)
	if p.Status.Set {
		if !p.Status.Value.Valid() {
			return nil, checkErr(checkEmailStatus)
		}
		s.expr("status", "?::text::email_send_status", string(p.Status.Value))
	}
	set(s, "error", p.Error)
	set(s, "attempts", p.Attempts)
	set(s, "next_attempt_at", p.NextAttemptAt)
	set(s, "metadata", p.Metadata)
	return queryOne(ctx, r.q, "update email log", scanEmailLog,
		"UPDATE email_audit_logs SET "+s.sql()+" WHERE id = "+a.add(id)+" RETURNING "+emailLogCols, a...)
}

func (r emailLogRepo) Due(ctx context.Context, now time.Time, limit int) ([]store.EmailLog, error) {
	if limit <= 0 {
		return []store.EmailLog{}, nil
	}
	return queryAll(ctx, r.q, "due emails", scanEmailLog,
		"SELECT "+emailLogCols+` FROM email_audit_logs
		 WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
		 ORDER BY created_at ASC, id ASC LIMIT $2`,
		now, limit)
}

func (r emailLogRepo) List(ctx context.Context, f store.EmailLogFilter, page store.Page) (store.List[store.EmailLog], error) {
	var a args
	w := newWhere(&a)
	if f.RecipientEmail != "" {
		w.and("recipient_email = ?", f.RecipientEmail)
	}
	if f.TemplateName != "" {
		w.and("template_name = ?", f.TemplateName)
	}
	if f.Status != "" {
		w.and("status = ?::text::email_send_status", string(f.Status))
	}
	return list(ctx, r.q, "list email log", emailLogCols, "email_audit_logs", w,
		"created_at DESC, id ASC", page, scanEmailLog)
}
