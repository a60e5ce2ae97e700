package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

// ---- organizations ----

type orgRepo repos

const orgCols = "id, name, slug, description, logo_url, website_url, created_at, updated_at, deleted_at"

func scanOrg(s scanner) (*store.Organization, error) {
	var o store.Organization
	err := s.Scan(&o.ID, &o.Name, &o.Slug, &o.Description, &o.LogoURL, &o.WebsiteURL, &o.CreatedAt, &o.UpdatedAt, &o.DeletedAt)
	return &o, err
}

func (r orgRepo) Create(ctx context.Context, o *store.Organization) error {
	if o.ID == uuid.Nil {
		o.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create organization", scanOrg,
		`INSERT INTO organizations (id, name, slug, description, logo_url, website_url, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 RETURNING `+orgCols,
		o.ID, o.Name, o.Slug, o.Description, o.LogoURL, o.WebsiteURL)
	if err != nil {
		return err
	}
	*o = *got
	return nil
}

func (r orgRepo) Get(ctx context.Context, id uuid.UUID) (*store.Organization, error) {
	return queryOne(ctx, r.q, "get organization", scanOrg,
		"SELECT "+orgCols+" FROM organizations WHERE id = $1 AND deleted_at IS NULL", id)
}

func (r orgRepo) GetBySlug(ctx context.Context, slug string) (*store.Organization, error) {
	return queryOne(ctx, r.q, "get organization by slug", scanOrg,
		"SELECT "+orgCols+" FROM organizations WHERE slug = $1 AND deleted_at IS NULL", slug)
}

func (r orgRepo) SlugTaken(ctx context.Context, slug string) (bool, error) {
	var taken bool
	err := r.q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = $1)", slug).Scan(&taken)
	return taken, mapErr(err, "check organization slug")
}

func (r orgRepo) Update(ctx context.Context, id uuid.UUID, p store.OrganizationPatch) (*store.Organization, error) {
	var a args
	s := newSetter(&a)
	set(s, "name", p.Name)
	set(s, "slug", p.Slug)
	set(s, "description", p.Description)
	set(s, "logo_url", p.LogoURL)
	set(s, "website_url", p.WebsiteURL)
	return queryOne(ctx, r.q, "update organization", scanOrg,
		"UPDATE organizations SET "+s.sql()+" WHERE id = "+a.add(id)+" AND deleted_at IS NULL RETURNING "+orgCols, a...)
}

func (r orgRepo) SoftDelete(ctx context.Context, id uuid.UUID) error {
	return exec1(ctx, r.q, "delete organization",
		`UPDATE organizations SET deleted_at = clock_timestamp(), updated_at = clock_timestamp()
		 WHERE id = $1 AND deleted_at IS NULL`, id)
}

var orgSorts = map[string]string{"createdAt": "created_at", "name": `name COLLATE "C"`}

func (r orgRepo) List(ctx context.Context, f store.OrganizationFilter, page store.Page) (store.List[store.Organization], error) {
	var a args
	w := newWhere(&a, "o.deleted_at IS NULL")
	if f.Search != "" {
		w.and("(o.name ILIKE ? OR o.description ILIKE ?)", likePattern(f.Search), likePattern(f.Search))
	}
	if f.MemberID != "" {
		w.and(`EXISTS (SELECT 1 FROM organization_memberships m
		       WHERE m.organization_id = o.id AND m.user_id = ? AND m.status = 'active')`, f.MemberID)
	}
	return list(ctx, r.q, "list organizations", prefixed("o.", orgCols), "organizations o", w,
		orderBy("o.", orgSorts, f.SortBy, "createdAt", f.Order), page, scanOrg)
}

// ---- memberships ----

type membershipRepo repos

const membershipCols = "id, organization_id, user_id, role, status, invited_by, created_at, updated_at"

func scanMembership(s scanner) (*store.Membership, error) {
	var m store.Membership
	err := s.Scan(&m.ID, &m.OrganizationID, &m.UserID, &m.Role, &m.Status, &m.InvitedBy, &m.CreatedAt, &m.UpdatedAt)
	return &m, err
}

