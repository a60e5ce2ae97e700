// Command grantbench measures the streaming-grant endpoint end to end
// against PostgreSQL, next to a floor: a bare net/http handler that runs
// the same queries with pgx and signs the same grant, with no middleware,
// no services and no error envelopes. Both are driven over loopback HTTP by
// the same load generator, so the difference is what Codex's layers cost.
//
//	go run ./cmd/grantbench -db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// It creates a throwaway database, seeds a creator, a customer with a
// completed purchase of one paid, published video, and drops the database
// when done.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/access"
	"github.com/codexforgo/codex/auth"
	"github.com/codexforgo/codex/ratelimit"
	"github.com/codexforgo/codex/server"
	"github.com/codexforgo/codex/store"
)

func main() {
	dbURL := flag.String("db", os.Getenv("CODEX_TEST_DATABASE_URL"), "PostgreSQL URL of a server where a throwaway database may be created")
	conc := flag.Int("c", 16, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "duration of each run")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the server run to this file")
	flag.Parse()
	profile = *cpuProfile
	if *dbURL == "" {
		log.Fatal("grantbench: -db or CODEX_TEST_DATABASE_URL is required")
	}
	if err := run(*dbURL, *conc, *dur); err != nil {
		log.Fatal(err)
	}
}

var profile string

