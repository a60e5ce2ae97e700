package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/store"
)

// These cases cover what is specific to the SQL (dynamic updates, guards,
// upserts, escaping, ordering); store/storetest holds the shared contract.

func ptr[T any](v T) *T { return &v }

func TestAuthRepos(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()

	u := &store.User{Name: "Ada", Email: "ada@example.com", Role: store.RoleCustomer}
	is.NoErr(s.Users().Create(ctx, u))
	is.Equal(len(u.ID), 32)
	is.Equal(u.CreatedAt.Location(), time.UTC)

	// An empty patch still touches the row.
	again, err := s.Users().Update(ctx, u.ID, store.UserPatch{})
	is.NoErr(err)
	is.True(again.UpdatedAt.After(u.UpdatedAt))
	is.Equal(again.Name, "Ada")
	upd, err := s.Users().Update(ctx, u.ID, store.UserPatch{Image: store.Some(ptr("a.png")), EmailVerified: store.Some(true)})
	is.NoErr(err)
	is.Equal(*upd.Image, "a.png")
	is.True(upd.EmailVerified)
	upd, err = s.Users().Update(ctx, u.ID, store.UserPatch{Image: store.Some[*string](nil)})
	is.NoErr(err)
	is.Equal(upd.Image, nil) // a nil pointer clears the column
	_, err = s.Users().Update(ctx, "missing", store.UserPatch{})
	is.True(errors.Is(err, store.ErrNotFound))
	_, err = s.Users().Update(ctx, u.ID, store.UserPatch{Role: store.Some(store.Role("root"))})
	is.True(store.IsConstraint(err, store.Check, "check_user_role"))

	a := &store.Account{AccountID: u.ID, ProviderID: store.ProviderCredential, UserID: u.ID, PasswordHash: "h1"}
	is.NoErr(s.Accounts().Create(ctx, a))
	is.NoErr(s.Accounts().SetPassword(ctx, u.ID, store.ProviderCredential, "h2"))
	got, err := s.Accounts().GetByUser(ctx, u.ID, store.ProviderCredential)
	is.NoErr(err)
	is.Equal(got.PasswordHash, "h2")
	is.True(errors.Is(s.Accounts().SetPassword(ctx, u.ID, "github", "x"), store.ErrNotFound))

	now := time.Now()
	s1 := &store.Session{TokenHash: "t1", UserID: u.ID, ExpiresAt: now.Add(time.Hour), IPAddress: ptr("127.0.0.1")}
	s2 := &store.Session{TokenHash: "t2", UserID: u.ID, ExpiresAt: now.Add(2 * time.Hour)}
	s3 := &store.Session{TokenHash: "t3", UserID: u.ID, ExpiresAt: now.Add(-time.Hour)}
	for _, v := range []*store.Session{s1, s2, s3} {
		is.NoErr(s.Sessions().Create(ctx, v))
	}
	err = s.Sessions().Create(ctx, &store.Session{TokenHash: "t1", UserID: u.ID, ExpiresAt: now})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintSessionToken))

	gs, gu, err := s.Sessions().GetWithUser(ctx, "t1")
	is.NoErr(err)
	is.Equal(gs.ID, s1.ID)
	is.Equal(gu.Email, "ada@example.com")
	_, _, err = s.Sessions().GetWithUser(ctx, "nope")
	is.True(errors.Is(err, store.ErrNotFound))

	live, err := s.Sessions().ListByUser(ctx, u.ID, now)
	is.NoErr(err)
	is.Equal(len(live), 2)
	is.Equal(live[0].ID, s2.ID) // newest first

	is.NoErr(s.Sessions().Extend(ctx, s1.ID, now.Add(3*time.Hour)))
	is.True(errors.Is(s.Sessions().Extend(ctx, "missing", now), store.ErrNotFound))

	n, err := s.Sessions().DeleteExpired(ctx, now)
	is.NoErr(err)
	is.Equal(n, 1)
	gone, err := s.Sessions().DeleteByUser(ctx, u.ID, s1.ID)
	is.NoErr(err)
	is.Equal(len(gone), 1)
	is.Equal(gone[0].ID, s2.ID)
	del, err := s.Sessions().Delete(ctx, s1.ID)
	is.NoErr(err)
	is.Equal(del.TokenHash, "t1")
	_, err = s.Sessions().Delete(ctx, s1.ID)
	is.True(errors.Is(err, store.ErrNotFound))

	v := &store.Verification{Identifier: "reset:abc", Value: u.ID, ExpiresAt: now.Add(time.Hour)}
	is.NoErr(s.Verifications().Create(ctx, v))
	is.NoErr(s.Verifications().Create(ctx, &store.Verification{Identifier: "reset:def", Value: u.ID, ExpiresAt: now}))
	is.NoErr(s.Verifications().Create(ctx, &store.Verification{Identifier: "verify:ghi", Value: u.ID, ExpiresAt: now}))
	_, err = s.Verifications().Get(ctx, "reset:abc")
	is.NoErr(err)
	c, err := s.Verifications().Consume(ctx, "reset:abc")
	is.NoErr(err)
	is.Equal(c.ID, v.ID)
	_, err = s.Verifications().Consume(ctx, "reset:abc")
	is.True(errors.Is(err, store.ErrNotFound)) // single use
	n, err = s.Verifications().DeleteByValue(ctx, "reset:", u.ID)
	is.NoErr(err)
	is.Equal(n, 1)
	n, err = s.Verifications().DeleteByValue(ctx, "%", u.ID)
	is.NoErr(err)
	is.Equal(n, 0) // the prefix is literal
}

