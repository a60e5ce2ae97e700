package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/matryer/is"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/postgres"
)

// Each test binary migrates one template database once; every store a test
// asks for is a copy of it (CREATE DATABASE … TEMPLATE is a file copy, far
// faster than migrating), dropped when the test ends.
var (
	baseURL    string        // CODEX_TEST_DATABASE_URL
	admin      *pgxpool.Pool // connection to the server's maintenance database
	templateDB string        // migrated template, "" when setup failed
	setupErr   error
)

func TestMain(m *testing.M) {
	baseURL = os.Getenv("CODEX_TEST_DATABASE_URL")
	if baseURL != "" {
		setupErr = setup()
	}
	code := m.Run()
	if admin != nil {
		if templateDB != "" {
			dropDatabase(templateDB)
		}
		admin.Close()
	}
	os.Exit(code)
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	admin, err = pgxpool.New(ctx, baseURL)
	if err != nil {
		return err
	}
	name := randomName("codex_tpl")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	templateDB = name
	s, err := postgres.Open(ctx, dbURL(name))
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.Migrate(ctx)
	return err
}

// needDB skips the test without a database, except under CI, where a
// missing database must fail the run rather than pass it silently.
func needDB(t *testing.T) {
	t.Helper()
	if baseURL == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CODEX_TEST_DATABASE_URL is not set (required when CI=true)")
		}
		t.Skip("CODEX_TEST_DATABASE_URL is not set")
	}
	if setupErr != nil {
		t.Fatalf("test database setup: %v", setupErr)
	}
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// dbURL is the test URL pointed at another database on the same server.
func dbURL(name string) string {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		panic("CODEX_TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

// createDatabase makes an empty database (template "" = template1 with no
// schema) dropped when t ends, and returns its name.
func createDatabase(t *testing.T, template string) string {
	t.Helper()
	name := randomName("codex_t")
	sql := "CREATE DATABASE " + name
	if template != "" {
		sql += " TEMPLATE " + template
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for range 5 {
		// Two copies of one template may collide briefly on its lock.
		if _, err = admin.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return name
}

func openDB(t *testing.T, name string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, dbURL(name))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	// Registered after the drop, so it runs before it: pools close first.
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	needDB(t)
	return openDB(t, createDatabase(t, templateDB))
}

func TestMigrate(t *testing.T) {
	needDB(t)
	is := is.New(t)
	ctx := context.Background()
	s := openDB(t, createDatabase(t, ""))

	versions, tables := embeddedMigrations(t)
	applied, err := s.Migrate(ctx)
	is.NoErr(err)
	is.Equal(applied, versions)

	var fees, bps int
	is.NoErr(s.Pool().QueryRow(ctx, "SELECT count(*), max(platform_fee_percentage) FROM platform_fee_config").Scan(&fees, &bps))
	is.Equal(fees, 1)   // the seed row
	is.Equal(bps, 1000) // 10 %
	rows, err := s.Pool().Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name COLLATE "C"`)
	is.NoErr(err)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	is.NoErr(err)
	is.Equal(got, tables) // every table the migrations create, and no other (no test_table)

	applied, err = s.Migrate(ctx)
	is.NoErr(err)
	is.Equal(len(applied), 0) // nothing left to apply
	is.True(applied != nil)

	fee, err := s.Fees().CurrentPlatformFee(ctx, time.Now())
	is.NoErr(err)
	is.Equal(fee.FeeBps, store.DefaultPlatformFeeBps)
}

func TestMigrateConcurrently(t *testing.T) {
	needDB(t)
	is := is.New(t)
	name := createDatabase(t, "")
	a, b := openDB(t, name), openDB(t, name)

	var wg sync.WaitGroup
	results := make([][]string, 2)
	errs := make([]error, 2)
	for i, s := range []*postgres.Store{a, b} {
		wg.Go(func() { results[i], errs[i] = s.Migrate(context.Background()) })
	}
	wg.Wait()
	is.NoErr(errs[0])
	is.NoErr(errs[1])
	is.True(len(results[0]) == 0 || len(results[1]) == 0) // applied once, by whichever got the lock first
	versions, _ := embeddedMigrations(t)
	is.Equal(append(results[0], results[1]...), versions) // every migration
}

// embeddedMigrations reads the migrations directory the package embeds:
// the versions Migrate should apply, in order, and the sorted names of the
// tables they create (less those a later one drops). Deriving both from
// the files keeps these tests right as migrations are added.
func embeddedMigrations(t *testing.T) (versions, tables []string) {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v (%d files)", err, len(files))
	}
	sort.Strings(files)
	create := regexp.MustCompile(`(?im)^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)
	drop := regexp.MustCompile(`(?im)^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)`)
	set := map[string]bool{}
	for _, f := range files {
		versions = append(versions, strings.TrimSuffix(filepath.Base(f), ".sql"))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range create.FindAllStringSubmatch(string(b), -1) {
			set[strings.ToLower(m[1])] = true
		}
		for _, m := range drop.FindAllStringSubmatch(string(b), -1) {
			delete(set, strings.ToLower(m[1]))
		}
	}
	for n := range set {
		tables = append(tables, n)
	}
	sort.Strings(tables)
	return versions, tables
}

// fixture creates a creator, an organization and one published content item
// in it.
func fixture(t *testing.T, s store.Store) (*store.User, *store.Organization, *store.Content) {
	t.Helper()
	is := is.NewRelaxed(t)
	ctx := context.Background()
	u := &store.User{Name: "Ada", Email: randomName("ada") + "@example.com", Role: store.RoleCreator}
	is.NoErr(s.Users().Create(ctx, u))
	o := &store.Organization{Name: "Org", Slug: strings.ReplaceAll(randomName("org"), "_", "-")}
	is.NoErr(s.Organizations().Create(ctx, o))
	now := time.Now()
	c := &store.Content{
		CreatorID: u.ID, OrganizationID: &o.ID, Title: "Essay", Slug: "essay",
		ContentType: store.ContentWritten, Visibility: store.VisibilityPublic,
		Status: store.ContentPublished, PublishedAt: &now,
	}
	is.NoErr(s.Content().Create(ctx, c))
	return u, o, c
}

func TestOrgHardDeleteUnpublishesContent(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	_, o, c := fixture(t, s)

	_, err := s.Pool().Exec(ctx, "DELETE FROM organizations WHERE id = $1", o.ID)
	is.NoErr(err)

	got, err := s.Content().Get(ctx, c.ID)
	is.NoErr(err)
	is.Equal(got.OrganizationID, nil)        // FK SET NULL
	is.Equal(got.Status, store.ContentDraft) // not published on the creator's page
	is.Equal(got.PublishedAt, nil)
}

func TestMoveToPersonalKeepsStatus(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	_, _, c := fixture(t, s)

	got, err := s.Content().Update(ctx, c.ID, store.ContentPatch{OrganizationID: store.Some[*uuid.UUID](nil)})
	is.NoErr(err)
	is.Equal(got.OrganizationID, nil)
	is.Equal(got.Status, store.ContentPublished) // the organization still exists: the creator chose this
	is.True(got.PublishedAt != nil)
}

func TestCancelledContext(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	u, _, _ := fixture(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Users().Get(ctx, u.ID)
	is.True(errors.Is(err, context.Canceled))

	// A deadline ends a statement that is already waiting on the server:
	// here a row lock held by another transaction.
	bg := context.Background()
	tx, err := s.Pool().Begin(bg)
	is.NoErr(err)
	defer tx.Rollback(bg)
	_, err = tx.Exec(bg, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", u.ID)
	is.NoErr(err)

	ctx, cancel = context.WithTimeout(bg, 200*time.Millisecond)
	defer cancel()
	_, err = s.Users().Update(ctx, u.ID, store.UserPatch{Name: store.Some("Grace")})
	is.True(errors.Is(err, context.DeadlineExceeded))
	is.True(!errors.Is(err, fault.Internal))
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	is := is.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	is.NoErr(err)
	addr := l.Addr().String()
	l.Close() // nothing listens there any more

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr))
	if err == nil {
		defer s.Close()
		err = s.Ping(ctx)
	}
	is.True(err != nil)
	is.True(errors.Is(err, fault.Unavailable)) // the server answers 503, not 500
}

func TestDroppedDatabaseIsUnavailable(t *testing.T) {
	is := is.New(t)
	needDB(t)
	name := createDatabase(t, templateDB)
	s := openDB(t, name)
	ctx := context.Background()
	is.NoErr(s.Ping(ctx))

	is.NoErr(dropDatabase(name))
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := s.Ping(ctx)
	if err == nil {
		err = s.Ping(ctx) // the first ping may find its connection already replaced
	}
	is.True(errors.Is(err, fault.Unavailable))
}

func TestConstraintErrors(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	u, o, c := fixture(t, s)

	err := s.Users().Create(ctx, &store.User{Name: "Dup", Email: u.Email, Role: store.RoleCustomer})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintUserEmail))
	is.True(errors.Is(err, fault.Conflict))

	err = s.Organizations().Create(ctx, &store.Organization{Name: "Again", Slug: o.Slug})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintOrgSlug))

	err = s.Content().Create(ctx, &store.Content{
		CreatorID: u.ID, OrganizationID: &o.ID, Title: "Again", Slug: c.Slug,
		ContentType: store.ContentWritten, Visibility: store.VisibilityPublic, Status: store.ContentDraft,
	})
	is.True(store.IsConstraint(err, store.Unique, store.ConstraintContentSlugOrg))

	err = s.Memberships().Create(ctx, &store.Membership{
		OrganizationID: o.ID, UserID: "nobody", Role: store.MemberMember, Status: store.MembershipActive,
	})
	is.True(store.IsConstraint(err, store.ForeignKey, "organization_memberships_user_id_fkey"))
	is.True(errors.Is(err, fault.Unprocessable))

	err = s.Purchases().Create(ctx, &store.Purchase{
		CustomerID: u.ID, ContentID: c.ID, OrganizationID: o.ID, AmountPaidCents: 100,
		PlatformFeeCents: 10, CreatorPayoutCents: 80, StripePaymentIntentID: "pi_1",
		Status: store.PurchaseCompleted, Currency: "usd",
	})
	is.True(store.IsConstraint(err, store.Check, store.ConstraintRevenueSplit))
	is.True(errors.Is(err, fault.Invalid))

	m := &store.MediaItem{CreatorID: u.ID, Title: "Clip", MediaType: store.MediaVideo, Status: store.MediaUploading, R2Key: "k", TranscodingPriority: 2}
	is.NoErr(s.Media().Create(ctx, m))
	_, err = s.Media().Update(ctx, m.ID, store.MediaPatch{Status: store.Some(store.MediaReady)})
	is.True(store.IsConstraint(err, store.Check, store.ConstraintMediaReady))

	err = s.Templates().Create(ctx, &store.EmailTemplate{Name: "x", Scope: "bogus", Status: store.TemplateDraft})
	is.True(store.IsConstraint(err, store.Check, ""))

	_, err = s.Users().Get(ctx, "missing")
	is.True(errors.Is(err, store.ErrNotFound))
}

