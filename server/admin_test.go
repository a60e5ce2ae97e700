package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/store"
)

// adminEnv is two organizations, their admins, a platform owner, customers
// and purchases with known amounts, fees and dates.
type adminEnv struct {
	*testEnv
	h                                    http.Handler
	ownerTok, adminTok, bAdminTok        string
	custTok, strangerTok                 string
	admin, bAdmin, cust, cust2, stranger *store.User
	orgA, orgB                           *store.Organization
	c1, c2, video, cB, gone              *store.Content
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	ctx := context.Background()
	e := &adminEnv{testEnv: newEnv(t, codex.Config{})}
	e.h = e.srv.Handler(Admin, Content)
	db := e.c.Store()
	e.ownerTok, _ = e.user(t, "owner@example.com", store.RolePlatformOwner)
	e.adminTok, e.admin = e.user(t, "admin-a@example.com", store.RoleCreator)
	e.bAdminTok, e.bAdmin = e.user(t, "admin-b@example.com", store.RoleCreator)
	e.custTok, e.cust = e.user(t, "cust@example.com", store.RoleCustomer)
	_, e.cust2 = e.user(t, "second.buyer@example.com", store.RoleCustomer)
	e.strangerTok, e.stranger = e.user(t, "stranger@example.com", store.RoleCustomer)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e.orgA = &store.Organization{Name: "Org A", Slug: "org-a"}
	e.orgB = &store.Organization{Name: "Org B", Slug: "org-b"}
	must(db.Organizations().Create(ctx, e.orgA))
	must(db.Organizations().Create(ctx, e.orgB))
	must(db.Memberships().Create(ctx, &store.Membership{OrganizationID: e.orgA.ID, UserID: e.admin.ID, Role: store.MemberAdmin, Status: store.MembershipActive}))
	must(db.Memberships().Create(ctx, &store.Membership{OrganizationID: e.orgB.ID, UserID: e.bAdmin.ID, Role: store.MemberOwner, Status: store.MembershipActive}))

	price := 1500
	written := func(org *store.Organization, creator *store.User, title string) *store.Content {
		c := &store.Content{
			CreatorID: creator.ID, OrganizationID: &org.ID, Title: title, Slug: strings.ToLower(strings.ReplaceAll(title, " ", "-")),
			ContentType: store.ContentWritten, ContentBody: ptrTo("text"), Visibility: store.VisibilityPurchasedOnly,
			PriceCents: &price, Status: store.ContentPublished, PublishedAt: ptrTo(time.Now()),
		}
		must(db.Content().Create(ctx, c))
		return c
	}
	e.c1 = written(e.orgA, e.admin, "First Essay")
	e.c2 = written(e.orgA, e.admin, "Second Essay")
	e.cB = written(e.orgB, e.bAdmin, "B Essay")
	e.gone = written(e.orgA, e.admin, "Gone Essay")
	must(db.Content().SoftDelete(ctx, e.gone.ID))

	// A priced, published video with ready media, for streaming.
	master, thumb, dur := e.admin.ID+"/hls/MEDIA/master.m3u8", "thumb.jpg", 60
	m := &store.MediaItem{CreatorID: e.admin.ID, Title: "clip", MediaType: store.MediaVideo, Status: store.MediaUploading,
		R2Key: e.admin.ID + "/originals/clip.mp4"}
	must(db.Media().Create(ctx, m))
	master = strings.Replace(master, "MEDIA", m.ID.String(), 1)
	_, err := db.Media().Update(ctx, m.ID, store.MediaPatch{Status: store.Some(store.MediaReady),
		HLSMasterPlaylistKey: store.Some(&master), ThumbnailKey: store.Some(&thumb), DurationSeconds: store.Some(&dur)})
	must(err)
	e.video = &store.Content{
		CreatorID: e.admin.ID, OrganizationID: &e.orgA.ID, MediaItemID: &m.ID, Title: "Film", Slug: "film",
		ContentType: store.ContentVideo, Visibility: store.VisibilityPurchasedOnly, PriceCents: &price,
		Status: store.ContentPublished, PublishedAt: ptrTo(time.Now()),
	}
	must(db.Content().Create(ctx, e.video))

	buy := func(u *store.User, c *store.Content, amount, fee, orgFee int, at string, st store.PurchaseStatus) {
		t.Helper()
		ts, err := time.Parse(time.RFC3339, at)
		must(err)
		must(db.Purchases().Create(ctx, &store.Purchase{
			CustomerID: u.ID, ContentID: c.ID, OrganizationID: *c.OrganizationID, AmountPaidCents: amount, Currency: "usd",
			PlatformFeeCents: fee, OrganizationFeeCents: orgFee, CreatorPayoutCents: amount - fee - orgFee,
			StripePaymentIntentID: "pi_" + uuid.NewString(), Status: st, PurchasedAt: &ts,
		}))
	}
	// In January 2025, org A: 2999 and 1001 (the last one late on the 31st)
	// count; a refunded 5000 and purchases just outside the month do not.
	buy(e.cust, e.c1, 2999, 300, 0, "2025-01-05T10:00:00Z", store.PurchaseCompleted)
	buy(e.cust2, e.c2, 1001, 101, 90, "2025-01-31T23:30:00Z", store.PurchaseCompleted)
	buy(e.cust2, e.c1, 5000, 500, 0, "2025-01-10T12:00:00Z", store.PurchaseRefunded)
	buy(e.cust, e.c2, 700, 70, 0, "2025-02-01T00:00:00Z", store.PurchaseCompleted)
	buy(e.cust2, e.c1, 400, 40, 0, "2024-12-31T23:59:59Z", store.PurchaseCompleted)
	// Org B: 8888 in January.
	buy(e.stranger, e.cB, 8888, 889, 0, "2025-01-15T08:00:00Z", store.PurchaseCompleted)
	return e
}