func run(baseURL string, conc int, dur time.Duration) error {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	name := "grantbench_" + randHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE "+name+" WITH (FORCE)")
	u, _ := url.Parse(baseURL)
	u.Path = "/" + name
	dbURL := u.String()

	// A high streaming limit: the benchmark measures the work, not the
	// limiter's refusal (60 per minute per user).
	c, err := codex.New(ctx, codex.Config{
		DatabaseURL: dbURL, MigrateOnStart: true, DataDir: os.TempDir() + "/" + name,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimits: map[string]ratelimit.Preset{"streaming": {Name: "streaming", Window: time.Minute, Max: 1 << 30, Prefix: "rl:stream:"}},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	defer os.RemoveAll(os.TempDir() + "/" + name)

	token, contentID, err := seed(ctx, c)
	if err != nil {
		return err
	}
	srv := httptest.NewServer(server.New(c).Handler(server.Content))
	defer srv.Close()

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	floor := httptest.NewServer(floorHandler(pool, c.Access().Signer(), c.Config().PublicURL))
	defer floor.Close()

	path := "/api/access/content/" + contentID.String() + "/stream"
	hdr := map[string]string{"Authorization": "Bearer " + token}
	// Warm both: pools, session cache, statement caches.
	load(floor.URL+path, hdr, conc, time.Second)
	load(srv.URL+path, hdr, conc, time.Second)

	// Alternate short rounds so that load from elsewhere on the machine
	// falls on both sides alike.
	const rounds = 6
	var fl, sv result
	for i := range rounds {
		if profile != "" && i == 0 {
			f, err := os.Create(profile)
			if err != nil {
				return err
			}
			defer f.Close()
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		fl = fl.merge(load(floor.URL+path, hdr, conc, dur/rounds))
		sv = sv.merge(load(srv.URL+path, hdr, conc, dur/rounds))
	}
	fmt.Printf("concurrency %d, %s per side in %d alternating rounds, loopback HTTP\n", conc, dur, rounds)
	fmt.Printf("floor  (pgx + sign, bare net/http): %s\n", fl)
	fmt.Printf("server (codex content-api surface):  %s\n", sv)
	fmt.Printf("server / floor throughput: %.0f%%\n", 100*sv.rps/fl.rps)
	return nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// seed creates the cast and returns the customer's session token and the
// paid content they bought.
func seed(ctx context.Context, c *codex.Codex) (string, uuid.UUID, error) {
	db := c.Store()
	mkUser := func(email string, role store.Role) (*store.User, error) {
		u, err := c.Auth().SignUp(ctx, auth.SignUp{Email: email, Password: "bench password 1", Name: email})
		if err != nil {
			return nil, err
		}
		return db.Users().Update(ctx, u.ID, store.UserPatch{EmailVerified: store.Some(true), Role: store.Some(role)})
	}
	creator, err := mkUser("creator@bench.test", store.RoleCreator)
	if err != nil {
		return "", uuid.Nil, err
	}
	cust, err := mkUser("customer@bench.test", store.RoleCustomer)
	if err != nil {
		return "", uuid.Nil, err
	}
	org := &store.Organization{Name: "Bench", Slug: "bench"}
	if err := db.Organizations().Create(ctx, org); err != nil {
		return "", uuid.Nil, err
	}
	m := &store.MediaItem{ID: uuid.New(), CreatorID: creator.ID, Title: "m", MediaType: store.MediaVideo, Status: store.MediaReady,
		R2Key: "x", TranscodingPriority: 2}
	master := access.HLSPrefix(creator.ID, m.ID) + "master.m3u8"
	thumb, d := "t.jpg", 60
	m.HLSMasterPlaylistKey, m.ThumbnailKey, m.DurationSeconds = &master, &thumb, &d
	if err := db.Media().Create(ctx, m); err != nil {
		return "", uuid.Nil, err
	}
	price := 999
	ct := &store.Content{CreatorID: creator.ID, OrganizationID: &org.ID, MediaItemID: &m.ID, Title: "Film", Slug: "film",
		ContentType: store.ContentVideo, Visibility: store.VisibilityPurchasedOnly, PriceCents: &price, Status: store.ContentPublished}
	if err := db.Content().Create(ctx, ct); err != nil {
		return "", uuid.Nil, err
	}
	now := time.Now()
	if err := db.Purchases().Create(ctx, &store.Purchase{CustomerID: cust.ID, ContentID: ct.ID, OrganizationID: org.ID,
		AmountPaidCents: 999, Currency: "usd", PlatformFeeCents: 100, CreatorPayoutCents: 899,
		StripePaymentIntentID: "pi_bench", Status: store.PurchaseCompleted, PurchasedAt: &now}); err != nil {
		return "", uuid.Nil, err
	}
	s, err := c.Auth().SignIn(ctx, auth.SignIn{Email: cust.Email, Password: "bench password 1"})
	if err != nil {
		return "", uuid.Nil, err
	}
	return s.Token, ct.ID, nil
}

// The column lists of store/postgres: the floor issues the very SQL the
// store does.
const (
	contentCols = `id, creator_id, organization_id, media_item_id, title, slug, description, content_type,
	thumbnail_url, content_body, category, tags, visibility, price_cents, status, published_at, view_count,
	purchase_count, created_at, updated_at, deleted_at`
	mediaCols = `id, creator_id, title, description, media_type, status, r2_key, file_size_bytes, mime_type,
	duration_seconds, width, height, hls_master_playlist_key, hls_preview_key, thumbnail_key, waveform_key,
	waveform_image_key, runpod_job_id, transcoding_error, transcoding_attempts, transcoding_priority,
	mezzanine_key, mezzanine_status, ready_variants, loudness_integrated, loudness_peak, loudness_range,
	uploaded_at, created_at, updated_at, deleted_at`
)

// floorHandler is the least a streaming-grant endpoint can do with the
// store's queries: the same three statements (content, purchase, media),
// scanned into the same records, then the same signature. It trusts the
// bearer token's user id instead of resolving sessions, as the server's
// session cache does on a warm path.
func floorHandler(pool *pgxpool.Pool, signer *access.Signer, publicURL string) http.Handler {
	var userID atomic.Value
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		parts := strings.Split(r.URL.Path, "/")
		cid, err := uuid.Parse(parts[4])
		if err != nil {
			http.Error(w, "bad id", 400)
			return
		}
		uid, _ := userID.Load().(string)
		if uid == "" {
			if err := pool.QueryRow(ctx, "SELECT id FROM users WHERE email = 'customer@bench.test'").Scan(&uid); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			userID.Store(uid)
		}
		var c store.Content
		if err := pool.QueryRow(ctx, "SELECT "+contentCols+" FROM content WHERE id = $1 AND deleted_at IS NULL", cid).Scan(
			&c.ID, &c.CreatorID, &c.OrganizationID, &c.MediaItemID, &c.Title, &c.Slug, &c.Description,
			&c.ContentType, &c.ThumbnailURL, &c.ContentBody, &c.Category, &c.Tags, &c.Visibility, &c.PriceCents,
			&c.Status, &c.PublishedAt, &c.ViewCount, &c.PurchaseCount, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt); err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		// Purchase first, as the server does; a buyer never needs the grant lookup.
		var bought bool
		if err := pool.QueryRow(ctx,
			`SELECT EXISTS (SELECT 1 FROM purchases WHERE customer_id = $1 AND content_id = $2 AND status = 'completed')`,
			uid, cid).Scan(&bought); err != nil || !bought {
			http.Error(w, "denied", 403)
			return
		}
		var m store.MediaItem
		if err := pool.QueryRow(ctx, "SELECT "+mediaCols+" FROM media_items WHERE id = $1 AND deleted_at IS NULL", *c.MediaItemID).Scan(
			&m.ID, &m.CreatorID, &m.Title, &m.Description, &m.MediaType, &m.Status, &m.R2Key,
			&m.FileSizeBytes, &m.MimeType, &m.DurationSeconds, &m.Width, &m.Height, &m.HLSMasterPlaylistKey,
			&m.HLSPreviewKey, &m.ThumbnailKey, &m.WaveformKey, &m.WaveformImageKey, &m.RunpodJobID,
			&m.TranscodingError, &m.TranscodingAttempts, &m.TranscodingPriority, &m.MezzanineKey,
			&m.MezzanineStatus, &m.ReadyVariants, &m.LoudnessIntegrated, &m.LoudnessPeak, &m.LoudnessRange,
			&m.UploadedAt, &m.CreatedAt, &m.UpdatedAt, &m.DeletedAt); err != nil || m.Status != store.MediaReady {
			http.Error(w, "not ready", 422)
			return
		}
		exp := time.Now().Add(access.DefaultExpiry).Truncate(time.Second)
		u := signer.Sign(m.ID, m.CreatorID, exp, "master.m3u8")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"streamingUrl": u, "expiresAt": exp, "contentType": m.MediaType}})
	})
}

