package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/matryer/is"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/server"
)

// lockedBuffer lets the test read what run writes from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// cleanEnv makes the test independent of the caller's CODEX_* variables.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CODEX_") && k != "CODEX_TEST_DATABASE_URL" {
			t.Setenv(k, "")
		}
	}
	t.Setenv("CODEX_DATA_DIR", t.TempDir())
}

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	is := is.New(t)
	code, out, _ := runCmd("version")
	is.Equal(code, 0)
	is.Equal(out, "codex "+codex.Version+" ("+runtime.Version()+")\n")
}

func TestHelp(t *testing.T) {
	is := is.New(t)
	code, out, _ := runCmd("help")
	is.Equal(code, 0)
	is.True(strings.Contains(out, "codex serve [--addr ADDR] [--surface NAME]"))
	is.True(strings.Contains(out, "content-api (:4001)"))
}

func TestUsageErrors(t *testing.T) {
	cleanEnv(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"serve", "--bogus"},
		{"serve", "--surface", "nope"},
		{"serve", "extra"},
		{"migrate", "extra"},
		{"migrate"}, // CODEX_DATABASE_URL unset
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			is := is.New(t)
			code, _, errOut := runCmd(args...)
			is.Equal(code, 2)
			is.True(errOut != "") // says what is wrong
		})
	}
}

func TestBadConfigFails(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	t.Setenv("CODEX_PRODUCTION", "maybe")
	code, _, errOut := runCmd("serve", "--addr", "127.0.0.1:0")
	is.Equal(code, 2)
	is.True(strings.Contains(errOut, "CODEX_PRODUCTION"))
}

func TestListenAddress(t *testing.T) {
	is := is.New(t)
	one := []server.Surface{server.Auth}
	is.Equal(listenAddress("", "", nil), ":8080")
	is.Equal(listenAddress("", ":9000", nil), ":9000")
	is.Equal(listenAddress(":7000", ":9000", nil), ":7000")
	is.Equal(listenAddress("", "", one), ":42069")
	is.Equal(listenAddress("", ":9000", one), ":9000")
	is.Equal(listenAddress("127.0.0.1:1", "", one), "127.0.0.1:1")
}

var listening = regexp.MustCompile(`codex listening on (http://\S+) \(surfaces: ([^)]*)\)`)

// serveInProcess starts `codex serve args...`, waits until it listens and
// returns its base URL and a function that stops it and returns the exit code.
func serveInProcess(t *testing.T, args ...string) (string, string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), &out, &errOut) }()

	deadline := time.After(10 * time.Second)
	for {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(15 * time.Second):
					t.Fatal("serve did not stop after cancellation")
					return -1
				}
			}
			return m[1], m[2], stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d before listening: %s", code, errOut.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve did not report its address; stdout %q", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func getHealth(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, m
}

func TestServeAllSurfaces(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	base, surfaces, stop := serveInProcess(t, "--addr", "127.0.0.1:0")
	is.Equal(surfaces, "auth, content-api, organization-api, ecom-api, admin-api, identity-api, notifications-api, media-api")

	status, body := getHealth(t, base+"/health")
	is.Equal(status, http.StatusOK)
	is.Equal(body["service"], "codex")
	status, body = getHealth(t, base+"/health/media-api")
	is.Equal(status, http.StatusOK)
	is.Equal(body["service"], "media-api")

	is.Equal(stop(), 0) // graceful shutdown exits 0
	_, err := http.Get(base + "/health")
	is.True(err != nil) // no longer listening
}

func TestServeOneSurface(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	t.Setenv("CODEX_ADDR", "127.0.0.1:0")
	base, surfaces, stop := serveInProcess(t, "--surface", "content-api")
	is.Equal(surfaces, "content-api")
	status, body := getHealth(t, base+"/health")
	is.Equal(status, http.StatusOK)
	is.Equal(body["service"], "content-api")
	is.Equal(stop(), 0)
}

func TestServeAddressInUse(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	base, _, stop := serveInProcess(t, "--addr", "127.0.0.1:0")
	defer stop()
	u, _ := url.Parse(base)
	code, _, errOut := runCmd("serve", "--addr", u.Host)
	is.Equal(code, 1)
	is.True(strings.Contains(errOut, "address already in use"))
}

// testDatabase creates a throwaway database on CODEX_TEST_DATABASE_URL and
// returns its URL.
func testDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("CODEX_TEST_DATABASE_URL")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CODEX_TEST_DATABASE_URL is not set (required under CI=true)")
		}
		t.Skip("CODEX_TEST_DATABASE_URL not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to CODEX_TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "codex_cmd_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestMigrate(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	t.Setenv("CODEX_DATABASE_URL", testDatabase(t))

	code, out, errOut := runCmd("migrate")
	is.Equal(code, 0) // first run applies the schema
	is.True(strings.HasPrefix(out, "applied "))
	is.Equal(errOut, "")

	code, out, _ = runCmd("migrate")
	is.Equal(code, 0)
	is.Equal(out, "schema up to date\n") // second run has nothing to do
}

func TestMigrateUnreachableDatabase(t *testing.T) {
	is := is.New(t)
	cleanEnv(t)
	// Port 1 on loopback refuses at once.
	t.Setenv("CODEX_DATABASE_URL", "postgres://codex:topsecret@127.0.0.1:1/codex?sslmode=disable&connect_timeout=2")
	code, _, errOut := runCmd("migrate")
	is.Equal(code, 1)
	is.True(!strings.Contains(errOut, "topsecret")) // the password never reaches the terminal
}