func ptrTo[T any](v T) *T { return &v }

func (e *adminEnv) get(t *testing.T, tok, target string) response {
	t.Helper()
	var hdr []string
	if tok != "" {
		hdr = bearer(tok)
	}
	return do(t, e.h, "GET", target, nil, hdr...)
}

func expectStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.body)
	}
}

func TestAdminRevenueMatchesPurchasesToTheCent(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	jan := "/api/admin/analytics/revenue?startDate=2025-01-01&endDate=2025-01-31"

	check := func(res response, total, count, aov, fee, orgFee, payout float64) []any {
		t.Helper()
		expectStatus(t, res, http.StatusOK)
		d := dataOf(t, res)
		is.Equal(d["totalRevenueCents"], total)
		is.Equal(d["totalPurchases"], count)
		is.Equal(d["averageOrderValueCents"], aov)
		is.Equal(d["platformFeeCents"], fee)
		is.Equal(d["organizationFeeCents"], orgFee)
		is.Equal(d["creatorPayoutCents"], payout)
		is.Equal(d["startDate"], "2025-01-01")
		is.Equal(d["endDate"], "2025-01-31")
		return d["revenueByDay"].([]any)
	}

	// the org admin, org named: refunded and out-of-range purchases excluded,
	// the whole last day included
	days := check(e.get(t, e.adminTok, jan+"&organizationId="+e.orgA.ID.String()), 4000, 2, 2000, 401, 90, 3509)
	is.Equal(len(days), 31) // every day of the range, ascending, zeros included
	for i, d := range days {
		day := d.(map[string]any)
		is.Equal(day["date"], fmt.Sprintf("2025-01-%02d", i+1))
		switch i + 1 {
		case 5:
			is.Equal(day["revenueCents"], 2999.0)
			is.Equal(day["purchaseCount"], 1.0)
		case 31:
			is.Equal(day["revenueCents"], 1001.0)
			is.Equal(day["purchaseCount"], 1.0)
		default:
			is.Equal(day["revenueCents"], 0.0)
			is.Equal(day["purchaseCount"], 0.0)
		}
	}
	// inferred: the admin manages exactly one organization
	check(e.get(t, e.adminTok, jan), 4000, 2, 2000, 401, 90, 3509)
	// the platform owner: platform-wide by default (AOV 12888/3 = 4296), or one org
	check(e.get(t, e.ownerTok, jan), 12888, 3, 4296, 1290, 90, 11508)
	check(e.get(t, e.ownerTok, jan+"&organizationId="+e.orgB.ID.String()), 8888, 1, 8888, 889, 0, 7999)

	// a timestamp end includes exactly that instant
	res := e.get(t, e.adminTok, "/api/admin/analytics/revenue?startDate=2025-01-01&endDate=2025-01-31T23:29:59Z")
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["totalRevenueCents"], 2999.0)

	// the default range is the last 30 days, today included
	res = e.get(t, e.adminTok, "/api/admin/analytics/revenue")
	expectStatus(t, res, http.StatusOK)
	d := dataOf(t, res)
	is.Equal(len(d["revenueByDay"].([]any)), 30)
	is.Equal(d["endDate"], time.Now().UTC().Format("2006-01-02"))
}

