package server

import (
	"maps"
	"net/http"

	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/admin"
	"github.com/codexforgo/codex/content"
	"github.com/codexforgo/codex/notify"
	"github.com/codexforgo/codex/org"
	"github.com/codexforgo/codex/purchase"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/transcode"
)

// namedSchemas are the types that get a component of their own; any other
// type is inlined where it is used.
func namedSchemas() map[string]any {
	return map[string]any{
		"User": store.User{}, "Session": store.Session{}, "SessionView": sessionView{},
		"Organization": store.Organization{}, "Membership": store.Membership{}, "Member": store.Member{},
		"Branding": store.Branding{}, "Contact": store.Contact{}, "Features": store.Features{},
		"OrgSettings": store.OrgSettings{}, "SlugAvailability": org.SlugAvailability{}, "PublicBranding": org.PublicBranding{},
		"Content": store.Content{}, "ContentDetail": content.Detail{}, "Person": content.Person{},
		"MediaItem": store.MediaItem{}, "MediaDetail": content.MediaDetail{}, "MediaUpload": content.MediaUpload{},
		"UploadTarget": content.UploadTarget{}, "UploadResult": content.UploadResult{},
		"StreamingGrant": access.Grant{}, "Progress": progressView{}, "LibraryItem": libraryItem{},
		"ContentAccess": store.ContentAccess{}, "Purchase": store.Purchase{}, "PurchaseWithContent": store.PurchaseWithContent{},
		"CheckoutSession": purchase.CheckoutSession{}, "EmailTemplate": store.EmailTemplate{}, "RenderedTemplate": notify.Rendered{},
		"AdminStatus": admin.Status{}, "RevenueStats": admin.RevenueStats{}, "DayRevenue": admin.DayRevenue{},
		"TopContent": store.TopContent{}, "CustomerStats": admin.CustomerStats{}, "Dashboard": admin.Dashboard{},
		"CustomerSummary": store.CustomerSummary{}, "CustomerDetails": admin.CustomerDetails{}, "AdminContent": store.AdminContent{},
		"TranscodingState": transcode.State{}, "HealthReport": healthReport{},
		"Role": store.Role(""), "MembershipRole": store.MembershipRole(""), "MembershipStatus": store.MembershipStatus(""),
		"MediaType": store.MediaType(""), "MediaStatus": store.MediaStatus(""), "ContentType": store.ContentType(""),
		"Visibility": store.Visibility(""), "ContentStatus": store.ContentStatus(""), "AccessType": store.AccessType(""),
		"PurchaseStatus": store.PurchaseStatus(""), "TemplateScope": store.TemplateScope(""),
		"TemplateStatus": store.TemplateStatus(""), "EmailStatus": store.EmailStatus(""),
	}
}

// Path parameters that are not plain strings.
var (
	uuidParam   = strf("uuid")
	userIDParam = obj{"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$"}
	orgIDQuery  = strf("uuid")
	dateQuery   = obj{"type": "string", "description": "YYYY-MM-DD (UTC) or RFC 3339"}
	sortOrder   = strEnum("asc", "desc")
)

