package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// ---- templates ----

type templateRepo repos

func checkTemplate(t *store.EmailTemplate) error {
	switch {
	case !t.Scope.Valid():
		return checkErr("check_template_scope")
	case !t.Status.Valid():
		return checkErr("check_template_status")
	case t.Scope == store.ScopeGlobal && (t.OrganizationID != nil || t.CreatorID != nil):
		return checkErr("global_scope_no_owners")
	case t.Scope == store.ScopeOrganization && (t.OrganizationID == nil || t.CreatorID != nil):
		return checkErr("org_scope_requires_org")
	case t.Scope == store.ScopeCreator && t.CreatorID == nil:
		return checkErr("creator_scope_requires_creator")
	}
	return nil
}

// nameConflict applies the three partial unique indexes, which ignore
// soft-deleted rows so that a deleted template's name can be reused.
func (st *state) nameConflict(t *store.EmailTemplate) error {
	for _, o := range st.templates {
		if o.ID == t.ID || o.DeletedAt != nil || o.Name != t.Name || o.Scope != t.Scope {
			continue
		}
		switch t.Scope {
		case store.ScopeGlobal:
			return uniqueErr(store.ConstraintTemplateGlobal)
		case store.ScopeOrganization:
			if *o.OrganizationID == *t.OrganizationID {
				return uniqueErr(store.ConstraintTemplateOrg)
			}
		case store.ScopeCreator:
			if *o.CreatorID == *t.CreatorID {
				return uniqueErr(store.ConstraintTemplateCreator)
			}
		}
	}
	return nil
}

func (r templateRepo) Create(ctx context.Context, t *store.EmailTemplate) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(t)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if err := checkTemplate(rec); err != nil {
			return err
		}
		if _, ok := st.templates[rec.ID]; ok {
			return uniqueErr("email_templates_pkey")
		}
		if err := st.nameConflict(rec); err != nil {
			return err
		}
		switch {
		case rec.OrganizationID != nil && !st.orgExists(*rec.OrganizationID):
			return fkErr("email_templates", "organization_id")
		case rec.CreatorID != nil && !st.userExists(*rec.CreatorID):
			return fkErr("email_templates", "creator_id")
		case rec.CreatedBy != nil && !st.userExists(*rec.CreatedBy):
			return fkErr("email_templates", "created_by")
		}
		st.templates[rec.ID] = rec
		*t = *clone(rec)
		return nil
	})
}

func (st *state) liveTemplate(id uuid.UUID) (*store.EmailTemplate, bool) {
	t, ok := st.templates[id]
	if !ok || t.DeletedAt != nil {
		return nil, false
	}
	return t, true
}

func (r templateRepo) Get(ctx context.Context, id uuid.UUID) (t *store.EmailTemplate, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.liveTemplate(id)
		t, err = orNil(ok, rec)
		return err
	})
	return t, err
}

func (r templateRepo) Update(ctx context.Context, id uuid.UUID, p store.TemplatePatch) (t *store.EmailTemplate, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.liveTemplate(id)
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Subject, p.Subject)
		set(&n.HTMLBody, p.HTMLBody)
		set(&n.TextBody, p.TextBody)
		set(&n.Description, p.Description)
		set(&n.Status, p.Status)
		n.UpdatedAt = r.d.now()
		if err := checkTemplate(&n); err != nil {
			return err
		}
		rec := fresh(&n)
		st.templates[id] = rec
		t = clone(rec)
		return nil
	})
	return t, err
}

func (r templateRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return r.d.write(ctx, func(st *state) error {
		return softDelete(st.templates, id, r.d.now(), func(x *store.EmailTemplate) (**time.Time, *time.Time) { return &x.DeletedAt, &x.UpdatedAt })
	})
}

func templateID(t *store.EmailTemplate) uuid.UUID { return t.ID }

func (r templateRepo) List(ctx context.Context, f store.TemplateFilter, page store.Page) (out store.List[store.EmailTemplate], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.EmailTemplate
		for _, t := range st.templates {
			if t.DeletedAt != nil ||
				(f.Scope != "" && t.Scope != f.Scope) ||
				(f.OrganizationID != nil && (t.OrganizationID == nil || *t.OrganizationID != *f.OrganizationID)) ||
				(f.CreatorID != "" && (t.CreatorID == nil || *t.CreatorID != f.CreatorID)) ||
				(f.Status != "" && t.Status != f.Status) {
				continue
			}
			rows = append(rows, t)
		}
		sortRows(rows, byTime(func(t *store.EmailTemplate) time.Time { return t.CreatedAt }), true, templateID)
		out = paginate(rows, page)
		return nil
	})
	return out, err
}