func TestAdminScoping(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	jan := "/api/admin/analytics/revenue?startDate=2025-01-01&endDate=2025-01-31"

	// an org admin never sees another organization's figures
	for _, p := range []string{jan, "/api/admin/analytics/customers", "/api/admin/analytics/top-content", "/api/admin/customers", "/api/admin/content"} {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		res := e.get(t, e.adminTok, p+sep+"organizationId="+e.orgB.ID.String())
		expectStatus(t, res, http.StatusForbidden)
		is.True(!strings.Contains(string(res.body), "8888"))
	}
	// org B's owner sees only org B
	res := e.get(t, e.bAdminTok, jan)
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["totalRevenueCents"], 8888.0)

	// customers are refused; anonymous callers must sign in
	expectStatus(t, e.get(t, e.custTok, jan), http.StatusForbidden)
	expectStatus(t, e.get(t, e.custTok, "/api/admin/status"), http.StatusForbidden)
	expectStatus(t, e.get(t, "", jan), http.StatusUnauthorized)
	expectStatus(t, e.get(t, "", "/api/admin/customers/whoever"), http.StatusUnauthorized)

	// a manager of two organizations must say which
	ctx := context.Background()
	if err := e.c.Store().Memberships().Create(ctx, &store.Membership{OrganizationID: e.orgB.ID, UserID: e.admin.ID, Role: store.MemberOwner, Status: store.MembershipActive}); err != nil {
		t.Fatal(err)
	}
	res = e.get(t, e.adminTok, jan)
	expectStatus(t, res, http.StatusBadRequest)
	is.Equal(errCodeOf(t, res), "ORG_CONTEXT_REQUIRED")
	is.True(res.fields(t)["query.organizationId"] != "")
	res = e.get(t, e.adminTok, jan+"&organizationId="+e.orgB.ID.String())
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["totalRevenueCents"], 8888.0)

	// a membership that lapses takes effect at once
	if _, err := e.c.Store().Memberships().Update(ctx, e.orgB.ID, e.admin.ID, store.MembershipPatch{Status: store.Some(store.MembershipInactive)}); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, e.get(t, e.adminTok, jan+"&organizationId="+e.orgB.ID.String()), http.StatusForbidden)

	// the platform owner: an unknown organization is a 404
	expectStatus(t, e.get(t, e.ownerTok, jan+"&organizationId="+uuid.NewString()), http.StatusNotFound)

	res = e.get(t, e.adminTok, "/api/admin/status")
	expectStatus(t, res, http.StatusOK)
	st := dataOf(t, res)
	is.Equal(st["status"], "ok")
	is.Equal(st["platformWide"], false)
	is.Equal(st["organizationIds"], []any{e.orgA.ID.String()})
}

func TestAdminAnalyticsBadInput(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	bad := func(target, field string) {
		t.Helper()
		res := e.get(t, e.ownerTok, target)
		expectStatus(t, res, http.StatusBadRequest)
		if _, ok := res.fields(t)[field]; !ok {
			t.Fatalf("%s: no error on %s: %s", target, field, res.body)
		}
	}
	rev := "/api/admin/analytics/revenue?"
	bad(rev+"startDate=2024-01-01&endDate=2025-01-02", "query.endDate") // 367 days
	bad(rev+"startDate=2025-02-01&endDate=2025-01-01", "query.startDate")
	bad(rev+"startDate=yesterday", "query.startDate")
	bad(rev+"endDate=2025-13-01", "query.endDate")
	bad(rev+"startDate=2020-01-01", "query.endDate") // open end is today: too long
	bad(rev+"organizationId=nope", "query.organizationId")
	bad("/api/admin/analytics/top-content?limit=0", "query.limit")
	bad("/api/admin/analytics/top-content?limit=101", "query.limit")
	bad("/api/admin/customers?page=0", "query.page")
	bad("/api/admin/content?status=live", "query.status")
	bad("/api/admin/content?contentType=book", "query.contentType")

	// a leap year, end date inclusive, is one allowed year of 366 days
	res := e.get(t, e.ownerTok, rev+"startDate=2024-01-01&endDate=2024-12-31")
	expectStatus(t, res, http.StatusOK)
	is.Equal(len(dataOf(t, res)["revenueByDay"].([]any)), 366)
}