func (r membershipRepo) Create(ctx context.Context, m *store.Membership) error {
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	got, err := queryOne(ctx, r.q, "create membership", scanMembership,
		`INSERT INTO organization_memberships (id, organization_id, user_id, role, status, invited_by, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp())
		 RETURNING `+membershipCols,
		m.ID, m.OrganizationID, m.UserID, m.Role, m.Status, m.InvitedBy)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

func (r membershipRepo) Get(ctx context.Context, orgID uuid.UUID, userID string) (*store.Membership, error) {
	return queryOne(ctx, r.q, "get membership", scanMembership,
		"SELECT "+membershipCols+" FROM organization_memberships WHERE organization_id = $1 AND user_id = $2",
		orgID, userID)
}

func (r membershipRepo) ListByOrg(ctx context.Context, orgID uuid.UUID) ([]store.Membership, error) {
	return queryAll(ctx, r.q, "list memberships", scanMembership,
		"SELECT "+membershipCols+" FROM organization_memberships WHERE organization_id = $1 ORDER BY created_at ASC, id ASC",
		orgID)
}

func (r membershipRepo) ListByUser(ctx context.Context, userID string) ([]store.Membership, error) {
	return queryAll(ctx, r.q, "list user memberships", scanMembership,
		"SELECT "+prefixed("m.", membershipCols)+` FROM organization_memberships m
		 JOIN organizations o ON o.id = m.organization_id AND o.deleted_at IS NULL
		 WHERE m.user_id = $1 ORDER BY m.created_at ASC, m.id ASC`,
		userID)
}

func (r membershipRepo) Update(ctx context.Context, orgID uuid.UUID, userID string, p store.MembershipPatch) (*store.Membership, error) {
	var a args
	s := newSetter(&a)
	set(s, "role", p.Role)
	set(s, "status", p.Status)
	return queryOne(ctx, r.q, "update membership", scanMembership,
		"UPDATE organization_memberships SET "+s.sql()+
			" WHERE organization_id = "+a.add(orgID)+" AND user_id = "+a.add(userID)+" RETURNING "+membershipCols, a...)
}

func (r membershipRepo) Delete(ctx context.Context, orgID uuid.UUID, userID string) error {
	return exec1(ctx, r.q, "delete membership",
		"DELETE FROM organization_memberships WHERE organization_id = $1 AND user_id = $2", orgID, userID)
}

func (r membershipRepo) Count(ctx context.Context, orgID uuid.UUID, role store.MembershipRole, status store.MembershipStatus) (int, error) {
	var n int
	err := r.q.QueryRow(ctx,
		"SELECT count(*) FROM organization_memberships WHERE organization_id = $1 AND role = $2 AND status = $3",
		orgID, role, status).Scan(&n)
	return n, mapErr(err, "count memberships")
}

// ---- settings ----

type settingsRepo repos

func (r settingsRepo) Get(ctx context.Context, orgID uuid.UUID) (*store.OrgSettings, error) {
	d := store.DefaultOrgSettings()
	s := d
	// One round trip; absent spoke rows fall back to the defaults.
	err := r.q.QueryRow(ctx,
		`SELECT b.logo_url, b.logo_r2_path, coalesce(b.primary_color_hex, $2),
		        coalesce(c.platform_name, $3), coalesce(c.support_email, $4), c.contact_url, coalesce(c.timezone, $5),
		        coalesce(f.enable_signups, $6), coalesce(f.enable_purchases, $7)
		 FROM (SELECT $1::uuid AS id) k
		 LEFT JOIN branding_settings b ON b.organization_id = k.id
		 LEFT JOIN contact_settings c ON c.organization_id = k.id
		 LEFT JOIN feature_settings f ON f.organization_id = k.id`,
		orgID, d.Branding.PrimaryColorHex, d.Contact.PlatformName, d.Contact.SupportEmail, d.Contact.Timezone,
		d.Features.EnableSignups, d.Features.EnablePurchases,
	).Scan(&s.Branding.LogoURL, &s.Branding.LogoPath, &s.Branding.PrimaryColorHex,
		&s.Contact.PlatformName, &s.Contact.SupportEmail, &s.Contact.ContactURL, &s.Contact.Timezone,
		&s.Features.EnableSignups, &s.Features.EnablePurchases)
	if err != nil {
		return nil, mapErr(err, "get organization settings")
	}
	return &s, nil
}

// upsertSpoke creates the hub row if needed and inserts or updates one
// spoke in a single statement. Unset fields take the column defaults on
// insert and keep their value on update.
func upsertSpoke[T any](ctx context.Context, q querier, what, table string, orgID uuid.UUID, cols []string, vals []any, returning string, scan func(scanner) (*T, error)) (*T, error) {
	var a args
	org := a.add(orgID)
	insCols := "organization_id, created_at, updated_at"
	insVals := org + ", clock_timestamp(), clock_timestamp()"
	upd := "updated_at = clock_timestamp()"
	for i, c := range cols {
		ph := a.add(vals[i])
		insCols += ", " + c
		insVals += ", " + ph
		upd += ", " + c + " = EXCLUDED." + c
	}
	sql := `WITH hub AS (
	            INSERT INTO platform_settings (organization_id) VALUES (` + org + `)
	            ON CONFLICT (organization_id) DO NOTHING
	        )
	        INSERT INTO ` + table + ` (` + insCols + `) VALUES (` + insVals + `)
	        ON CONFLICT (organization_id) DO UPDATE SET ` + upd + `
	        RETURNING ` + returning
	return queryOne(ctx, q, what, scan, sql, a...)
}

type patchCols struct {
	cols []string
	vals []any
}

func addCol[T any](p *patchCols, name string, o store.Opt[T]) {
	if o.Set {
		p.cols = append(p.cols, name)
		p.vals = append(p.vals, o.Value)
	}
}

func scanBranding(s scanner) (*store.Branding, error) {
	var b store.Branding
	err := s.Scan(&b.LogoURL, &b.LogoPath, &b.PrimaryColorHex)
	return &b, err
}

func (r settingsRepo) UpdateBranding(ctx context.Context, orgID uuid.UUID, p store.BrandingPatch) (*store.Branding, error) {
	var c patchCols
	addCol(&c, "logo_url", p.LogoURL)
	addCol(&c, "logo_r2_path", p.LogoPath)
	addCol(&c, "primary_color_hex", p.PrimaryColorHex)
	return upsertSpoke(ctx, r.q, "update branding", "branding_settings", orgID, c.cols, c.vals,
		"logo_url, logo_r2_path, primary_color_hex", scanBranding)
}

func scanContact(s scanner) (*store.Contact, error) {
	var c store.Contact
	err := s.Scan(&c.PlatformName, &c.SupportEmail, &c.ContactURL, &c.Timezone)
	return &c, err
}

func (r settingsRepo) UpdateContact(ctx context.Context, orgID uuid.UUID, p store.ContactPatch) (*store.Contact, error) {
	var c patchCols
	addCol(&c, "platform_name", p.PlatformName)
	addCol(&c, "support_email", p.SupportEmail)
	addCol(&c, "contact_url", p.ContactURL)
	addCol(&c, "timezone", p.Timezone)
	return upsertSpoke(ctx, r.q, "update contact settings", "contact_settings", orgID, c.cols, c.vals,
		"platform_name, support_email, contact_url, timezone", scanContact)
}

func scanFeatures(s scanner) (*store.Features, error) {
	var f store.Features
	err := s.Scan(&f.EnableSignups, &f.EnablePurchases)
	return &f, err
}

func (r settingsRepo) UpdateFeatures(ctx context.Context, orgID uuid.UUID, p store.FeaturesPatch) (*store.Features, error) {
	var c patchCols
	addCol(&c, "enable_signups", p.EnableSignups)
	addCol(&c, "enable_purchases", p.EnablePurchases)
	return upsertSpoke(ctx, r.q, "update feature settings", "feature_settings", orgID, c.cols, c.vals,
		"enable_signups, enable_purchases", scanFeatures)
}
