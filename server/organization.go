package server

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/store"
)

// logoBodyHeadroom is what a multipart body may carry beyond the logo
// itself: boundaries, part headers, a stray form field. The service checks
// the file's own size exactly.
const logoBodyHeadroom = 64 << 10

// mountOrganization registers the organization-api surface:
// /api/organizations/* (organizations, memberships, settings). Handler adds
// its /health. Blob storage is deliberately not among its checks: only
// logos need it, and a failing logo store answers 503 on those routes
// rather than taking the whole surface out of a load balancer.
//
// httprouter cannot hold a static segment beside a parameter at the same
// position (check-slug/:slug beside :id), so the reference's GET routes
// share three parameter patterns and orgGET dispatches them to the route
// they stand for; each dispatched route keeps its own name in the logs and
// its own rate-limit bucket. Other methods have no such clash.
func mountOrganization(r *router) {
	h := orgHandlers{r.srv}
	api := RateLimit("api")

	r.handle(http.MethodPost, "/api/organizations", h.create, api)
	r.handle(http.MethodGet, "/api/organizations", h.list, api)
	r.handle(http.MethodGet, "/api/organizations/:id", h.getByID, api)
	r.handle(http.MethodGet, "/api/organizations/:id/:sub", h.get2)
	r.handle(http.MethodGet, "/api/organizations/:id/:sub/:leaf", h.get3)
	r.handle(http.MethodPatch, "/api/organizations/:id", h.update, api)
	// The reference declares its "auth" preset (5 per 15 min) on delete.
	r.handle(http.MethodDelete, "/api/organizations/:id", h.delete, RateLimit("auth"))

	r.handle(http.MethodPut, "/api/organizations/:id/settings/branding", h.putBranding, api)
	r.handle(http.MethodPut, "/api/organizations/:id/settings/contact", h.putContact, api)
	r.handle(http.MethodPut, "/api/organizations/:id/settings/features", h.putFeatures, api)
	r.handle(http.MethodPost, "/api/organizations/:id/settings/branding/logo", h.uploadLogo,
		api, MaxBodyBytes(org.MaxLogoBytes+logoBodyHeadroom))
	r.handle(http.MethodDelete, "/api/organizations/:id/settings/branding/logo", h.deleteLogo, api)

	r.handle(http.MethodPost, "/api/organizations/:id/members", h.addMember, api)
	r.handle(http.MethodPatch, "/api/organizations/:id/members/:userId", h.setMemberRole, api)
	r.handle(http.MethodDelete, "/api/organizations/:id/members/:userId", h.removeMember, api)
}

type orgHandlers struct{ srv *Server }

func (h orgHandlers) orgs() *org.Service { return h.srv.c.Orgs() }

// orgAuthed returns the signed-in actor. Authentication comes before input
// validation, as in the reference: an anonymous call with a malformed id
// is a 401, not a 400.
func orgAuthed(r *http.Request) (*actor.Actor, error) {
	a := Actor(r)
	return a, actor.RequireAuth(a)
}

// orgAuthedID is orgAuthed plus the :id parameter.
func orgAuthedID(r *http.Request) (*actor.Actor, uuid.UUID, error) {
	a, err := orgAuthed(r)
	if err != nil {
		return nil, uuid.Nil, err
	}
	id, err := UUIDParam(r, "id")
	return a, id, err
}

// orgGET runs one dispatched GET route the way router.handle runs a
// registered one.
func (h orgHandlers) orgGET(w http.ResponseWriter, r *http.Request, pattern, preset string, fn HandlerFunc) error {
	if info := infoFrom(r.Context()); info != nil {
		info.route = pattern
	}
	if err := h.srv.routeLimit(w, r, preset, http.MethodGet+" "+pattern); err != nil {
		return err
	}
	return fn(w, r)
}