func TestAdminTopContentAndCustomers(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)

	res := e.get(t, e.adminTok, "/api/admin/analytics/top-content")
	expectStatus(t, res, http.StatusOK)
	items := res.json(t)["data"].([]any)
	is.Equal(len(items), 2)
	first := items[0].(map[string]any)
	is.Equal(first["contentId"], e.c1.ID.String()) // 2999 + 400
	is.Equal(first["revenueCents"], 3399.0)
	is.Equal(first["purchaseCount"], 2.0)
	is.Equal(items[1].(map[string]any)["revenueCents"], 1701.0)

	res = e.get(t, e.adminTok, "/api/admin/analytics/top-content?startDate=2025-01-01&endDate=2025-01-31&limit=1")
	expectStatus(t, res, http.StatusOK)
	items = res.json(t)["data"].([]any)
	is.Equal(len(items), 1)
	is.Equal(items[0].(map[string]any)["revenueCents"], 2999.0)

	res = e.get(t, e.adminTok, "/api/admin/analytics/customers")
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["totalCustomers"], 2.0)
	is.Equal(dataOf(t, res)["newCustomersLast30Days"], 0.0) // every purchase is from 2025

	res = e.get(t, e.adminTok, "/api/admin/customers")
	expectStatus(t, res, http.StatusOK)
	d := dataOf(t, res)
	is.Equal(d["pagination"], map[string]any{"page": 1.0, "limit": 20.0, "total": 2.0, "totalPages": 1.0})
	list := d["items"].([]any)
	is.Equal(list[0].(map[string]any)["userId"], e.cust.ID) // 2999 + 700
	is.Equal(list[0].(map[string]any)["totalSpentCents"], 3699.0)
	is.Equal(list[1].(map[string]any)["totalSpentCents"], 1401.0)

	res = e.get(t, e.adminTok, "/api/admin/customers?search=SECOND.BUYER")
	expectStatus(t, res, http.StatusOK)
	list = dataOf(t, res)["items"].([]any)
	is.Equal(len(list), 1)
	is.Equal(list[0].(map[string]any)["userId"], e.cust2.ID)
	res = e.get(t, e.adminTok, "/api/admin/customers?search=%25")
	is.Equal(len(dataOf(t, res)["items"].([]any)), 0) // % is literal

	res = e.get(t, e.adminTok, "/api/admin/customers/"+e.cust2.ID)
	expectStatus(t, res, http.StatusOK)
	d = dataOf(t, res)
	is.Equal(d["totalSpentCents"], 1401.0)
	is.Equal(d["totalPurchases"], 2.0)
	hist := d["purchaseHistory"].([]any)
	is.Equal(len(hist), 2) // the refunded purchase is not history
	is.Equal(hist[0].(map[string]any)["amountPaidCents"], 1001.0)
	is.Equal(hist[0].(map[string]any)["contentTitle"], "Second Essay")

	res = e.get(t, e.adminTok, "/api/admin/customers/no-such-user")
	expectStatus(t, res, http.StatusNotFound)
	is.Equal(errCodeOf(t, res), "CUSTOMER_NOT_FOUND")
	// org B's customer is unknown to org A's admin
	expectStatus(t, e.get(t, e.adminTok, "/api/admin/customers/"+e.stranger.ID), http.StatusNotFound)
	expectStatus(t, e.get(t, e.ownerTok, "/api/admin/customers/"+e.stranger.ID), http.StatusOK)
}