func TestOrganizationRepos(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()

	u := &store.User{Name: "Ada", Email: "ada@example.com", Role: store.RoleCreator}
	is.NoErr(s.Users().Create(ctx, u))
	a := &store.Organization{Name: "100% Real", Slug: "real", Description: ptr("under_score")}
	b := &store.Organization{Name: "Beta", Slug: "beta"}
	c := &store.Organization{Name: "alpha", Slug: "alpha"}
	for _, o := range []*store.Organization{a, b, c} {
		is.NoErr(s.Organizations().Create(ctx, o))
	}

	l, err := s.Organizations().List(ctx, store.OrganizationFilter{Search: "0%"}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Total, 1)
	is.Equal(l.Items[0].ID, a.ID)
	l, err = s.Organizations().List(ctx, store.OrganizationFilter{Search: "R_"}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Total, 1) // "_" only matches itself (in "under_score")
	l, err = s.Organizations().List(ctx, store.OrganizationFilter{SortBy: "name", Order: store.Asc}, store.Page{Limit: 2})
	is.NoErr(err)
	is.Equal(l.Total, 3)
	is.Equal(len(l.Items), 2)
	is.Equal(l.Items[0].Name, "100% Real")
	is.Equal(l.Items[1].Name, "Beta") // bytewise, as the memory store sorts
	l, err = s.Organizations().List(ctx, store.OrganizationFilter{SortBy: "nonsense"}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Items[0].ID, c.ID) // createdAt desc

	is.NoErr(s.Memberships().Create(ctx, &store.Membership{OrganizationID: a.ID, UserID: u.ID, Role: store.MemberOwner, Status: store.MembershipActive}))
	is.NoErr(s.Memberships().Create(ctx, &store.Membership{OrganizationID: b.ID, UserID: u.ID, Role: store.MemberMember, Status: store.MembershipInvited}))
	err = s.Memberships().Create(ctx, &store.Membership{OrganizationID: a.ID, UserID: u.ID, Role: store.MemberOwner, Status: store.MembershipActive})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintMembership))
	l, err = s.Organizations().List(ctx, store.OrganizationFilter{MemberID: u.ID}, store.Page{})
	is.NoErr(err)
	is.Equal(l.Total, 1) // only the active membership counts
	n, err := s.Memberships().Count(ctx, a.ID, store.MemberOwner, store.MembershipActive)
	is.NoErr(err)
	is.Equal(n, 1)
	m, err := s.Memberships().Update(ctx, b.ID, u.ID, store.MembershipPatch{Status: store.Some(store.MembershipActive)})
	is.NoErr(err)
	is.Equal(m.Status, store.MembershipActive)

	is.NoErr(s.Organizations().SoftDelete(ctx, b.ID))
	is.True(errors.Is(s.Organizations().SoftDelete(ctx, b.ID), store.ErrNotFound))
	_, err = s.Organizations().Update(ctx, b.ID, store.OrganizationPatch{})
	is.True(errors.Is(err, store.ErrNotFound))
	taken, err := s.Organizations().SlugTaken(ctx, "beta")
	is.NoErr(err)
	is.True(taken)
	ms, err := s.Memberships().ListByUser(ctx, u.ID)
	is.NoErr(err)
	is.Equal(len(ms), 1) // the deleted organization's membership is hidden
	ms, err = s.Memberships().ListByOrg(ctx, b.ID)
	is.NoErr(err)
	is.Equal(len(ms), 1)
	is.NoErr(s.Memberships().Delete(ctx, b.ID, u.ID))
	is.True(errors.Is(s.Memberships().Delete(ctx, b.ID, u.ID), store.ErrNotFound))

	set, err := s.OrgSettings().Get(ctx, a.ID)
	is.NoErr(err)
	is.Equal(*set, store.DefaultOrgSettings())
	br, err := s.OrgSettings().UpdateBranding(ctx, a.ID, store.BrandingPatch{PrimaryColorHex: store.Some("#000000")})
	is.NoErr(err)
	is.Equal(br.PrimaryColorHex, "#000000")
	br, err = s.OrgSettings().UpdateBranding(ctx, a.ID, store.BrandingPatch{LogoURL: store.Some(ptr("https://x/logo.png"))})
	is.NoErr(err)
	is.Equal(br.PrimaryColorHex, "#000000") // unset fields keep their value
	is.Equal(*br.LogoURL, "https://x/logo.png")
	ct, err := s.OrgSettings().UpdateContact(ctx, a.ID, store.ContactPatch{Timezone: store.Some("Europe/Paris")})
	is.NoErr(err)
	is.Equal(ct.PlatformName, store.DefaultPlatformName)
	is.Equal(ct.Timezone, "Europe/Paris")
	f, err := s.OrgSettings().UpdateFeatures(ctx, a.ID, store.FeaturesPatch{EnableSignups: store.Some(false)})
	is.NoErr(err)
	is.Equal(*f, store.Features{EnableSignups: false, EnablePurchases: true})
	set, err = s.OrgSettings().Get(ctx, a.ID)
	is.NoErr(err)
	is.Equal(set.Contact.Timezone, "Europe/Paris")
	is.Equal(set.Features.EnableSignups, false)
	_, err = s.OrgSettings().UpdateFeatures(ctx, uuid.New(), store.FeaturesPatch{})
	is.True(store.IsConstraint(err, store.ForeignKey, ""))
}