func TestRunInTxRollsBack(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	boom := errors.New("boom")

	err := s.RunInTx(ctx, func(tx store.Repos) error {
		is.NoErr(tx.Users().Create(ctx, &store.User{ID: "rolledback", Name: "A", Email: "a@example.com", Role: store.RoleCustomer}))
		return boom
	})
	is.Equal(err, boom)
	_, err = s.Users().Get(ctx, "rolledback")
	is.True(errors.Is(err, store.ErrNotFound))

	func() {
		defer func() { is.Equal(recover(), "panic in tx") }()
		_ = s.RunInTx(ctx, func(tx store.Repos) error {
			is.NoErr(tx.Users().Create(ctx, &store.User{ID: "panicked", Name: "B", Email: "b@example.com", Role: store.RoleCustomer}))
			panic("panic in tx")
		})
	}()
	_, err = s.Users().Get(ctx, "panicked")
	is.True(errors.Is(err, store.ErrNotFound))

	is.NoErr(s.RunInTx(ctx, func(tx store.Repos) error {
		return tx.Users().Create(ctx, &store.User{ID: "committed", Name: "C", Email: "c@example.com", Role: store.RoleCustomer})
	}))
	_, err = s.Users().Get(ctx, "committed")
	is.NoErr(err)
}

func TestFailedStatementDoesNotAbortTx(t *testing.T) {
	is := is.New(t)
	s := newStore(t)
	ctx := context.Background()
	u, _, _ := fixture(t, s)

	// The idempotent-webhook pattern: insert, and on a duplicate read the
	// existing row, all in one transaction.
	var existing *store.User
	err := s.RunInTx(ctx, func(tx store.Repos) error {
		err := tx.Users().Create(ctx, &store.User{Name: "Dup", Email: u.Email, Role: store.RoleCustomer})
		if !store.IsConstraint(err, store.Unique, store.ConstraintUserEmail) {
			return fmt.Errorf("want unique violation, got %v", err)
		}
		existing, err = tx.Users().GetByEmail(ctx, u.Email)
		if err != nil {
			return err
		}
		return tx.Users().Create(ctx, &store.User{ID: "after", Name: "After", Email: "after@example.com", Role: store.RoleCustomer})
	})
	is.NoErr(err)
	is.Equal(existing.ID, u.ID)
	_, err = s.Users().Get(ctx, "after")
	is.NoErr(err) // committed
}