func TestAdminGrantAndRevokeStopsStreaming(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	stream := func(tok string) response {
		return do(t, e.h, "GET", "/api/access/content/"+e.video.ID.String()+"/stream", nil, bearer(tok)...)
	}
	grantPath := "/api/admin/customers/" + e.cust.ID + "/grant-access/" + e.video.ID.String()

	res := stream(e.custTok)
	expectStatus(t, res, http.StatusForbidden)
	is.Equal(errCodeOf(t, res), "ACCESS_DENIED")

	res = do(t, e.h, "POST", grantPath, strings.NewReader(`{"reason":"Support ticket 42"}`), bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusOK)
	d := dataOf(t, res)
	is.Equal(d["success"], true)
	acc := d["access"].(map[string]any)
	is.Equal(acc["accessType"], "complimentary")
	is.Equal(acc["grantedBy"], e.admin.ID)
	is.Equal(acc["reason"], "Support ticket 42")
	g, err := e.c.Store().Access().Get(context.Background(), e.cust.ID, e.video.ID)
	is.NoErr(err)
	is.Equal(*g.GrantedBy, e.admin.ID)

	expectStatus(t, stream(e.custTok), http.StatusOK)

	res = do(t, e.h, "DELETE", grantPath, nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusNoContent)
	res = stream(e.custTok)
	expectStatus(t, res, http.StatusForbidden)
	is.Equal(errCodeOf(t, res), "ACCESS_DENIED")
	// nothing left to revoke
	res = do(t, e.h, "DELETE", grantPath, nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusNotFound)
	is.Equal(errCodeOf(t, res), "GRANT_NOT_FOUND")

	// no body, and an expiry, are both fine
	expectStatus(t, do(t, e.h, "POST", grantPath, nil, bearer(e.adminTok)...), http.StatusOK)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	expectStatus(t, do(t, e.h, "POST", grantPath, strings.NewReader(`{"expiresAt":"`+exp+`"}`), bearer(e.adminTok)...), http.StatusOK)
	expectStatus(t, stream(e.custTok), http.StatusOK)

	// a purchased grant is not the admin's to revoke
	is.NoErr(e.c.Store().Access().Upsert(context.Background(), &store.ContentAccess{
		UserID: e.cust.ID, ContentID: e.c1.ID, OrganizationID: e.orgA.ID, AccessType: store.AccessPurchased,
	}))
	res = do(t, e.h, "DELETE", "/api/admin/customers/"+e.cust.ID+"/grant-access/"+e.c1.ID.String(), nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusNotFound)
}

func TestAdminGrantBadInput(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	grant := func(tok, customer string, content uuid.UUID, body string) response {
		t.Helper()
		var b *strings.Reader
		if body != "" {
			b = strings.NewReader(body)
		}
		path := "/api/admin/customers/" + customer + "/grant-access/" + content.String()
		if b == nil {
			return do(t, e.h, "POST", path, nil, bearer(tok)...)
		}
		return do(t, e.h, "POST", path, b, bearer(tok)...)
	}
	// deleted content, another organization's content, unknown content
	expectStatus(t, grant(e.adminTok, e.cust.ID, e.gone.ID, ""), http.StatusNotFound)
	res := grant(e.adminTok, e.cust.ID, e.cB.ID, "")
	expectStatus(t, res, http.StatusNotFound)
	is.Equal(errCodeOf(t, res), "CONTENT_NOT_FOUND")
	expectStatus(t, grant(e.adminTok, e.cust.ID, uuid.New(), ""), http.StatusNotFound)
	// unknown customer; a user with no tie to the organization
	res = grant(e.adminTok, "no-such-user", e.c1.ID, "")
	expectStatus(t, res, http.StatusNotFound)
	is.Equal(errCodeOf(t, res), "CUSTOMER_NOT_FOUND")
	expectStatus(t, grant(e.adminTok, e.stranger.ID, e.c1.ID, ""), http.StatusNotFound)
	// bodies
	res = grant(e.adminTok, e.cust.ID, e.c1.ID, `{"expiresAt":"2001-01-01T00:00:00Z"}`)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.expiresAt"] != "")
	res = grant(e.adminTok, e.cust.ID, e.c1.ID, `{"expiresAt":"soon"}`)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.expiresAt"] != "")
	res = grant(e.adminTok, e.cust.ID, e.c1.ID, `{"reason":"`+strings.Repeat("x", 501)+`"}`)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.reason"] != "")
	res = grant(e.adminTok, e.cust.ID, e.c1.ID, `{"why":"x"}`)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.why"] != "")
	res = do(t, e.h, "POST", "/api/admin/customers/"+e.cust.ID+"/grant-access/nope", nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["params.contentId"] != "")
	// nothing was granted along the way
	_, err := e.c.Store().Access().Get(context.Background(), e.cust.ID, e.c1.ID)
	is.True(err != nil)
}