func TestContentRepos(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	u, o, written := fixture(t, s)

	m := &store.MediaItem{CreatorID: u.ID, Title: "Clip", MediaType: store.MediaVideo, Status: store.MediaUploading, R2Key: "k"}
	is.NoErr(s.Media().Create(ctx, m))
	is.Equal(m.ReadyVariants, nil)

	_, err := s.Media().Update(ctx, m.ID, store.MediaPatch{IfStatus: []store.MediaStatus{store.MediaTranscoding}, Status: store.Some(store.MediaFailed)})
	is.True(errors.Is(err, store.ErrPrecondition))
	_, err = s.Media().Update(ctx, uuid.New(), store.MediaPatch{IfStatus: []store.MediaStatus{store.MediaUploading}})
	is.True(errors.Is(err, store.ErrNotFound))
	got, err := s.Media().Update(ctx, m.ID, store.MediaPatch{
		IfStatus:             []store.MediaStatus{store.MediaUploading, store.MediaUploaded},
		Status:               store.Some(store.MediaReady),
		HLSMasterPlaylistKey: store.Some(ptr("m.m3u8")),
		ThumbnailKey:         store.Some(ptr("t.jpg")),
		DurationSeconds:      store.Some(ptr(10)),
		ReadyVariants:        store.Some([]string{"720p", "360p"}),
		RunpodJobID:          store.Some(ptr("job-1")),
	})
	is.NoErr(err)
	is.Equal(got.Status, store.MediaReady)
	is.Equal(got.ReadyVariants, []string{"720p", "360p"})
	byJob, err := s.Media().GetByJobID(ctx, "job-1")
	is.NoErr(err)
	is.Equal(byJob.ID, m.ID)
	ready, err := s.Media().ListByStatus(ctx, store.MediaReady)
	is.NoErr(err)
	is.Equal(len(ready), 1)
	ml, err := s.Media().List(ctx, store.MediaFilter{CreatorID: u.ID, SortBy: "uploadedAt"}, store.Page{})
	is.NoErr(err)
	is.Equal(ml.Total, 1)

	video := &store.Content{CreatorID: u.ID, MediaItemID: &m.ID, Title: "Film", Slug: "film",
		ContentType: store.ContentVideo, Visibility: store.VisibilityPurchasedOnly, Status: store.ContentDraft, PriceCents: ptr(500)}
	is.NoErr(s.Content().Create(ctx, video))
	is.True(video.Tags != nil) // nil tags read back as an empty list
	is.Equal(len(video.Tags), 0)
	err = s.Content().Create(ctx, &store.Content{CreatorID: u.ID, Title: "Film 2", Slug: "film",
		ContentType: store.ContentWritten, Visibility: store.VisibilityPublic, Status: store.ContentDraft})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintContentSlugPersonal))

	personal, err := s.Content().List(ctx, store.ContentFilter{OrganizationID: store.Some[*uuid.UUID](nil)}, store.Page{})
	is.NoErr(err)
	is.Equal(personal.Total, 1)
	is.Equal(personal.Items[0].ID, video.ID)
	inOrg, err := s.Content().List(ctx, store.ContentFilter{OrganizationID: store.Some(&o.ID), Search: "ESS"}, store.Page{})
	is.NoErr(err)
	is.Equal(inOrg.Total, 1)
	is.Equal(inOrg.Items[0].ID, written.ID)
	byPublished, err := s.Content().List(ctx, store.ContentFilter{SortBy: "publishedAt", Order: store.Asc}, store.Page{})
	is.NoErr(err)
	is.Equal(byPublished.Items[1].ID, video.ID) // NULL published_at last, ascending too

	pub, err := s.Content().Update(ctx, video.ID, store.ContentPatch{
		IfStatus: []store.ContentStatus{store.ContentDraft}, Status: store.Some(store.ContentPublished),
		Tags: store.Some([]string{"a", "b"}),
	})
	is.NoErr(err)
	is.Equal(pub.Tags, []string{"a", "b"})
	_, err = s.Content().Update(ctx, video.ID, store.ContentPatch{IfStatus: []store.ContentStatus{store.ContentDraft}})
	is.True(errors.Is(err, store.ErrPrecondition))

	is.NoErr(s.Media().SoftDelete(ctx, m.ID))
	_, err = s.Media().Get(ctx, m.ID)
	is.True(errors.Is(err, store.ErrNotFound))
	deleted, err := s.Media().GetIncludingDeleted(ctx, m.ID)
	is.NoErr(err)
	is.True(deleted.DeletedAt != nil)
	_, err = s.Media().Update(ctx, m.ID, store.MediaPatch{})
	is.True(errors.Is(err, store.ErrNotFound))

	is.NoErr(s.Content().SoftDelete(ctx, video.ID))
	is.True(errors.Is(s.Content().SoftDelete(ctx, video.ID), store.ErrNotFound))
}

