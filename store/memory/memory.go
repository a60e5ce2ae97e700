// Package memory is the in-memory store.Store: the embedded default when no
// database is configured, and the fast store for tests. It keeps every
// constraint of the PostgreSQL schema (unique, foreign key and check
// constraints, with the same names), so code tested against it behaves the
// same on store/postgres; store/storetest holds both to that.
//
// Data lives only as long as the process.
package memory

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"sync"
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

// Store is an in-memory database. It is safe for concurrent use: calls on
// the Store lock it for their own duration, and RunInTx holds the write lock
// for the whole transaction, so transactions are serializable.
type Store struct {
	mu  sync.RWMutex
	st  *state
	now func() time.Time
	repos
}

var _ store.Store = (*Store)(nil)

// New returns an empty store holding only the seeded platform fee, like a
// freshly migrated PostgreSQL database.
func New() *Store {
	s := &Store{st: newState(), now: time.Now}
	s.repos = repos{&db{s: s}}
	created := dbTime(s.now())
	seed := &store.PlatformFee{
		ID:            uuid.New(),
		FeeBps:        store.DefaultPlatformFeeBps,
		EffectiveFrom: time.Unix(0, 0).UTC(),
		CreatedAt:     created,
		UpdatedAt:     created,
	}
	s.st.platformFees[seed.ID] = seed
	return s
}

// RunInTx runs fn against a private copy of the data and publishes the copy
// only when fn returns nil; an error or a panic (re-raised after) discards
// it. The write lock is held throughout, so fn must use only tx: calling
// the Store itself from fn deadlocks. tx must not be kept after fn returns.
func (s *Store) RunInTx(ctx context.Context, fn func(tx store.Repos) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &txState{st: s.st.clone()}
	defer func() {
		t.mu.Lock()
		t.done = true
		t.mu.Unlock()
	}()
	if err := fn(repos{&db{s: s, tx: t}}); err != nil {
		return err
	}
	// A transaction whose context ended may have been cut short by it; the
	// PostgreSQL store could not commit it either.
	if err := ctx.Err(); err != nil {
		return err
	}
	s.st = t.st
	return nil
}

// Ping reports whether ctx is still live; there is nothing else to reach.
func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }

// Close does nothing: there are no connections. The data stays readable.
func (s *Store) Close() error { return nil }

// errTxDone guards against a transaction's repos being used after fn
// returned, which would write to a copy nobody will ever publish.
var errTxDone = errors.New("memory: transaction already finished")

type txState struct {
	mu   sync.Mutex // fn may hand tx to goroutines; PostgreSQL would serialise them on the connection
	st   *state
	done bool
}

// db routes a repository call either to the shared state under the Store's
// lock or to a transaction's private state.
type db struct {
	s  *Store
	tx *txState
}