// get2 serves GET /api/organizations/{check-slug,slug,public}/:slug and
// /api/organizations/:id/{settings,members}.
func (h orgHandlers) get2(w http.ResponseWriter, r *http.Request) error {
	first, sub := Param(r, "id"), Param(r, "sub")
	switch first {
	case "check-slug":
		return h.orgGET(w, r, "/api/organizations/check-slug/:slug", "api", func(w http.ResponseWriter, r *http.Request) error {
			return h.checkSlug(w, r, sub)
		})
	case "slug":
		return h.orgGET(w, r, "/api/organizations/slug/:slug", "api", func(w http.ResponseWriter, r *http.Request) error {
			return h.getBySlug(w, r, sub)
		})
	case "public":
		return h.orgGET(w, r, "/api/organizations/public/:slug", "api", func(w http.ResponseWriter, r *http.Request) error {
			return h.publicBranding(w, r, sub)
		})
	}
	switch sub {
	case "settings":
		return h.orgGET(w, r, "/api/organizations/:id/settings", "api", h.getSettings)
	case "members":
		return h.orgGET(w, r, "/api/organizations/:id/members", "api", h.listMembers)
	}
	notFound(w, r)
	return nil
}

// get3 serves GET /api/organizations/public/:slug/logo and
// /api/organizations/:id/settings/{branding,contact,features}.
func (h orgHandlers) get3(w http.ResponseWriter, r *http.Request) error {
	first, sub, leaf := Param(r, "id"), Param(r, "sub"), Param(r, "leaf")
	if first == "public" && leaf == "logo" {
		// "web": browsers load a logo on every page of an organization's site.
		return h.orgGET(w, r, "/api/organizations/public/:slug/logo", "web", func(w http.ResponseWriter, r *http.Request) error {
			return h.logo(w, r, sub)
		})
	}
	if sub == "settings" {
		switch leaf {
		case "branding", "contact", "features":
			return h.orgGET(w, r, "/api/organizations/:id/settings/"+leaf, "api", func(w http.ResponseWriter, r *http.Request) error {
				return h.getSettingsPart(w, r, leaf)
			})
		}
	}
	notFound(w, r)
	return nil
}

// ---- organizations ----

type createOrgBody struct {
	Name        string  `json:"name"`
	Slug        string  `json:"slug"`
	Description *string `json:"description"`
	LogoURL     *string `json:"logoUrl"`
	WebsiteURL  *string `json:"websiteUrl"`
}

func (h orgHandlers) create(w http.ResponseWriter, r *http.Request) error {
	a, err := orgAuthed(r)
	if err != nil {
		return err
	}
	var b createOrgBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	o, err := h.orgs().Create(r.Context(), a, org.Create{
		Name: b.Name, Slug: b.Slug, Description: b.Description, LogoURL: b.LogoURL, WebsiteURL: b.WebsiteURL,
	})
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusCreated, o)
}

func (h orgHandlers) list(w http.ResponseWriter, r *http.Request) error {
	a, err := orgAuthed(r)
	if err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.orgs().List(r.Context(), a, org.ListQuery{
		Search: q.Get("search"), SortBy: q.Get("sortBy"), SortOrder: q.Get("sortOrder"), Page: page,
	})
	if err != nil {
		return err
	}
	return WriteList(w, l.Items, page, l.Total)
}

func (h orgHandlers) getByID(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	o, err := h.orgs().Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, o)
}

func (h orgHandlers) getBySlug(w http.ResponseWriter, r *http.Request, slug string) error {
	a, err := orgAuthed(r)
	if err != nil {
		return err
	}
	o, err := h.orgs().GetBySlug(r.Context(), a, slug)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, o)
}

func (h orgHandlers) checkSlug(w http.ResponseWriter, r *http.Request, slug string) error {
	a, err := orgAuthed(r)
	if err != nil {
		return err
	}
	av, err := h.orgs().CheckSlug(r.Context(), a, slug)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, av)
}