func TestAccessPlaybackPurchases(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	u, o, c := fixture(t, s)

	first := &store.ContentAccess{UserID: u.ID, ContentID: c.ID, OrganizationID: o.ID, AccessType: store.AccessComplimentary,
		GrantedBy: &u.ID, Reason: ptr("press")}
	is.NoErr(s.Access().Upsert(ctx, first))
	second := &store.ContentAccess{UserID: u.ID, ContentID: c.ID, OrganizationID: o.ID, AccessType: store.AccessPurchased}
	is.NoErr(s.Access().Upsert(ctx, second))
	is.Equal(second.ID, first.ID) // the grant is replaced in place
	is.Equal(second.CreatedAt, first.CreatedAt)
	is.Equal(second.AccessType, store.AccessPurchased)
	is.Equal(second.GrantedBy, nil)
	list, err := s.Access().ListByUser(ctx, u.ID)
	is.NoErr(err)
	is.Equal(len(list), 1)
	is.NoErr(s.Access().Delete(ctx, u.ID, c.ID))
	is.True(errors.Is(s.Access().Delete(ctx, u.ID, c.ID), store.ErrNotFound))

	p, err := s.Playback().Save(ctx, &store.Playback{UserID: u.ID, ContentID: c.ID, PositionSeconds: 50, DurationSeconds: 100, Completed: true})
	is.NoErr(err)
	p2, err := s.Playback().Save(ctx, &store.Playback{UserID: u.ID, ContentID: c.ID, PositionSeconds: 10, DurationSeconds: 120})
	is.NoErr(err)
	is.Equal(p2.ID, p.ID)
	is.Equal(p2.PositionSeconds, 50) // never goes backwards
	is.Equal(p2.DurationSeconds, 120)
	is.True(p2.Completed) // sticky

	t0 := time.Now().Add(-time.Hour)
	mk := func(intent string, at *time.Time, status store.PurchaseStatus) *store.Purchase {
		p := &store.Purchase{CustomerID: u.ID, ContentID: c.ID, OrganizationID: o.ID, AmountPaidCents: 2999,
			Currency: "usd", PlatformFeeCents: 300, CreatorPayoutCents: 2699, StripePaymentIntentID: intent,
			Status: status, PurchasedAt: at}
		is.NoErr(s.Purchases().Create(ctx, p))
		return p
	}
	old := mk("pi_old", &t0, store.PurchaseCompleted)
	pending := mk("pi_pending", nil, store.PurchasePending)
	t1 := t0.Add(time.Minute)
	newer := mk("pi_new", &t1, store.PurchaseCompleted)
	err = s.Purchases().Create(ctx, &store.Purchase{CustomerID: u.ID, ContentID: c.ID, OrganizationID: o.ID,
		StripePaymentIntentID: "pi_old", Status: store.PurchaseCompleted, Currency: "usd"})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintPurchasePaymentIntent))
	pl, err := s.Purchases().List(ctx, store.PurchaseFilter{CustomerID: u.ID}, store.Page{})
	is.NoErr(err)
	is.Equal(pl.Total, 3)
	is.Equal([]uuid.UUID{pl.Items[0].ID, pl.Items[1].ID, pl.Items[2].ID}, []uuid.UUID{newer.ID, old.ID, pending.ID})
	done, err := s.Purchases().HasCompleted(ctx, u.ID, c.ID)
	is.NoErr(err)
	is.True(done)
	ref, err := s.Purchases().Update(ctx, old.ID, store.PurchasePatch{Status: store.Some(store.PurchaseRefunded), RefundAmountCents: store.Some(ptr(2999))})
	is.NoErr(err)
	is.Equal(ref.Status, store.PurchaseRefunded)
	byIntent, err := s.Purchases().GetByPaymentIntent(ctx, "pi_new")
	is.NoErr(err)
	is.Equal(byIntent.ID, newer.ID)

	now := time.Now()
	is.NoErr(s.Fees().CreatePlatformFee(ctx, &store.PlatformFee{FeeBps: 500, EffectiveFrom: now.Add(-time.Minute), EffectiveUntil: ptr(now.Add(time.Hour))}))
	fee, err := s.Fees().CurrentPlatformFee(ctx, now)
	is.NoErr(err)
	is.Equal(fee.FeeBps, 500)
	fee, err = s.Fees().CurrentPlatformFee(ctx, now.Add(2*time.Hour))
	is.NoErr(err)
	is.Equal(fee.FeeBps, store.DefaultPlatformFeeBps) // back to the seeded default
	_, err = s.Fees().CurrentOrgPlatformAgreement(ctx, o.ID, now)
	is.True(errors.Is(err, store.ErrNotFound))
	is.NoErr(s.Fees().CreateOrgPlatformAgreement(ctx, &store.OrgPlatformAgreement{OrganizationID: o.ID, FeeBps: 800, EffectiveFrom: now.Add(-time.Minute)}))
	oa, err := s.Fees().CurrentOrgPlatformAgreement(ctx, o.ID, now)
	is.NoErr(err)
	is.Equal(oa.FeeBps, 800)
	is.NoErr(s.Fees().CreateCreatorOrgAgreement(ctx, &store.CreatorOrgAgreement{CreatorID: u.ID, OrganizationID: o.ID, FeeBps: 2000, EffectiveFrom: now.Add(-time.Minute)}))
	ca, err := s.Fees().CurrentCreatorOrgAgreement(ctx, u.ID, o.ID, now)
	is.NoErr(err)
	is.Equal(ca.FeeBps, 2000)
	_, err = s.Fees().CurrentCreatorOrgAgreement(ctx, u.ID, o.ID, now.Add(-time.Hour))
	is.True(errors.Is(err, store.ErrNotFound))
}