func (r templateRepo) Candidates(ctx context.Context, name string, orgID *uuid.UUID, creatorID string) (out []store.EmailTemplate, err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.EmailTemplate
		for _, t := range st.templates {
			if t.DeletedAt != nil || t.Name != name {
				continue
			}
			switch {
			case t.Scope == store.ScopeGlobal,
				t.Scope == store.ScopeOrganization && orgID != nil && *t.OrganizationID == *orgID,
				t.Scope == store.ScopeCreator && creatorID != "" && *t.CreatorID == creatorID:
				rows = append(rows, t)
			}
		}
		slices.SortFunc(rows, func(a, b *store.EmailTemplate) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
		})
		out = copyAll(rows)
		return nil
	})
	return out, err
}

// ---- email log ----

type emailLogRepo repos

func (r emailLogRepo) Create(ctx context.Context, e *store.EmailLog) error {
	return r.d.write(ctx, func(st *state) error {
		rec := fresh(e)
		rec.ID = newUUID(rec.ID)
		now := r.d.now()
		rec.CreatedAt, rec.UpdatedAt = now, now
		if !rec.Status.Valid() {
			return checkErr("check_email_status")
		}
		if _, ok := st.emailLog[rec.ID]; ok {
			return uniqueErr("email_audit_logs_pkey")
		}
		switch {
		case rec.OrganizationID != nil && !st.orgExists(*rec.OrganizationID):
			return fkErr("email_audit_logs", "organization_id")
		case rec.CreatorID != nil && !st.userExists(*rec.CreatorID):
			return fkErr("email_audit_logs", "creator_id")
		}
		st.emailLog[rec.ID] = rec
		*e = *clone(rec)
		return nil
	})
}

func (r emailLogRepo) Get(ctx context.Context, id uuid.UUID) (e *store.EmailLog, err error) {
	err = r.d.read(ctx, func(st *state) error {
		rec, ok := st.emailLog[id]
		e, err = orNil(ok, rec)
		return err
	})
	return e, err
}

func (r emailLogRepo) Update(ctx context.Context, id uuid.UUID, p store.EmailLogPatch) (e *store.EmailLog, err error) {
	err = r.d.write(ctx, func(st *state) error {
		old, ok := st.emailLog[id]
		if !ok {
			return store.ErrNotFound
		}
		n := *old
		set(&n.Status, p.Status)
		set(&n.Error, p.Error)
		set(&n.Attempts, p.Attempts)
		set(&n.NextAttemptAt, p.NextAttemptAt)
		set(&n.Metadata, p.Metadata)
		n.UpdatedAt = r.d.now()
		if !n.Status.Valid() {
			return checkErr("check_email_status")
		}
		rec := fresh(&n)
		st.emailLog[id] = rec
		e = clone(rec)
		return nil
	})
	return e, err
}

func (r emailLogRepo) Due(ctx context.Context, now time.Time, limit int) (out []store.EmailLog, err error) {
	err = r.d.read(ctx, func(st *state) error {
		now = dbTime(now)
		var rows []*store.EmailLog
		for _, e := range st.emailLog {
			if e.Status == store.EmailPending && (e.NextAttemptAt == nil || !e.NextAttemptAt.After(now)) {
				rows = append(rows, e)
			}
		}
		slices.SortFunc(rows, func(a, b *store.EmailLog) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), compareIDs(a.ID, b.ID))
		})
		rows = rows[:min(max(limit, 0), len(rows))]
		out = copyAll(rows)
		return nil
	})
	return out, err
}

func (r emailLogRepo) List(ctx context.Context, f store.EmailLogFilter, page store.Page) (out store.List[store.EmailLog], err error) {
	err = r.d.read(ctx, func(st *state) error {
		var rows []*store.EmailLog
		for _, e := range st.emailLog {
			if (f.RecipientEmail != "" && e.RecipientEmail != f.RecipientEmail) ||
				(f.TemplateName != "" && e.TemplateName != f.TemplateName) ||
				(f.Status != "" && e.Status != f.Status) {
				continue
			}
			rows = append(rows, e)
		}
		sortRows(rows, byTime(func(e *store.EmailLog) time.Time { return e.CreatedAt }), true,
			func(e *store.EmailLog) uuid.UUID { return e.ID })
		out = paginate(rows, page)
		return nil
	})
	return out, err
}