type result struct {
	n        int
	errs     int
	rps      float64
	p50, p99 time.Duration
	lats     []time.Duration
	elapsed  time.Duration
}

func (r result) merge(o result) result {
	out := result{n: r.n + o.n, errs: r.errs + o.errs, elapsed: r.elapsed + o.elapsed}
	out.lats = append(append(out.lats, r.lats...), o.lats...)
	slices.Sort(out.lats)
	out.rps = float64(out.n) / out.elapsed.Seconds()
	if len(out.lats) > 0 {
		out.p50, out.p99 = out.lats[len(out.lats)/2], out.lats[len(out.lats)*99/100]
	}
	return out
}

func (r result) String() string {
	return fmt.Sprintf("%d requests, %d errors, %.0f req/s, p50 %s, p99 %s", r.n, r.errs, r.rps,
		r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
}

// load runs conc clients against target for dur.
func load(target string, hdr map[string]string, conc int, dur time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var (
		mu   sync.Mutex
		lats []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, target, nil)
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					bad++
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lats)
	r := result{n: len(lats), errs: errs, rps: float64(len(lats)) / elapsed.Seconds(), lats: lats, elapsed: elapsed}
	if len(lats) > 0 {
		r.p50 = lats[len(lats)/2]
		r.p99 = lats[len(lats)*99/100]
	}
	return r
}