type updateOrgBody struct {
	Name        Patch[string] `json:"name"`
	Slug        Patch[string] `json:"slug"`
	Description Patch[string] `json:"description"`
	LogoURL     Patch[string] `json:"logoUrl"`
	WebsiteURL  Patch[string] `json:"websiteUrl"`
}

func (h orgHandlers) update(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	var b updateOrgBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := org.Update{
		Name:        b.Name.Ptr("body.name", &fe),
		Slug:        b.Slug.Ptr("body.slug", &fe),
		Description: b.Description.Nullable(),
		LogoURL:     b.LogoURL.Nullable(),
		WebsiteURL:  b.WebsiteURL.Nullable(),
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	o, err := h.orgs().Update(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, o)
}

type orgDeleted struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

func (h orgHandlers) delete(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	if err := h.orgs().Delete(r.Context(), a, id); err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, orgDeleted{true, "Organization deleted successfully"})
}

// ---- settings ----

func (h orgHandlers) getSettings(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	s, err := h.orgs().Settings(r.Context(), a, id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, s)
}

func (h orgHandlers) getSettingsPart(w http.ResponseWriter, r *http.Request, part string) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	s, err := h.orgs().Settings(r.Context(), a, id)
	if err != nil {
		return err
	}
	switch part {
	case "branding":
		return WriteData(w, http.StatusOK, s.Branding)
	case "contact":
		return WriteData(w, http.StatusOK, s.Contact)
	default:
		return WriteData(w, http.StatusOK, s.Features)
	}
}

type brandingBody struct {
	PrimaryColorHex Patch[string] `json:"primaryColorHex"`
}