func TestNotifyRepos(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	u, o, _ := fixture(t, s)

	g := &store.EmailTemplate{Name: "welcome", Scope: store.ScopeGlobal, Subject: "Hi", HTMLBody: "<p>hi</p>", TextBody: "hi", Status: store.TemplateActive}
	og := &store.EmailTemplate{Name: "welcome", Scope: store.ScopeOrganization, OrganizationID: &o.ID, Subject: "Hi", HTMLBody: "x", TextBody: "x", Status: store.TemplateDraft}
	cr := &store.EmailTemplate{Name: "welcome", Scope: store.ScopeCreator, CreatorID: &u.ID, Subject: "Hi", HTMLBody: "x", TextBody: "x", Status: store.TemplateDraft}
	for _, tpl := range []*store.EmailTemplate{g, og, cr} {
		is.NoErr(s.Templates().Create(ctx, tpl))
	}
	err := s.Templates().Create(ctx, &store.EmailTemplate{Name: "welcome", Scope: store.ScopeGlobal, Subject: "x", HTMLBody: "x", TextBody: "x", Status: store.TemplateDraft})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintTemplateGlobal))
	err = s.Templates().Create(ctx, &store.EmailTemplate{Name: "x", Scope: store.ScopeGlobal, OrganizationID: &o.ID, Subject: "x", HTMLBody: "x", TextBody: "x", Status: store.TemplateDraft})
	is.True(store.IsConstraint(err, store.Check, "global_scope_no_owners"))

	cands, err := s.Templates().Candidates(ctx, "welcome", nil, "")
	is.NoErr(err)
	is.Equal(len(cands), 1)
	cands, err = s.Templates().Candidates(ctx, "welcome", &o.ID, u.ID)
	is.NoErr(err)
	is.Equal(len(cands), 3)

	upd, err := s.Templates().Update(ctx, og.ID, store.TemplatePatch{Status: store.Some(store.TemplateArchived), Description: store.Some(ptr("d"))})
	is.NoErr(err)
	is.Equal(upd.Status, store.TemplateArchived)
	tl, err := s.Templates().List(ctx, store.TemplateFilter{Scope: store.ScopeOrganization, OrganizationID: &o.ID, Status: store.TemplateArchived}, store.Page{})
	is.NoErr(err)
	is.Equal(tl.Total, 1)
	is.NoErr(s.Templates().SoftDelete(ctx, g.ID))
	is.NoErr(s.Templates().Create(ctx, &store.EmailTemplate{Name: "welcome", Scope: store.ScopeGlobal, Subject: "x", HTMLBody: "x", TextBody: "x", Status: store.TemplateDraft}))

	now := time.Now()
	e1 := &store.EmailLog{TemplateName: "welcome", RecipientEmail: "a@example.com", Status: store.EmailPending}
	e2 := &store.EmailLog{TemplateName: "welcome", RecipientEmail: "b@example.com", Status: store.EmailPending, NextAttemptAt: ptr(now.Add(time.Hour))}
	e3 := &store.EmailLog{TemplateName: "welcome", RecipientEmail: "c@example.com", Status: store.EmailSuccess}
	for _, e := range []*store.EmailLog{e1, e2, e3} {
		is.NoErr(s.EmailLog().Create(ctx, e))
	}
	due, err := s.EmailLog().Due(ctx, now, 10)
	is.NoErr(err)
	is.Equal(len(due), 1)
	is.Equal(due[0].ID, e1.ID)
	up, err := s.EmailLog().Update(ctx, e1.ID, store.EmailLogPatch{Status: store.Some(store.EmailFailed), Error: store.Some(ptr("smtp down")), Attempts: store.Some(3)})
	is.NoErr(err)
	is.Equal(up.Attempts, 3)
	is.Equal(up.Status, store.EmailFailed)
	el, err := s.EmailLog().List(ctx, store.EmailLogFilter{TemplateName: "welcome"}, store.Page{Limit: 2, Page: 2})
	is.NoErr(err)
	is.Equal(el.Total, 3)
	is.Equal(len(el.Items), 1)
	is.Equal(el.Items[0].ID, e1.ID) // newest first: e1 is the oldest
}