func TestAdminContentModeration(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	ctx := context.Background()

	res := e.get(t, e.adminTok, "/api/admin/content?status=published&search=essay")
	expectStatus(t, res, http.StatusOK)
	d := dataOf(t, res)
	items := d["items"].([]any)
	is.Equal(len(items), 2) // org A's live essays; the deleted one and org B's are not listed
	is.Equal(items[0].(map[string]any)["creator"], map[string]any{"id": e.admin.ID, "email": e.admin.Email, "name": e.admin.Name})
	res = e.get(t, e.ownerTok, "/api/admin/content?contentType=written")
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["pagination"].(map[string]any)["total"], 3.0)

	// unpublish then publish; another org's content is a 404
	res = do(t, e.h, "POST", "/api/admin/content/"+e.c1.ID.String()+"/unpublish", nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["status"], "draft")
	res = do(t, e.h, "POST", "/api/admin/content/"+e.c1.ID.String()+"/publish", nil, bearer(e.adminTok)...)
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["status"], "published")
	is.Equal(dataOf(t, res)["creator"].(map[string]any)["id"], e.admin.ID)
	expectStatus(t, do(t, e.h, "POST", "/api/admin/content/"+e.cB.ID.String()+"/unpublish", nil, bearer(e.adminTok)...), http.StatusNotFound)

	// publishing video needs ready media, as in the content service
	m := &store.MediaItem{CreatorID: e.admin.ID, Title: "raw", MediaType: store.MediaVideo, Status: store.MediaUploading, R2Key: e.admin.ID + "/originals/raw.mp4"}
	is.NoErr(e.c.Store().Media().Create(ctx, m))
	draft := &store.Content{CreatorID: e.admin.ID, OrganizationID: &e.orgA.ID, MediaItemID: &m.ID, Title: "Raw", Slug: "raw",
		ContentType: store.ContentVideo, Visibility: store.VisibilityPublic, Status: store.ContentDraft}
	is.NoErr(e.c.Store().Content().Create(ctx, draft))
	res = do(t, e.h, "POST", "/api/admin/content/"+draft.ID.String()+"/publish", nil, bearer(e.ownerTok)...)
	expectStatus(t, res, http.StatusUnprocessableEntity)
	is.Equal(errCodeOf(t, res), "MEDIA_NOT_READY")

	// delete: 204, then 404
	expectStatus(t, do(t, e.h, "DELETE", "/api/admin/content/"+e.c2.ID.String(), nil, bearer(e.adminTok)...), http.StatusNoContent)
	expectStatus(t, do(t, e.h, "DELETE", "/api/admin/content/"+e.c2.ID.String(), nil, bearer(e.adminTok)...), http.StatusNotFound)
	expectStatus(t, do(t, e.h, "DELETE", "/api/admin/content/"+e.cB.ID.String(), nil, bearer(e.adminTok)...), http.StatusNotFound)
	_, err := e.c.Store().Content().Get(ctx, e.cB.ID)
	is.NoErr(err) // untouched
}

func TestAdminRoleChange(t *testing.T) {
	is := is.New(t)
	e := newAdminEnv(t)
	path := "/api/admin/users/" + e.cust.ID + "/role"

	// only platform owners; the org admin is refused
	expectStatus(t, do(t, e.h, "PATCH", path, strings.NewReader(`{"role":"creator"}`), bearer(e.adminTok)...), http.StatusForbidden)
	res := do(t, e.h, "PATCH", path, strings.NewReader(`{"role":"creator"}`), bearer(e.ownerTok)...)
	expectStatus(t, res, http.StatusOK)
	is.Equal(dataOf(t, res)["role"], "creator")
	// the customer's sessions ended with the change
	expectStatus(t, do(t, e.h, "GET", "/api/access/content/"+e.video.ID.String()+"/stream", nil, bearer(e.custTok)...), http.StatusUnauthorized)

	res = do(t, e.h, "PATCH", path, strings.NewReader(`{"role":"emperor"}`), bearer(e.ownerTok)...)
	expectStatus(t, res, http.StatusBadRequest)
	res = do(t, e.h, "PATCH", path, strings.NewReader(`{}`), bearer(e.ownerTok)...)
	expectStatus(t, res, http.StatusBadRequest)
	is.True(res.fields(t)["body.role"] != "")
	expectStatus(t, do(t, e.h, "PATCH", "/api/admin/users/nobody/role", strings.NewReader(`{"role":"creator"}`), bearer(e.ownerTok)...), http.StatusNotFound)
}