func (d *db) read(ctx context.Context, fn func(st *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.tx != nil {
		return d.inTx(fn)
	}
	d.s.mu.RLock()
	defer d.s.mu.RUnlock()
	return fn(d.s.st)
}

// write runs fn under the write lock. fn must validate everything before
// it changes anything: a failed statement leaves no trace, as in
// PostgreSQL.
func (d *db) write(ctx context.Context, fn func(st *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.tx != nil {
		return d.inTx(fn)
	}
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	return fn(d.s.st)
}

func (d *db) inTx(fn func(st *state) error) error {
	d.tx.mu.Lock()
	defer d.tx.mu.Unlock()
	if d.tx.done {
		return errTxDone
	}
	return fn(d.tx.st)
}

// now is the store clock at PostgreSQL precision.
func (d *db) now() time.Time { return dbTime(d.s.now()) }

// state is every table. Records in it are never modified in place: a write
// stores a fresh copy, which makes cloning the state for a transaction a
// matter of copying the maps.
type state struct {
	users           map[string]*store.User
	usersByEmail    map[string]string
	accounts        map[string]*store.Account
	sessions        map[string]*store.Session
	sessionsByToken map[string]string
	verifications   map[string]*store.Verification

	orgs        map[uuid.UUID]*store.Organization
	orgsBySlug  map[string]uuid.UUID // includes deleted orgs: their slugs stay taken
	memberships map[uuid.UUID]*store.Membership
	settings    map[uuid.UUID]*store.OrgSettings

	media    map[uuid.UUID]*store.MediaItem
	content  map[uuid.UUID]*store.Content
	access   map[uuid.UUID]*store.ContentAccess
	playback map[uuid.UUID]*store.Playback

	purchases         map[uuid.UUID]*store.Purchase
	purchasesByIntent map[string]uuid.UUID
	platformFees      map[uuid.UUID]*store.PlatformFee
	orgAgreements     map[uuid.UUID]*store.OrgPlatformAgreement
	creatorAgreements map[uuid.UUID]*store.CreatorOrgAgreement

	templates map[uuid.UUID]*store.EmailTemplate
	emailLog  map[uuid.UUID]*store.EmailLog
	optOuts   map[string]*store.EmailOptOut
}

func newState() *state {
	return &state{
		users:             map[string]*store.User{},
		usersByEmail:      map[string]string{},
		accounts:          map[string]*store.Account{},
		sessions:          map[string]*store.Session{},
		sessionsByToken:   map[string]string{},
		verifications:     map[string]*store.Verification{},
		orgs:              map[uuid.UUID]*store.Organization{},
		orgsBySlug:        map[string]uuid.UUID{},
		memberships:       map[uuid.UUID]*store.Membership{},
		settings:          map[uuid.UUID]*store.OrgSettings{},
		media:             map[uuid.UUID]*store.MediaItem{},
		content:           map[uuid.UUID]*store.Content{},
		access:            map[uuid.UUID]*store.ContentAccess{},
		playback:          map[uuid.UUID]*store.Playback{},
		purchases:         map[uuid.UUID]*store.Purchase{},
		purchasesByIntent: map[string]uuid.UUID{},
		platformFees:      map[uuid.UUID]*store.PlatformFee{},
		orgAgreements:     map[uuid.UUID]*store.OrgPlatformAgreement{},
		creatorAgreements: map[uuid.UUID]*store.CreatorOrgAgreement{},
		templates:         map[uuid.UUID]*store.EmailTemplate{},
		emailLog:          map[uuid.UUID]*store.EmailLog{},
		optOuts:           map[string]*store.EmailOptOut{},
	}
}

func (st *state) clone() *state {
	return &state{
		users:             maps.Clone(st.users),
		usersByEmail:      maps.Clone(st.usersByEmail),
		accounts:          maps.Clone(st.accounts),
		sessions:          maps.Clone(st.sessions),
		sessionsByToken:   maps.Clone(st.sessionsByToken),
		verifications:     maps.Clone(st.verifications),
		orgs:              maps.Clone(st.orgs),
		orgsBySlug:        maps.Clone(st.orgsBySlug),
		memberships:       maps.Clone(st.memberships),
		settings:          maps.Clone(st.settings),
		media:             maps.Clone(st.media),
		content:           maps.Clone(st.content),
		access:            maps.Clone(st.access),
		playback:          maps.Clone(st.playback),
		purchases:         maps.Clone(st.purchases),
		purchasesByIntent: maps.Clone(st.purchasesByIntent),
		platformFees:      maps.Clone(st.platformFees),
		orgAgreements:     maps.Clone(st.orgAgreements),
		creatorAgreements: maps.Clone(st.creatorAgreements),
		templates:         maps.Clone(st.templates),
		emailLog:          maps.Clone(st.emailLog),
		optOuts:           maps.Clone(st.optOuts),
	}
}

// Foreign key targets. Soft-deleted rows still exist for PostgreSQL.

func (st *state) userExists(id string) bool { _, ok := st.users[id]; return ok }

func (st *state) orgExists(id uuid.UUID) bool { _, ok := st.orgs[id]; return ok }

func (st *state) mediaExists(id uuid.UUID) bool { _, ok := st.media[id]; return ok }

func (st *state) contentExists(id uuid.UUID) bool { _, ok := st.content[id]; return ok }

// repos hands out repositories bound to one db (the Store's or a tx's).
type repos struct{ d *db }

func (r repos) Users() store.UserRepo                 { return userRepo(r) }
func (r repos) Accounts() store.AccountRepo           { return accountRepo(r) }
func (r repos) Sessions() store.SessionRepo           { return sessionRepo(r) }
func (r repos) Verifications() store.VerificationRepo { return verificationRepo(r) }
func (r repos) Organizations() store.OrganizationRepo { return orgRepo(r) }
func (r repos) Memberships() store.MembershipRepo     { return membershipRepo(r) }
func (r repos) OrgSettings() store.OrgSettingsRepo    { return settingsRepo(r) }
func (r repos) Media() store.MediaRepo                { return mediaRepo(r) }
func (r repos) Content() store.ContentRepo            { return contentRepo(r) }
func (r repos) Access() store.AccessRepo              { return accessRepo(r) }
func (r repos) Playback() store.PlaybackRepo          { return playbackRepo(r) }
func (r repos) Purchases() store.PurchaseRepo         { return purchaseRepo(r) }
func (r repos) Fees() store.FeeRepo                   { return feeRepo(r) }
func (r repos) Templates() store.TemplateRepo         { return templateRepo(r) }
func (r repos) EmailLog() store.EmailLogRepo          { return emailLogRepo(r) }

// ---- errors ----

func uniqueErr(name string) error {
	return &store.ConstraintError{Kind: store.Unique, Constraint: name}
}

func fkErr(table, column string) error {
	return &store.ConstraintError{Kind: store.ForeignKey, Constraint: table + "_" + column + "_fkey"}
}

func checkErr(name string) error {
	return &store.ConstraintError{Kind: store.Check, Constraint: name}
}

// ---- copying and time ----

// dbTime is t as PostgreSQL gives it back: UTC, microsecond precision
// (pgx truncates when it encodes).
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

var timeType = reflect.TypeFor[time.Time]()

// clone deep-copies a record so that neither the caller nor the store can
// change the other's copy through a pointer or slice field. Nil slices
// stay nil and empty ones empty, as jsonb NULL and [] differ.
func clone[T any](src *T) *T {
	if src == nil {
		return nil
	}
	dst := new(T)
	copyValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem())
	return dst
}

func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Struct:
		if src.Type() == timeType {
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			copyValue(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}

// normalize rounds every time in a freshly cloned record to what
// PostgreSQL would store, so both stores return identical values.
func normalize[T any](rec *T) {
	normalizeValue(reflect.ValueOf(rec).Elem())
}

func normalizeValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalizeValue(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(dbTime(v.Interface().(time.Time))))
			return
		}
		for i := range v.NumField() {
			normalizeValue(v.Field(i))
		}
	}
}

// fresh detaches a record built by the caller (or from a patch) and rounds
// its times: the form in which it goes into the state.
func fresh[T any](rec *T) *T {
	c := clone(rec)
	normalize(c)
	return c
}

func set[T any](dst *T, o store.Opt[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// softDelete stamps deleted_at and updated_at on the live row id of table,
// as a soft delete in PostgreSQL does; a missing or already deleted row is
// ErrNotFound. stamps returns the row's two timestamp fields.
func softDelete[T any](table map[uuid.UUID]*T, id uuid.UUID, now time.Time, stamps func(*T) (**time.Time, *time.Time)) error {
	old, ok := table[id]
	if !ok {
		return store.ErrNotFound
	}
	if deleted, _ := stamps(old); *deleted != nil {
		return store.ErrNotFound
	}
	n := clone(old)
	deleted, updated := stamps(n)
	*deleted, *updated = &now, now
	table[id] = n
	return nil
}

func orNil[T any](ok bool, v *T) (*T, error) {
	if !ok {
		return nil, store.ErrNotFound
	}
	return clone(v), nil
}

func newUUID(id uuid.UUID) uuid.UUID {
	if id == uuid.Nil {
		return uuid.New()
	}
	return id
}
