package storetest

import (
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

func (f *fx) templateRec(name string, scope store.TemplateScope, orgID *uuid.UUID, creatorID *string) *store.EmailTemplate {
	return &store.EmailTemplate{
		Name: name, Scope: scope, OrganizationID: orgID, CreatorID: creatorID,
		Subject: "Hello {{name}}", HTMLBody: "<p>Hello {{name}}</p>", TextBody: "Hello {{name}}",
		Status: store.TemplateActive,
	}
}

func (f *fx) template(name string, scope store.TemplateScope, orgID *uuid.UUID, creatorID *string) *store.EmailTemplate {
	f.Helper()
	t := f.templateRec(name, scope, orgID, creatorID)
	f.is.NoErr(f.s.Templates().Create(f.ctx, t))
	return t
}

func templateIDs(ts []store.EmailTemplate) []string {
	return ids(ts, func(t store.EmailTemplate) string { return t.ID.String() })
}

var templateCases = []testCase{
	{"CreateGetUpdate", func(f *fx) {
		w := f.world()
		t := f.templateRec("welcome", store.ScopeOrganization, &w.org.ID, nil)
		t.CreatedBy, t.Description = &w.creator.ID, ptr("first mail")
		f.is.NoErr(f.s.Templates().Create(f.ctx, t))
		f.is.True(t.ID != uuid.Nil)
		f.stamped(t.CreatedAt, t.UpdatedAt)
		got, err := f.s.Templates().Get(f.ctx, t.ID)
		f.is.NoErr(err)
		f.is.Equal(got, t)
		_, err = f.s.Templates().Get(f.ctx, uuid.New())
		f.notFound(err)

		tick()
		got, err = f.s.Templates().Update(f.ctx, t.ID, store.TemplatePatch{Subject: store.Some("Hi"), Description: store.Some[*string](nil), Status: store.Some(store.TemplateArchived)})
		f.is.NoErr(err)
		f.is.Equal(got.Subject, "Hi")
		f.is.Equal(got.Description, nil)
		f.is.Equal(got.Status, store.TemplateArchived)
		f.is.Equal(got.HTMLBody, t.HTMLBody)
		f.is.Equal(got.Name, "welcome")
		f.later(got.UpdatedAt, t.UpdatedAt)
		_, err = f.s.Templates().Update(f.ctx, t.ID, store.TemplatePatch{Status: store.Some(store.TemplateStatus("locked"))})
		f.violates(err, store.Check, "")
		_, err = f.s.Templates().Update(f.ctx, uuid.New(), store.TemplatePatch{})
		f.notFound(err)
	}},
	{"ScopeChecks", func(f *fx) {
		w := f.world()
		err := f.s.Templates().Create(f.ctx, f.templateRec("a-name", store.ScopeGlobal, &w.org.ID, nil))
		f.violates(err, store.Check, "global_scope_no_owners")
		err = f.s.Templates().Create(f.ctx, f.templateRec("a-name", store.ScopeGlobal, nil, &w.creator.ID))
		f.violates(err, store.Check, "global_scope_no_owners")
		err = f.s.Templates().Create(f.ctx, f.templateRec("a-name", store.ScopeOrganization, nil, nil))
		f.violates(err, store.Check, "org_scope_requires_org")
		err = f.s.Templates().Create(f.ctx, f.templateRec("a-name", store.ScopeOrganization, &w.org.ID, &w.creator.ID))
		f.violates(err, store.Check, "org_scope_requires_org")
		err = f.s.Templates().Create(f.ctx, f.templateRec("a-name", store.ScopeCreator, &w.org.ID, nil))
		f.violates(err, store.Check, "creator_scope_requires_creator")
		err = f.s.Templates().Create(f.ctx, f.templateRec("a-name", "team", nil, nil))
		f.violates(err, store.Check, "")
		bad := f.templateRec("a-name", store.ScopeGlobal, nil, nil)
		bad.Status = "locked"
		f.violates(f.s.Templates().Create(f.ctx, bad), store.Check, "")
		// a creator template may also name an organization
		f.template("a-name", store.ScopeCreator, &w.org.ID, &w.creator.ID)

		err = f.s.Templates().Create(f.ctx, f.templateRec("b-name", store.ScopeOrganization, ptr(uuid.New()), nil))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Templates().Create(f.ctx, f.templateRec("b-name", store.ScopeCreator, nil, ptr("missing")))
		f.violates(err, store.ForeignKey, "")
	}},
	{"UniqueNames", func(f *fx) {
		w := f.world()
		o2 := f.org()
		g := f.template("receipt", store.ScopeGlobal, nil, nil)
		err := f.s.Templates().Create(f.ctx, f.templateRec("receipt", store.ScopeGlobal, nil, nil))
		f.violates(err, store.Unique, store.ConstraintTemplateGlobal)

		f.template("receipt", store.ScopeOrganization, &w.org.ID, nil) // other scopes are separate
		f.template("receipt", store.ScopeOrganization, &o2.ID, nil)
		err = f.s.Templates().Create(f.ctx, f.templateRec("receipt", store.ScopeOrganization, &w.org.ID, nil))
		f.violates(err, store.Unique, store.ConstraintTemplateOrg)

		f.template("receipt", store.ScopeCreator, nil, &w.creator.ID)
		f.template("receipt", store.ScopeCreator, nil, &w.customer.ID)
		err = f.s.Templates().Create(f.ctx, f.templateRec("receipt", store.ScopeCreator, &w.org.ID, &w.creator.ID))
		f.violates(err, store.Unique, store.ConstraintTemplateCreator)

		// deleted templates free their name
		f.is.NoErr(f.s.Templates().SoftDelete(f.ctx, g.ID))
		f.template("receipt", store.ScopeGlobal, nil, nil)
	}},
	{"SoftDelete", func(f *fx) {
		t := f.template("bye", store.ScopeGlobal, nil, nil)
		f.is.NoErr(f.s.Templates().SoftDelete(f.ctx, t.ID))
		_, err := f.s.Templates().Get(f.ctx, t.ID)
		f.notFound(err)
		_, err = f.s.Templates().Update(f.ctx, t.ID, store.TemplatePatch{Subject: store.Some("x")})
		f.notFound(err)
		f.notFound(f.s.Templates().SoftDelete(f.ctx, t.ID))
		l, err := f.s.Templates().List(f.ctx, store.TemplateFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		c, err := f.s.Templates().Candidates(f.ctx, "bye", nil, "")
		f.is.NoErr(err)
		f.is.Equal(len(c), 0)
	}},
	{"List", func(f *fx) {
		w := f.world()
		g1 := f.template("one", store.ScopeGlobal, nil, nil)
		tick()
		o1 := f.template("one", store.ScopeOrganization, &w.org.ID, nil)
		tick()
		g2 := f.template("two", store.ScopeGlobal, nil, nil)
		tick()
		c1 := f.template("one", store.ScopeCreator, &w.org.ID, &w.creator.ID)
		_, err := f.s.Templates().Update(f.ctx, g2.ID, store.TemplatePatch{Status: store.Some(store.TemplateDraft)})
		f.is.NoErr(err)

		check := func(filter store.TemplateFilter, page store.Page, total int, want ...uuid.UUID) {
			f.Helper()
			l, err := f.s.Templates().List(f.ctx, filter, page)
			f.is.NoErr(err)
			f.is.Equal(l.Total, total)
			f.is.Equal(templateIDs(l.Items), uuidStrings(want...))
		}
		check(store.TemplateFilter{}, store.Page{}, 4, c1.ID, g2.ID, o1.ID, g1.ID) // newest first
		check(store.TemplateFilter{}, store.Page{Page: 2, Limit: 3}, 4, g1.ID)
		check(store.TemplateFilter{Scope: store.ScopeGlobal}, store.Page{}, 2, g2.ID, g1.ID)
		check(store.TemplateFilter{Scope: store.ScopeGlobal, Status: store.TemplateDraft}, store.Page{}, 1, g2.ID)
		check(store.TemplateFilter{Scope: store.ScopeOrganization, OrganizationID: &w.org.ID}, store.Page{}, 1, o1.ID)
		check(store.TemplateFilter{OrganizationID: &w.org.ID}, store.Page{}, 2, c1.ID, o1.ID)
		check(store.TemplateFilter{CreatorID: w.creator.ID}, store.Page{}, 1, c1.ID)
		check(store.TemplateFilter{Scope: store.ScopeCreator, CreatorID: w.customer.ID}, store.Page{}, 0)
	}},
	{"Candidates", func(f *fx) {
		w := f.world()
		o2 := f.org()
		g := f.template("receipt", store.ScopeGlobal, nil, nil)
		o := f.template("receipt", store.ScopeOrganization, &w.org.ID, nil)
		f.template("receipt", store.ScopeOrganization, &o2.ID, nil)
		c := f.template("receipt", store.ScopeCreator, nil, &w.creator.ID)
		f.template("receipt", store.ScopeCreator, nil, &w.customer.ID)
		f.template("other", store.ScopeGlobal, nil, nil)
		_, err := f.s.Templates().Update(f.ctx, o.ID, store.TemplatePatch{Status: store.Some(store.TemplateDraft)}) // status does not matter
		f.is.NoErr(err)

		got, err := f.s.Templates().Candidates(f.ctx, "receipt", nil, "")
		f.is.NoErr(err)
		f.is.Equal(sorted(templateIDs(got)), sorted(uuidStrings(g.ID)))
		got, err = f.s.Templates().Candidates(f.ctx, "receipt", &w.org.ID, "")
		f.is.NoErr(err)
		f.is.Equal(sorted(templateIDs(got)), sorted(uuidStrings(g.ID, o.ID)))
		got, err = f.s.Templates().Candidates(f.ctx, "receipt", &w.org.ID, w.creator.ID)
		f.is.NoErr(err)
		f.is.Equal(sorted(templateIDs(got)), sorted(uuidStrings(g.ID, o.ID, c.ID)))
		got, err = f.s.Templates().Candidates(f.ctx, "missing", &w.org.ID, w.creator.ID)
		f.is.NoErr(err)
		f.is.Equal(len(got), 0)
	}},
}

func (f *fx) emailLog(mods ...func(*store.EmailLog)) *store.EmailLog {
	f.Helper()
	e := &store.EmailLog{TemplateName: "receipt", RecipientEmail: "to@example.com", Status: store.EmailPending, Metadata: ptr(`{"name":"A"}`)}
	for _, m := range mods {
		m(e)
	}
	f.is.NoErr(f.s.EmailLog().Create(f.ctx, e))
	return e
}

var emailLogCases = []testCase{
	{"CreateGetUpdate", func(f *fx) {
		w := f.world()
		e := f.emailLog(func(e *store.EmailLog) { e.OrganizationID = &w.org.ID; e.CreatorID = &w.creator.ID })
		f.is.True(e.ID != uuid.Nil)
		f.stamped(e.CreatedAt, e.UpdatedAt)
		got, err := f.s.EmailLog().Get(f.ctx, e.ID)
		f.is.NoErr(err)
		f.is.Equal(got, e)
		_, err = f.s.EmailLog().Get(f.ctx, uuid.New())
		f.notFound(err)

		tick()
		next := time.Now().Add(time.Minute)
		got, err = f.s.EmailLog().Update(f.ctx, e.ID, store.EmailLogPatch{Error: store.Some(ptr("timeout")), Attempts: store.Some(1), NextAttemptAt: store.Some(&next)})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.EmailPending)
		f.is.Equal(*got.Error, "timeout")
		f.is.Equal(got.Attempts, 1)
		f.is.True(got.NextAttemptAt.Equal(next.Truncate(time.Microsecond)))
		f.later(got.UpdatedAt, e.UpdatedAt)

		got, err = f.s.EmailLog().Update(f.ctx, e.ID, store.EmailLogPatch{Status: store.Some(store.EmailSuccess), Error: store.Some[*string](nil), NextAttemptAt: store.Some[*time.Time](nil)})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.EmailSuccess)
		f.is.Equal(got.Error, nil)
		f.is.Equal(got.NextAttemptAt, nil)
		f.is.Equal(got.Attempts, 1)

		_, err = f.s.EmailLog().Update(f.ctx, e.ID, store.EmailLogPatch{Status: store.Some(store.EmailStatus("bounced"))})
		f.violates(err, store.Check, "")
		_, err = f.s.EmailLog().Update(f.ctx, uuid.New(), store.EmailLogPatch{})
		f.notFound(err)
	}},
	{"Constraints", func(f *fx) {
		err := f.s.EmailLog().Create(f.ctx, &store.EmailLog{TemplateName: "x", RecipientEmail: "a@b.c", Status: "queued"})
		f.violates(err, store.Check, "")
		err = f.s.EmailLog().Create(f.ctx, &store.EmailLog{TemplateName: "x", RecipientEmail: "a@b.c", Status: store.EmailPending, OrganizationID: ptr(uuid.New())})
		f.violates(err, store.ForeignKey, "")
		err = f.s.EmailLog().Create(f.ctx, &store.EmailLog{TemplateName: "x", RecipientEmail: "a@b.c", Status: store.EmailPending, CreatorID: ptr("missing")})
		f.violates(err, store.ForeignKey, "")
	}},
	{"Due", func(f *fx) {
		now := time.Now()
		a := f.emailLog()
		tick()
		b := f.emailLog(func(e *store.EmailLog) { e.NextAttemptAt = ptr(now.Add(-time.Second)) })
		tick()
		f.emailLog(func(e *store.EmailLog) { e.NextAttemptAt = ptr(now.Add(time.Hour)) }) // not yet
		f.emailLog(func(e *store.EmailLog) { e.Status = store.EmailSuccess })
		f.emailLog(func(e *store.EmailLog) { e.Status = store.EmailFailed })
		tick()
		c := f.emailLog(func(e *store.EmailLog) { e.NextAttemptAt = ptr(now) }) // at now is due

		eid := func(e store.EmailLog) string { return e.ID.String() }
		due, err := f.s.EmailLog().Due(f.ctx, now, 10)
		f.is.NoErr(err)
		f.is.Equal(ids(due, eid), uuidStrings(a.ID, b.ID, c.ID))
		due, err = f.s.EmailLog().Due(f.ctx, now, 2)
		f.is.NoErr(err)
		f.is.Equal(ids(due, eid), uuidStrings(a.ID, b.ID))
		due, err = f.s.EmailLog().Due(f.ctx, now.Add(2*time.Hour), 10)
		f.is.NoErr(err)
		f.is.Equal(len(due), 4)
	}},
	{"List", func(f *fx) {
		a := f.emailLog(func(e *store.EmailLog) { e.RecipientEmail = "x@example.com" })
		tick()
		b := f.emailLog(func(e *store.EmailLog) { e.TemplateName = "welcome"; e.Status = store.EmailSuccess })
		tick()
		c := f.emailLog(func(e *store.EmailLog) { e.Status = store.EmailFailed })
		check := func(filter store.EmailLogFilter, page store.Page, total int, want ...uuid.UUID) {
			f.Helper()
			l, err := f.s.EmailLog().List(f.ctx, filter, page)
			f.is.NoErr(err)
			f.is.Equal(l.Total, total)
			f.is.Equal(ids(l.Items, func(e store.EmailLog) string { return e.ID.String() }), uuidStrings(want...))
		}
		check(store.EmailLogFilter{}, store.Page{}, 3, c.ID, b.ID, a.ID)
		check(store.EmailLogFilter{}, store.Page{Page: 2, Limit: 2}, 3, a.ID)
		check(store.EmailLogFilter{RecipientEmail: "x@example.com"}, store.Page{}, 1, a.ID)
		check(store.EmailLogFilter{TemplateName: "welcome"}, store.Page{}, 1, b.ID)
		check(store.EmailLogFilter{Status: store.EmailFailed}, store.Page{}, 1, c.ID)
	}},
}
