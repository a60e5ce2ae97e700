package storetest

import (
	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

func orgIDs(l store.List[store.Organization]) []string {
	return ids(l.Items, func(o store.Organization) string { return o.ID.String() })
}

var orgCases = []testCase{
	{"CreateGet", func(f *fx) {
		o := &store.Organization{Name: "Acme", Slug: "acme", Description: ptr("Rockets"), WebsiteURL: ptr("https://acme.example")}
		f.is.NoErr(f.s.Organizations().Create(f.ctx, o))
		f.is.True(o.ID != uuid.Nil)
		f.stamped(o.CreatedAt, o.UpdatedAt)
		f.is.Equal(o.DeletedAt, nil)

		got, err := f.s.Organizations().Get(f.ctx, o.ID)
		f.is.NoErr(err)
		f.is.Equal(got, o)
		got, err = f.s.Organizations().GetBySlug(f.ctx, "acme")
		f.is.NoErr(err)
		f.is.Equal(got.ID, o.ID)

		taken, err := f.s.Organizations().SlugTaken(f.ctx, "acme")
		f.is.NoErr(err)
		f.is.True(taken)
		taken, err = f.s.Organizations().SlugTaken(f.ctx, "other")
		f.is.NoErr(err)
		f.is.True(!taken)

		_, err = f.s.Organizations().Get(f.ctx, uuid.New())
		f.notFound(err)
		_, err = f.s.Organizations().GetBySlug(f.ctx, "other")
		f.notFound(err)
	}},
	{"UniqueSlug", func(f *fx) {
		f.org(func(o *store.Organization) { o.Slug = "taken" })
		err := f.s.Organizations().Create(f.ctx, &store.Organization{Name: "B", Slug: "taken"})
		f.violates(err, store.Unique, store.ConstraintOrgSlug)
		b := f.org()
		_, err = f.s.Organizations().Update(f.ctx, b.ID, store.OrganizationPatch{Slug: store.Some("taken")})
		f.violates(err, store.Unique, store.ConstraintOrgSlug)
	}},
	{"Update", func(f *fx) {
		o := f.org(func(o *store.Organization) { o.Description = ptr("desc"); o.LogoURL = ptr("https://l.example/a.png") })
		tick()
		got, err := f.s.Organizations().Update(f.ctx, o.ID, store.OrganizationPatch{
			Name: store.Some("New name"), Slug: store.Some("new-slug"), LogoURL: store.Some[*string](nil),
		})
		f.is.NoErr(err)
		f.is.Equal(got.Name, "New name")
		f.is.Equal(got.Slug, "new-slug")
		f.is.Equal(*got.Description, "desc")
		f.is.Equal(got.LogoURL, nil)
		f.later(got.UpdatedAt, o.UpdatedAt)

		_, err = f.s.Organizations().GetBySlug(f.ctx, o.Slug)
		f.notFound(err)
		again, err := f.s.Organizations().GetBySlug(f.ctx, "new-slug")
		f.is.NoErr(err)
		f.is.Equal(again, got)
		// the old slug is free again: only rows hold slugs
		f.org(func(n *store.Organization) { n.Slug = o.Slug })

		same, err := f.s.Organizations().Update(f.ctx, o.ID, store.OrganizationPatch{Slug: store.Some("new-slug")})
		f.is.NoErr(err) // keeping one's own slug is no conflict
		f.is.Equal(same.Slug, "new-slug")

		tick()
		empty, err := f.s.Organizations().Update(f.ctx, o.ID, store.OrganizationPatch{})
		f.is.NoErr(err)
		f.later(empty.UpdatedAt, same.UpdatedAt)

		_, err = f.s.Organizations().Update(f.ctx, uuid.New(), store.OrganizationPatch{Name: store.Some("x")})
		f.notFound(err)
	}},
	{"SoftDelete", func(f *fx) {
		o := f.org(func(o *store.Organization) { o.Slug = "gone" })
		f.is.NoErr(f.s.Organizations().SoftDelete(f.ctx, o.ID))

		_, err := f.s.Organizations().Get(f.ctx, o.ID)
		f.notFound(err)
		_, err = f.s.Organizations().GetBySlug(f.ctx, "gone")
		f.notFound(err)
		_, err = f.s.Organizations().Update(f.ctx, o.ID, store.OrganizationPatch{Name: store.Some("x")})
		f.notFound(err)
		f.notFound(f.s.Organizations().SoftDelete(f.ctx, o.ID))
		f.notFound(f.s.Organizations().SoftDelete(f.ctx, uuid.New()))

		taken, err := f.s.Organizations().SlugTaken(f.ctx, "gone")
		f.is.NoErr(err)
		f.is.True(taken) // deleted orgs keep their slug
		err = f.s.Organizations().Create(f.ctx, &store.Organization{Name: "again", Slug: "gone"})
		f.violates(err, store.Unique, store.ConstraintOrgSlug)

		l, err := f.s.Organizations().List(f.ctx, store.OrganizationFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		f.is.Equal(len(l.Items), 0)
	}},
	{"ListSortAndPage", func(f *fx) {
		var created []*store.Organization
		for _, name := range []string{"delta", "alpha", "charlie", "bravo", "echo"} {
			created = append(created, f.org(func(o *store.Organization) { o.Name = name }))
			tick()
		}
		l, err := f.s.Organizations().List(f.ctx, store.OrganizationFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 5)
		f.is.Equal(orgIDs(l), uuidStrings(created[4].ID, created[3].ID, created[2].ID, created[1].ID, created[0].ID)) // newest first

		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{SortBy: "name", Order: store.Asc}, store.Page{Page: 2, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 5)
		f.is.Equal(orgIDs(l), uuidStrings(created[2].ID, created[0].ID)) // charlie, delta

		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{SortBy: "name", Order: store.Desc}, store.Page{Page: 3, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(orgIDs(l), uuidStrings(created[1].ID)) // alpha last

		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{SortBy: "no_such_column; drop table", Order: store.Asc}, store.Page{Limit: 1})
		f.is.NoErr(err)
		f.is.Equal(orgIDs(l), uuidStrings(created[0].ID)) // unknown sort = createdAt

		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{}, store.Page{Page: 9, Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 5)
		f.is.Equal(len(l.Items), 0)
	}},
	{"ListTiesByID", func(f *fx) {
		var want []string
		for range 4 {
			want = append(want, f.org(func(o *store.Organization) { o.Name = "same" }).ID.String())
		}
		l, err := f.s.Organizations().List(f.ctx, store.OrganizationFilter{SortBy: "name"}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(orgIDs(l), sorted(want))
	}},
	{"ListSearch", func(f *fx) {
		a := f.org(func(o *store.Organization) { o.Name = "Jazz Club" })
		b := f.org(func(o *store.Organization) { o.Name = "Plain"; o.Description = ptr("all that JAZZ") })
		f.org(func(o *store.Organization) { o.Name = "Rock" })
		c := f.org(func(o *store.Organization) { o.Name = "100% pure" })
		f.org(func(o *store.Organization) { o.Name = "1000 pure" })

		l, err := f.s.Organizations().List(f.ctx, store.OrganizationFilter{Search: "jazz"}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 2)
		f.is.Equal(sorted(orgIDs(l)), sorted(uuidStrings(a.ID, b.ID)))

		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{Search: "0% p"}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(orgIDs(l), uuidStrings(c.ID)) // % is literal
		l, err = f.s.Organizations().List(f.ctx, store.OrganizationFilter{Search: "_"}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0) // _ is literal
	}},
	{"ListMember", func(f *fx) {
		u := f.user()
		active, invited, deleted := f.org(), f.org(), f.org()
		f.org()
		f.member(active.ID, u.ID, store.MemberCreator, store.MembershipActive)
		f.member(invited.ID, u.ID, store.MemberMember, store.MembershipInvited)
		f.member(deleted.ID, u.ID, store.MemberOwner, store.MembershipActive)
		f.is.NoErr(f.s.Organizations().SoftDelete(f.ctx, deleted.ID))

		l, err := f.s.Organizations().List(f.ctx, store.OrganizationFilter{MemberID: u.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 1)
		f.is.Equal(orgIDs(l), uuidStrings(active.ID))
	}},
}

var membershipCases = []testCase{
	{"CreateGet", func(f *fx) {
		w := f.world()
		m := &store.Membership{OrganizationID: w.org.ID, UserID: w.customer.ID, Role: store.MemberMember, Status: store.MembershipInvited, InvitedBy: &w.creator.ID}
		f.is.NoErr(f.s.Memberships().Create(f.ctx, m))
		f.is.True(m.ID != uuid.Nil)
		f.stamped(m.CreatedAt, m.UpdatedAt)
		got, err := f.s.Memberships().Get(f.ctx, w.org.ID, w.customer.ID)
		f.is.NoErr(err)
		f.is.Equal(got, m)
		_, err = f.s.Memberships().Get(f.ctx, w.org.ID, w.creator.ID)
		f.notFound(err)
	}},
	{"Constraints", func(f *fx) {
		w := f.world()
		f.member(w.org.ID, w.customer.ID, store.MemberMember, store.MembershipActive)
		err := f.s.Memberships().Create(f.ctx, &store.Membership{OrganizationID: w.org.ID, UserID: w.customer.ID, Role: store.MemberAdmin, Status: store.MembershipActive})
		f.violates(err, store.Unique, store.ConstraintMembership)

		err = f.s.Memberships().Create(f.ctx, &store.Membership{OrganizationID: uuid.New(), UserID: w.customer.ID, Role: store.MemberMember, Status: store.MembershipActive})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Memberships().Create(f.ctx, &store.Membership{OrganizationID: w.org.ID, UserID: "missing", Role: store.MemberMember, Status: store.MembershipActive})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Memberships().Create(f.ctx, &store.Membership{OrganizationID: w.org.ID, UserID: w.creator.ID, Role: "king", Status: store.MembershipActive})
		f.violates(err, store.Check, "")
		err = f.s.Memberships().Create(f.ctx, &store.Membership{OrganizationID: w.org.ID, UserID: w.creator.ID, Role: store.MemberMember, Status: "banned"})
		f.violates(err, store.Check, "")

		// a soft-deleted organization still exists for the foreign key
		gone := f.org()
		f.is.NoErr(f.s.Organizations().SoftDelete(f.ctx, gone.ID))
		f.member(gone.ID, w.customer.ID, store.MemberMember, store.MembershipActive)
	}},
	{"Lists", func(f *fx) {
		u, v := f.user(), f.user()
		o1, o2, o3 := f.org(), f.org(), f.org()
		m1 := f.member(o1.ID, u.ID, store.MemberOwner, store.MembershipActive)
		tick()
		m2 := f.member(o2.ID, u.ID, store.MemberMember, store.MembershipInactive)
		tick()
		f.member(o3.ID, u.ID, store.MemberMember, store.MembershipActive)
		tick()
		m4 := f.member(o1.ID, v.ID, store.MemberAdmin, store.MembershipActive)
		f.is.NoErr(f.s.Organizations().SoftDelete(f.ctx, o3.ID))

		mid := func(m store.Membership) string { return m.ID.String() }
		got, err := f.s.Memberships().ListByUser(f.ctx, u.ID)
		f.is.NoErr(err)
		f.is.Equal(ids(got, mid), uuidStrings(m1.ID, m2.ID)) // any status, live orgs, oldest first

		got, err = f.s.Memberships().ListByOrg(f.ctx, o1.ID)
		f.is.NoErr(err)
		f.is.Equal(ids(got, mid), uuidStrings(m1.ID, m4.ID))
		got, err = f.s.Memberships().ListByOrg(f.ctx, uuid.New())
		f.is.NoErr(err)
		f.is.Equal(len(got), 0)
	}},
	{"UpdateDeleteCount", func(f *fx) {
		w := f.world()
		m := f.member(w.org.ID, w.customer.ID, store.MemberMember, store.MembershipInvited)
		f.member(w.org.ID, w.creator.ID, store.MemberOwner, store.MembershipActive)

		n, err := f.s.Memberships().Count(f.ctx, w.org.ID, store.MemberOwner, store.MembershipActive)
		f.is.NoErr(err)
		f.is.Equal(n, 1)

		tick()
		got, err := f.s.Memberships().Update(f.ctx, w.org.ID, w.customer.ID, store.MembershipPatch{Status: store.Some(store.MembershipActive)})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.MembershipActive)
		f.is.Equal(got.Role, store.MemberMember)
		f.later(got.UpdatedAt, m.UpdatedAt)
		got, err = f.s.Memberships().Update(f.ctx, w.org.ID, w.customer.ID, store.MembershipPatch{Role: store.Some(store.MemberOwner)})
		f.is.NoErr(err)
		f.is.Equal(got.Role, store.MemberOwner)
		_, err = f.s.Memberships().Update(f.ctx, w.org.ID, w.customer.ID, store.MembershipPatch{Role: store.Some(store.MembershipRole("king"))})
		f.violates(err, store.Check, "")

		n, err = f.s.Memberships().Count(f.ctx, w.org.ID, store.MemberOwner, store.MembershipActive)
		f.is.NoErr(err)
		f.is.Equal(n, 2)

		f.is.NoErr(f.s.Memberships().Delete(f.ctx, w.org.ID, w.customer.ID))
		_, err = f.s.Memberships().Get(f.ctx, w.org.ID, w.customer.ID)
		f.notFound(err)
		f.notFound(f.s.Memberships().Delete(f.ctx, w.org.ID, w.customer.ID))
		_, err = f.s.Memberships().Update(f.ctx, w.org.ID, w.customer.ID, store.MembershipPatch{})
		f.notFound(err)
		n, err = f.s.Memberships().Count(f.ctx, w.org.ID, store.MemberOwner, store.MembershipActive)
		f.is.NoErr(err)
		f.is.Equal(n, 1)
	}},
}

var settingsCases = []testCase{
	{"DefaultsAndLazyUpdates", func(f *fx) {
		o := f.org()
		got, err := f.s.OrgSettings().Get(f.ctx, o.ID)
		f.is.NoErr(err)
		f.is.Equal(*got, store.DefaultOrgSettings())

		b, err := f.s.OrgSettings().UpdateBranding(f.ctx, o.ID, store.BrandingPatch{LogoURL: store.Some(ptr("https://cdn.example/logo.png")), LogoPath: store.Some(ptr("logos/x/logo.png"))})
		f.is.NoErr(err)
		f.is.Equal(*b.LogoURL, "https://cdn.example/logo.png")
		f.is.Equal(b.PrimaryColorHex, store.DefaultPrimaryColor) // unset fields take the defaults

		b, err = f.s.OrgSettings().UpdateBranding(f.ctx, o.ID, store.BrandingPatch{PrimaryColorHex: store.Some("#FF0000"), LogoURL: store.Some[*string](nil)})
		f.is.NoErr(err)
		f.is.Equal(b.LogoURL, nil)
		f.is.Equal(*b.LogoPath, "logos/x/logo.png")
		f.is.Equal(b.PrimaryColorHex, "#FF0000")

		c, err := f.s.OrgSettings().UpdateContact(f.ctx, o.ID, store.ContactPatch{PlatformName: store.Some("Acme TV"), ContactURL: store.Some(ptr("https://acme.example/contact"))})
		f.is.NoErr(err)
		f.is.Equal(c.PlatformName, "Acme TV")
		f.is.Equal(c.SupportEmail, store.DefaultSupportEmail)
		f.is.Equal(c.Timezone, store.DefaultTimezone)
		c, err = f.s.OrgSettings().UpdateContact(f.ctx, o.ID, store.ContactPatch{SupportEmail: store.Some("help@acme.example"), Timezone: store.Some("Europe/Paris")})
		f.is.NoErr(err)
		f.is.Equal(c.PlatformName, "Acme TV")

		ft, err := f.s.OrgSettings().UpdateFeatures(f.ctx, o.ID, store.FeaturesPatch{EnableSignups: store.Some(false)})
		f.is.NoErr(err)
		f.is.Equal(*ft, store.Features{EnableSignups: false, EnablePurchases: true})

		got, err = f.s.OrgSettings().Get(f.ctx, o.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Branding, *b)
		f.is.Equal(got.Contact, store.Contact{PlatformName: "Acme TV", SupportEmail: "help@acme.example", ContactURL: ptr("https://acme.example/contact"), Timezone: "Europe/Paris"})
		f.is.Equal(got.Features, *ft)

		// settings belong to one organization only
		other, err := f.s.OrgSettings().Get(f.ctx, f.org().ID)
		f.is.NoErr(err)
		f.is.Equal(*other, store.DefaultOrgSettings())
	}},
	{"OrgMustExist", func(f *fx) {
		_, err := f.s.OrgSettings().UpdateFeatures(f.ctx, uuid.New(), store.FeaturesPatch{EnableSignups: store.Some(false)})
		f.violates(err, store.ForeignKey, "")
		_, err = f.s.OrgSettings().UpdateBranding(f.ctx, uuid.New(), store.BrandingPatch{})
		f.violates(err, store.ForeignKey, "")
		_, err = f.s.OrgSettings().UpdateContact(f.ctx, uuid.New(), store.ContactPatch{})
		f.violates(err, store.ForeignKey, "")
	}},
}