func (h orgHandlers) putBranding(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	var b brandingBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := org.BrandingUpdate{PrimaryColorHex: b.PrimaryColorHex.Ptr("body.primaryColorHex", &fe)}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	out, err := h.orgs().UpdateBranding(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

type contactBody struct {
	PlatformName Patch[string] `json:"platformName"`
	SupportEmail Patch[string] `json:"supportEmail"`
	ContactURL   Patch[string] `json:"contactUrl"`
	Timezone     Patch[string] `json:"timezone"`
}

func (h orgHandlers) putContact(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	var b contactBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := org.ContactUpdate{
		PlatformName: b.PlatformName.Ptr("body.platformName", &fe),
		SupportEmail: b.SupportEmail.Ptr("body.supportEmail", &fe),
		ContactURL:   b.ContactURL.Nullable(),
		Timezone:     b.Timezone.Ptr("body.timezone", &fe),
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	out, err := h.orgs().UpdateContact(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

type featuresBody struct {
	EnableSignups   Patch[bool] `json:"enableSignups"`
	EnablePurchases Patch[bool] `json:"enablePurchases"`
}

func (h orgHandlers) putFeatures(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	var b featuresBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	var fe []fault.Field
	in := org.FeaturesUpdate{
		EnableSignups:   b.EnableSignups.Ptr("body.enableSignups", &fe),
		EnablePurchases: b.EnablePurchases.Ptr("body.enablePurchases", &fe),
	}
	if err := fieldsErr(fe); err != nil {
		return err
	}
	out, err := h.orgs().UpdateFeatures(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

// ---- logo ----

var (
	errOrgNotMultipart = fault.InvalidField("body", "Request must be multipart/form-data with a logo file")
	errOrgMissingLogo  = func() *fault.Error {
		e := fault.InvalidField("body.logo", "Logo file is required")
		e.Code = "MISSING_FILE"
		e.Message = "Logo file is required"
		return e
	}()
)

func (h orgHandlers) uploadLogo(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	part, err := orgLogoPart(r)
	if err != nil {
		return err
	}
	defer part.Close()
	out, err := h.orgs().UploadLogo(r.Context(), a, id, orgMultipartReader{part}, part.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

// orgLogoPart streams the multipart body up to the part named logo, so the
// file is never buffered by the server, only by the service, which bounds
// it.
func orgLogoPart(r *http.Request) (*multipart.Part, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errOrgNotMultipart.Wrap(err)
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errOrgMissingLogo
		}
		if err != nil {
			return nil, orgMultipartErr(err)
		}
		if p.FormName() == "logo" {
			return p, nil
		}
		p.Close()
	}
}

// orgMultipartReader reports a broken body as the client's fault (400), not
// as an internal error.
type orgMultipartReader struct{ r io.Reader }

func (m orgMultipartReader) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	if err != nil && err != io.EOF {
		err = orgMultipartErr(err)
	}
	return n, err
}

func orgMultipartErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bodyTooLarge(tooBig.Limit)
	}
	return fault.InvalidField("body", "Malformed multipart body").Wrap(err)
}

func (h orgHandlers) deleteLogo(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	out, err := h.orgs().DeleteLogo(r.Context(), a, id)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, out)
}

// ---- public ----

// publicBranding needs no session: sign-in pages show an organization's
// branding before anyone has signed in.
func (h orgHandlers) publicBranding(w http.ResponseWriter, r *http.Request, slug string) error {
	b, err := h.orgs().PublicBranding(r.Context(), slug)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, b)
}

// logo streams an organization's uploaded logo. The stored logoUrl carries
// ?v=<version>; a request for the current version may be cached for good,
// since the next upload changes the URL. Anything else gets a short cache.
func (h orgHandlers) logo(w http.ResponseWriter, r *http.Request, slug string) error {
	l, err := h.orgs().Logo(r.Context(), slug)
	if err != nil {
		return err
	}
	defer l.Body.Close()
	hd := w.Header()
	hd.Set("Content-Type", l.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", "inline")
	// Sites on other origins embed the logo, also under COEP.
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if v := r.URL.Query().Get("v"); v != "" && v == l.Version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300")
	}
	if l.Size >= 0 {
		hd.Set("Content-Length", strconv.FormatInt(l.Size, 10))
	}
	if !l.ModTime.IsZero() {
		hd.Set("Last-Modified", l.ModTime.UTC().Format(http.TimeFormat))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, l.Body); err != nil {
		// Headers are gone; all that is left is to say so in the log.
		logger(r.Context()).Warn("logo stream interrupted", "err", err)
	}
	return nil
}

// ---- members ----

var orgUserIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

func orgUserIDParam(r *http.Request) (string, error) {
	id := Param(r, "userId")
	if !orgUserIDPattern.MatchString(id) {
		return "", fault.InvalidField("params.userId", "Invalid user ID format")
	}
	return id, nil
}

func (h orgHandlers) listMembers(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	page, err := PageQuery(r)
	if err != nil {
		return err
	}
	l, err := h.orgs().Members(r.Context(), a, id, page)
	if err != nil {
		return err
	}
	return WriteList(w, l.Items, page, l.Total)
}

type addMemberBody struct {
	Email string               `json:"email"`
	Role  store.MembershipRole `json:"role"`
}

func (h orgHandlers) addMember(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	var b addMemberBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	m, err := h.orgs().AddMember(r.Context(), a, id, org.AddMember{Email: b.Email, Role: b.Role})
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusCreated, m)
}

type memberRoleBody struct {
	Role store.MembershipRole `json:"role"`
}

func (h orgHandlers) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	userID, err := orgUserIDParam(r)
	if err != nil {
		return err
	}
	var b memberRoleBody
	if err := DecodeJSON(r, &b); err != nil {
		return err
	}
	m, err := h.orgs().SetMemberRole(r.Context(), a, id, userID, b.Role)
	if err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, m)
}

func (h orgHandlers) removeMember(w http.ResponseWriter, r *http.Request) error {
	a, id, err := orgAuthedID(r)
	if err != nil {
		return err
	}
	userID, err := orgUserIDParam(r)
	if err != nil {
		return err
	}
	if err := h.orgs().RemoveMember(r.Context(), a, id, userID); err != nil {
		return err
	}
	return WriteData(w, http.StatusOK, orgDeleted{true, "Member removed successfully"})
}