// documentRoutes lists every route of every surface. A route added to a
// mount function without a line here fails TestOpenAPIRoutes.
func documentRoutes(a *api) {
	s := a.s
	user := s.ref(store.User{})
	success := object(obj{"success": constant(true)})
	statusTrue := object(obj{"status": boolean()})
	deleted := object(obj{"success": boolean(), "message": str()})
	received := object(obj{"received": constant(true)})
	transcodeAck := object(obj{"message": str(), "mediaId": strf("uuid")})

	// ---- auth: bare bodies, flat errors ----
	a.tag = string(Auth)
	signUp := object(obj{
		"name": str(), "email": strf("email"), "password": str(), "image": orNull(str()),
		"callbackURL": str(), "rememberMe": orNull(boolean()),
		"role": obj{"type": "string", "description": "Read and ignored: sign-up makes a customer (a creator when enabled)."},
	}, "image", "callbackURL", "rememberMe", "role")
	signIn := object(obj{"email": str(), "password": str(), "callbackURL": str(), "rememberMe": orNull(boolean())},
		"callbackURL", "rememberMe")
	form := func(schema obj) obj {
		return obj{"application/json": obj{"schema": schema}, "application/x-www-form-urlencoded": obj{"schema": schema}}
	}
	for _, p := range []string{"/api/auth/sign-up/email", "/api/auth/email/register"} {
		a.op("POST", p, "Create an account and email a verification link").public().rl("auth").
			bodyAs(form(signUp)).errors(409, 422).
			ok(200, object(obj{"token": obj{"type": "null"}, "user": user}))
	}
	for _, p := range []string{"/api/auth/sign-in/email", "/api/auth/email/login"} {
		a.op("POST", p, "Sign in; sets the session cookie").public().rl("auth").
			bodyAs(form(signIn)).errors(401, 422).
			desc("Also limited per account. 403 EMAIL_NOT_VERIFIED until the address is verified.").
			ok(200, object(obj{"redirect": boolean(), "token": str(), "url": orNull(str()), "user": user}))
	}
	for _, p := range []string{"/api/auth/get-session", "/api/auth/session"} {
		a.op("GET", p, "The current session, or null").optional().
			ok(200, obj{"anyOf": []any{obj{"type": "null"}, object(obj{"session": s.ref(store.Session{}), "user": user})}})
	}
	for _, p := range []string{"/api/auth/sign-out", "/api/auth/signout"} {
		a.op("POST", p, "Revoke the session and clear the cookie").optional().ok(200, success)
	}
	a.op("GET", "/api/auth/verify-email", "Verify an email address from the emailed link").public().
		query("token", str(), "The token from the link").query("callbackURL", str(), "Where to redirect, with ?error= on failure").
		errors(401, 404, 422).
		ok(200, object(obj{"status": constant(true), "user": user})).
		respond(http.StatusFound, obj{"description": "Redirect to callbackURL"})
	a.op("POST", "/api/auth/verify-email", "Verify an email address and sign in").public().rl("auth").
		json(object(obj{"token": str()})).errors(401, 404, 422).
		ok(200, object(obj{"status": constant(true), "user": user, "token": str()}))
	a.op("POST", "/api/auth/send-verification-email", "Send the verification email again").public().rl("auth").
		json(object(obj{"email": strf("email"), "callbackURL": str()}, "callbackURL")).errors(422).
		ok(200, statusTrue)
	for _, p := range []string{"/api/auth/request-password-reset", "/api/auth/forget-password"} {
		a.op("POST", p, "Email a password reset link").public().rl("auth").
			json(object(obj{"email": strf("email"), "redirectTo": str()}, "redirectTo")).errors(422).
			ok(200, object(obj{"status": boolean(), "message": str()}))
	}
	a.op("GET", "/api/auth/reset-password/:token", "Check a reset token from the emailed link").public().
		query("callbackURL", str(), "Where to redirect with ?token= or ?error=").errors(401, 404, 422).
		ok(200, object(obj{"status": constant(true), "token": str()})).
		respond(http.StatusFound, obj{"description": "Redirect to callbackURL"})
	a.op("POST", "/api/auth/reset-password", "Set a new password with a reset token").public().rl("auth").
		query("token", str(), "Used when the body has none").
		json(object(obj{"token": str(), "newPassword": str(), "password": obj{"type": "string", "description": "Alias of newPassword"}},
			"token", "newPassword", "password")).errors(401, 404, 422).
		ok(200, statusTrue)
	a.op("POST", "/api/auth/change-password", "Change the password; every other session ends").rl("strict").
		json(object(obj{"currentPassword": str(), "newPassword": str(), "revokeOtherSessions": orNull(boolean())}, "revokeOtherSessions")).
		errors(422).
		ok(200, object(obj{"token": str(), "user": user}))
	a.op("POST", "/api/auth/update-user", "Update name or image").rl("api").
		json(profileSchema(s)).errors(422).ok(200, statusTrue)
	a.op("GET", "/api/auth/list-sessions", "The user's sessions (ids, never tokens)").rl("api").
		ok(200, arrayOf(s.ref(sessionView{})))
	a.op("POST", "/api/auth/revoke-session", "End one of the user's sessions").rl("api").
		json(object(obj{"id": str()})).errors(404).ok(200, statusTrue)
	a.op("POST", "/api/auth/revoke-sessions", "End every session of the user").rl("api").ok(200, statusTrue)
	a.op("POST", "/api/auth/revoke-other-sessions", "End every other session of the user").rl("api").ok(200, statusTrue)
	a.op("GET", "/api/auth/ok", "Liveness of the auth surface").public().ok(200, object(obj{"ok": constant(true)}))

	// ---- identity-api ----
	a.tag = string(Identity)
	a.op("GET", "/api/identity/me", "The signed-in user").rl("api").ok(200, data(user))
	a.op("PATCH", "/api/identity/me", "Update the signed-in user's name or image").rl("api").
		json(profileSchema(s)).errors(422).ok(200, data(user))

	// ---- organization-api ----
	a.tag = string(Organization)
	orgSchema := s.ref(store.Organization{})
	a.op("POST", "/api/organizations", "Create an organization; the caller becomes its owner").rl("api").
		json(s.requestBody(createOrgBody{}, "name", "slug")).errors(409, 422).
		ok(201, data(orgSchema))
	a.op("GET", "/api/organizations", "The caller's organizations (platform owners: all)").rl("api").
		query("search", str(), "").query("sortBy", strEnum("createdAt", "name"), "").query("sortOrder", sortOrder, "").
		paged().ok(200, list(orgSchema))
	a.op("GET", "/api/organizations/check-slug/:slug", "Whether a slug is free").rl("api").
		ok(200, data(s.ref(org.SlugAvailability{})))
	a.op("GET", "/api/organizations/slug/:slug", "An organization by slug").rl("api").errors(404).
		ok(200, data(orgSchema))
	a.op("GET", "/api/organizations/public/:slug", "Public branding, for sign-in pages").public().rl("api").errors(404).
		ok(200, data(s.ref(org.PublicBranding{})))
	a.op("GET", "/api/organizations/public/:slug/logo", "The uploaded logo").public().rl("web").errors(404).
		query("v", str(), "The logo version of logoUrl; the current one is cached for a year").
		respond(200, obj{"content": obj{
			"image/png": obj{"schema": strf("binary")}, "image/jpeg": obj{"schema": strf("binary")}, "image/webp": obj{"schema": strf("binary")},
		}})
	orgID := func(o *operation) *operation { return o.path("id", uuidParam).errors(404) }
	orgID(a.op("GET", "/api/organizations/:id", "An organization").rl("api")).ok(200, data(orgSchema))
	orgID(a.op("PATCH", "/api/organizations/:id", "Update an organization; null clears description, logoUrl, websiteUrl").rl("api")).
		json(s.requestBody(updateOrgBody{})).errors(409, 422).ok(200, data(orgSchema))
	orgID(a.op("DELETE", "/api/organizations/:id", "Soft-delete an organization; its slug stays taken").rl("auth")).
		ok(200, data(deleted))
	orgID(a.op("GET", "/api/organizations/:id/settings", "Branding, contact and feature settings").rl("api")).
		ok(200, data(s.ref(store.OrgSettings{})))
	parts := []struct {
		name string
		v    any
		body any
	}{{"branding", store.Branding{}, brandingBody{}}, {"contact", store.Contact{}, contactBody{}}, {"features", store.Features{}, featuresBody{}}}
	for _, p := range parts {
		orgID(a.op("GET", "/api/organizations/:id/settings/"+p.name, "The "+p.name+" settings").rl("api")).
			ok(200, data(s.ref(p.v)))
		orgID(a.op("PUT", "/api/organizations/:id/settings/"+p.name, "Update the "+p.name+" settings").rl("api")).
			json(s.requestBody(p.body)).errors(422).ok(200, data(s.ref(p.v)))
	}
	branding := data(s.ref(store.Branding{}))
	orgID(a.op("POST", "/api/organizations/:id/settings/branding/logo", "Upload the logo (PNG, JPEG or WebP, at most 5 MiB)").rl("api")).
		bodyAs(obj{"multipart/form-data": obj{"schema": object(obj{"logo": strf("binary")})}}).errors(422).ok(200, branding)
	orgID(a.op("DELETE", "/api/organizations/:id/settings/branding/logo", "Remove the uploaded logo").rl("api")).ok(200, branding)
	member := s.ref(store.Member{})
	orgID(a.op("GET", "/api/organizations/:id/members", "The organization's members").rl("api")).paged().ok(200, list(member))
	orgID(a.op("POST", "/api/organizations/:id/members", "Add a member by email").rl("api")).
		json(s.requestBody(addMemberBody{}, "email")).errors(409, 422).ok(201, data(member))
	orgID(a.op("PATCH", "/api/organizations/:id/members/:userId", "Change a member's role").rl("api")).path("userId", userIDParam).
		json(s.requestBody(memberRoleBody{}, "role")).errors(422).ok(200, data(member))
	orgID(a.op("DELETE", "/api/organizations/:id/members/:userId", "Remove a member, or leave").rl("api")).path("userId", userIDParam).
		errors(422).ok(200, data(deleted))

	// ---- content-api ----
	a.tag = string(Content)
	contentSchema := s.ref(store.Content{})
	mediaSchema := s.ref(store.MediaItem{})
	byID := func(o *operation) *operation { return o.path("id", uuidParam).errors(404) }
	a.op("POST", "/api/content", "Create a content item (creators)").rl("api").
		json(s.requestBody(createContentBody{}, "title", "slug", "contentType")).errors(409, 422).
		ok(201, data(contentSchema))
	a.op("GET", "/api/content", "Content the caller may see").rl("api").
		query("status", s.ref(store.ContentStatus("")), "").query("contentType", s.ref(store.ContentType("")), "").
		query("visibility", s.ref(store.Visibility("")), "").query("category", str(), "").
		query("organizationId", orgIDQuery, "").query("search", str(), "").query("sortBy", str(), "").
		query("sortOrder", sortOrder, "").paged().ok(200, list(contentSchema))
	byID(a.op("GET", "/api/content/:id", "A content item with its media, organization and creator").rl("api")).
		ok(200, data(s.ref(content.Detail{})))
	byID(a.op("PATCH", "/api/content/:id", "Update a content item; null clears nullable fields").rl("api")).
		json(s.requestBody(updateContentBody{})).errors(409, 422).ok(200, data(contentSchema))
	byID(a.op("DELETE", "/api/content/:id", "Soft-delete a content item").rl("auth")).
		respond(204, obj{"description": "Deleted"})
	for _, t := range []string{"publish", "unpublish", "archive"} {
		byID(a.op("POST", "/api/content/:id/"+t, "Move a content item to "+t+"ed").rl("api")).errors(409, 422).
			ok(200, data(contentSchema))
	}
	a.op("POST", "/api/media", "Declare a media item and get its upload target").rl("api").
		json(s.requestBody(createMediaBody{}, "title", "mediaType", "mimeType", "fileSizeBytes")).errors(422).
		ok(201, data(s.ref(content.MediaUpload{})))
	a.op("GET", "/api/media", "The caller's media items").rl("api").
		query("status", s.ref(store.MediaStatus("")), "").query("mediaType", s.ref(store.MediaType("")), "").
		query("sortBy", str(), "").query("sortOrder", sortOrder, "").paged().ok(200, list(mediaSchema))
	byID(a.op("GET", "/api/media/:id", "A media item with its creator").rl("api")).ok(200, data(s.ref(content.MediaDetail{})))
	byID(a.op("PATCH", "/api/media/:id", "Update a media item's title or description").rl("api")).
		json(s.requestBody(updateMediaBody{})).errors(422).ok(200, data(mediaSchema))
	byID(a.op("DELETE", "/api/media/:id", "Soft-delete a media item").rl("auth")).errors(409).
		respond(204, obj{"description": "Deleted"})
	byID(a.op("POST", "/api/media/:id/upload-url", "A fresh upload target").rl("api")).errors(409, 422).
		ok(200, data(s.ref(content.UploadTarget{})))
	byID(a.op("POST", "/api/media/:id/upload-complete", "Confirm the upload; transcoding starts").rl("api")).
		desc("A 503 whose details are {mediaId,status,success:true} means the upload is kept but transcoding could not be queued.").
		errors(409, 422).ok(200, data(s.ref(content.UploadResult{})))
	byID(a.op("PUT", "/api/media/:id/upload/:token", "Upload the original (the token from upload-url is the credential)").public()).
		bodyAs(obj{"*/*": obj{"schema": strf("binary")}}).errors(403, 409, 422).
		ok(200, data(success))
	byID(a.op("GET", "/api/access/content/:id/stream", "A streaming grant: a signed HLS URL").rl("streaming")).
		query("expirySeconds", obj{"type": "integer", "minimum": 300, "maximum": 7200, "default": 3600}, "").
		errors(403, 422).ok(200, data(s.ref(access.Grant{})))
	byID(a.op("POST", "/api/access/content/:id/progress", "Save the playback position").rl("api")).
		json(s.requestBody(progressBody{}, "positionSeconds", "durationSeconds")).errors(403, 422).
		respond(204, obj{"description": "Saved"})
	byID(a.op("GET", "/api/access/content/:id/progress", "The playback position, or null").rl("api")).
		ok(200, data(object(obj{"progress": orNull(s.ref(progressView{}))})))
	a.op("GET", "/api/access/user/library", "Content the user bought or was granted").rl("api").
		query("filter", str(), "").query("sortBy", str(), "").paged().ok(200, list(s.ref(libraryItem{})))
	hls := obj{}
	for _, ct := range []string{"application/vnd.apple.mpegurl", "video/mp2t", "video/iso.segment", "video/mp4", "audio/mp4",
		"audio/aac", "audio/mpeg", "text/vtt", "application/octet-stream"} {
		hls[ct] = obj{"schema": strf("binary")}
	}
	for _, m := range []string{"GET", "HEAD"} {
		o := a.op(m, "/api/access/hls/:token/*path", "A playlist, segment or key under a streaming grant").public().
			desc("The token is the grant from the stream route; Range requests are answered with 206.").
			errors(403, 404, 416)
		if m == "GET" {
			o.respond(200, obj{"content": hls}).respond(206, obj{"content": hls})
		} else {
			o.respond(200, obj{}).respond(206, obj{})
		}
		o.respond(304, obj{})
	}

	// ---- ecom-api ----
	a.tag = string(Ecom)
	purchaseSchema := s.ref(store.Purchase{})
	a.op("POST", "/checkout/create", "Open a payment session for a content item").rl("strict").
		json(object(obj{"contentId": strf("uuid"), "successUrl": str(), "cancelUrl": str()})).errors(404, 409, 422).
		ok(200, data(s.ref(purchase.CheckoutSession{})))
	a.op("GET", "/checkout/local/:sessionId", "The local test payment page").rl("api").errors(404, 422).
		respond(200, obj{"content": obj{"text/html": obj{"schema": str()}}})
	a.op("POST", "/checkout/local/:sessionId/complete", "Pay a local test session").rl("strict").errors(404, 409, 422).
		desc("Form posts are redirected (303) to the success URL; other clients get the purchase.").
		ok(200, data(object(obj{"purchase": purchaseSchema, "redirectUrl": str()}))).
		respond(http.StatusSeeOther, obj{"description": "Redirect to the success URL"})
	a.op("GET", "/purchases", "The caller's purchases").rl("api").
		query("status", s.ref(store.PurchaseStatus("")), "").query("contentId", strf("uuid"), "").paged().
		ok(200, list(s.ref(store.PurchaseWithContent{})))
	byID(a.op("GET", "/purchases/:id", "A purchase").rl("api")).ok(200, data(purchaseSchema))
	byID(a.op("POST", "/purchases/:id/refund", "Refund a purchase, in full or in part").rl("strict")).
		jsonOptional(object(obj{"amountCents": orNull(obj{"type": "integer", "minimum": 1})}, "amountCents")).errors(409, 422).
		ok(200, data(purchaseSchema))
	var endpoints []string
	for _, e := range purchase.Endpoints() {
		endpoints = append(endpoints, string(e))
	}
	a.op("POST", "/webhooks/stripe/:endpoint", "A Stripe event delivery").public().rl("webhook").pathEnum("endpoint", endpoints...).
		desc("One route per endpoint, each verified with its own signing secret.").
		header("Stripe-Signature", "The delivery's signature").
		bodyAs(obj{"application/json": obj{"schema": obj{"type": "object"}}}).errors(401, 422).
		ok(200, received)

	// ---- admin-api ----
	a.tag = string(Admin)
	scoped := func(o *operation) *operation {
		return o.rl("api").errors(403).query("organizationId", orgIDQuery, "The organization (platform owners; inferred for single-organization managers)")
	}
	ranged := func(o *operation) *operation {
		return o.query("startDate", dateQuery, "").query("endDate", dateQuery, "The whole day is included")
	}
	topLimit := obj{"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
	a.op("GET", "/api/admin/status", "Who the caller is to the back office").rl("api").errors(403).
		ok(200, data(s.ref(admin.Status{})))
	ranged(scoped(a.op("GET", "/api/admin/analytics/revenue", "Revenue, fees and revenue by day"))).
		ok(200, data(s.ref(admin.RevenueStats{})))
	ranged(scoped(a.op("GET", "/api/admin/analytics/top-content", "Best-selling content"))).query("limit", topLimit, "").
		ok(200, data(s.ref([]store.TopContent(nil))))
	scoped(a.op("GET", "/api/admin/analytics/customers", "Customer counts")).ok(200, data(s.ref(admin.CustomerStats{})))
	ranged(scoped(a.op("GET", "/api/admin/analytics/dashboard", "Revenue, top content and customers"))).query("limit", topLimit, "").
		ok(200, data(s.ref(admin.Dashboard{})))
	scoped(a.op("GET", "/api/admin/customers", "Customers by total spent")).query("search", str(), "").paged().
		ok(200, list(s.ref(store.CustomerSummary{})))
	scoped(a.op("GET", "/api/admin/customers/:id", "A customer with a page of purchase history")).paged().errors(404).
		ok(200, data(s.ref(admin.CustomerDetails{})))
	scoped(a.op("POST", "/api/admin/customers/:id/grant-access/:contentId", "Grant a content item for free")).
		path("contentId", uuidParam).jsonOptional(s.requestBody(grantBody{})).errors(404, 422).
		ok(200, data(object(obj{"success": constant(true), "access": s.ref(store.ContentAccess{})})))
	scoped(a.op("DELETE", "/api/admin/customers/:id/grant-access/:contentId", "Revoke a complimentary grant")).
		path("contentId", uuidParam).errors(404).respond(204, obj{"description": "Revoked"})
	adminContent := s.ref(store.AdminContent{})
	scoped(a.op("GET", "/api/admin/content", "Every creator's live content, newest first")).
		query("status", s.ref(store.ContentStatus("")), "").query("contentType", s.ref(store.ContentType("")), "").
		query("search", str(), "").paged().ok(200, list(adminContent))
	for _, t := range []string{"publish", "unpublish"} {
		byID(scoped(a.op("POST", "/api/admin/content/:id/"+t, "Move a content item to "+t+"ed"))).errors(409, 422).
			ok(200, data(adminContent))
	}
	byID(scoped(a.op("DELETE", "/api/admin/content/:id", "Soft-delete a content item"))).respond(204, obj{"description": "Deleted"})
	a.op("PATCH", "/api/admin/users/:id/role", "Change a user's platform role (platform owners)").rl("api").
		json(object(obj{"role": s.ref(store.Role(""))})).errors(403, 404, 422).ok(200, data(user))

	// ---- notifications-api ----
	a.tag = string(Notifications)
	tmpl := s.ref(store.EmailTemplate{})
	scopes := []struct{ base, what string }{
		{"/api/templates/global", "global"},
		{"/api/templates/organizations/:orgId", "the organization's"},
		{"/api/templates/creator", "the creator's own"},
	}
	for _, sc := range scopes {
		inScope := func(o *operation) *operation {
			return o.rl("api").errors(403, 404).path("orgId", uuidParam).path("id", uuidParam)
		}
		create := s.requestBody(templateCreateBody{}, "name", "subject", "htmlBody", "textBody")
		if sc.what == "the creator's own" {
			create = s.requestBody(creatorTemplateCreateBody{}, "name", "subject", "htmlBody", "textBody")
		}
		inScope(a.op("GET", sc.base, "List "+sc.what+" templates")).query("status", s.ref(store.TemplateStatus("")), "").
			paged().ok(200, list(tmpl))
		inScope(a.op("POST", sc.base, "Create one of "+sc.what+" templates")).json(create).errors(409, 422).ok(201, data(tmpl))
		inScope(a.op("GET", sc.base+"/:id", "One of "+sc.what+" templates")).ok(200, data(tmpl))
		inScope(a.op("PATCH", sc.base+"/:id", "Update one of "+sc.what+" templates")).
			json(s.requestBody(templateUpdateBody{})).errors(409, 422).ok(200, data(tmpl))
		inScope(a.op("DELETE", sc.base+"/:id", "Delete one of "+sc.what+" templates")).respond(204, obj{"description": "Deleted"})
	}
	byID(a.op("POST", "/api/templates/:id/preview", "Render a template with sample data").rl("api")).errors(403, 422).
		jsonOptional(s.requestBody(previewBody{})).ok(200, data(s.ref(notify.Rendered{})))
	byID(a.op("POST", "/api/templates/:id/test-send", "Send a template to the caller's own address").rl("strict")).errors(403, 422).
		jsonOptional(s.requestBody(testSendBody{})).
		ok(200, data(object(obj{"success": constant(true), "messageId": strf("uuid"), "status": s.ref(store.EmailStatus(""))})))
	unsub := data(object(obj{"unsubscribed": constant(true), "email": str()}))
	a.op("GET", "/api/unsubscribe", "Unsubscribe from the emailed link").public().rl("api").
		query("token", str(), "From the link").errors(404, 422).ok(200, unsub)
	a.op("POST", "/api/unsubscribe", "One-click unsubscribe (RFC 8058)").public().rl("api").
		query("token", str(), "From the List-Unsubscribe URL").errors(404, 422).ok(200, unsub)

	// ---- media-api ----
	a.tag = string(Media)
	byID(a.op("POST", "/internal/media/:id/transcode", "Queue transcoding (signed service call)").public().rl("webhook")).
		header(transcode.HeaderWorkerSignature, "HMAC of method, path, timestamp and body").
		header(transcode.HeaderWorkerTimestamp, "Unix seconds of the signature").
		jsonOptional(s.requestBody(triggerBody{})).errors(401, 409, 422).ok(200, data(transcodeAck))
	byID(a.op("POST", "/api/transcoding/retry/:id", "Retry a failed transcoding").rl("strict")).errors(403, 409, 422).
		ok(200, data(transcodeAck))
	byID(a.op("GET", "/api/transcoding/status/:id", "Transcoding progress").rl("api")).errors(403).
		ok(200, data(s.ref(transcode.State{})))
	a.op("POST", "/api/transcoding/webhook", "The transcoder reports an outcome (signed)").public().rl("webhook").
		bodyAs(obj{"application/json": obj{"schema": obj{"type": "object"}}}).errors(401, 404, 422).ok(200, received)

	// ---- every handler ----
	a.tag = "platform"
	report := s.ref(healthReport{})
	for _, m := range []string{"GET", "HEAD"} {
		health := obj{"content": obj{"application/json": obj{"schema": report}}}
		if m == "HEAD" {
			health = obj{}
		}
		a.op(m, "/health", "Health of the handler's surfaces (service codex when several)").public().
			respond(200, maps.Clone(health)).respond(503, maps.Clone(health))
		var names []string
		for _, sf := range Surfaces() {
			names = append(names, string(sf))
		}
		a.op(m, "/health/:surface", "Health of one surface, when a handler serves several").public().
			pathEnum("surface", names...).respond(200, maps.Clone(health)).respond(503, maps.Clone(health))
	}
	a.op("GET", "/metrics", "Prometheus metrics").optional().
		desc("With Config.MetricsToken set, the scraper sends it as a bearer token.").errors(401).
		respond(200, obj{"content": obj{"text/plain": obj{"schema": str()}, "application/openmetrics-text": obj{"schema": str()}}})
	a.op("GET", "/openapi.json", "This document").public().
		ok(200, obj{"type": "object", "required": []any{"openapi", "info", "paths"}})
}

// profileSchema is the body of update-user and PATCH /api/identity/me;
// email is refused (400 EMAIL_CAN_NOT_BE_UPDATED), so it is not offered.
func profileSchema(s *schemas) obj {
	o := s.requestBody(profileBody{})
	props := o["properties"].(obj)
	delete(props, "email")
	props["image"] = obj{"anyOf": []any{strf("uri"), obj{"type": "null"}}, "description": "An http(s) URL, or null to clear"}
	return o
}
