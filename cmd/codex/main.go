// Command codex runs the Codex reference server.
//
//	codex serve [--addr ADDR] [--surface NAME]   serve HTTP (all surfaces by default)
//	codex migrate                                apply PostgreSQL migrations
//	codex version                                print the version
//	codex help                                   print usage
//
// Configuration comes from CODEX_* environment variables (see
// codex.ConfigFromEnv). With none set, serve runs on the embedded defaults:
// an in-memory database and blobs under ./codex-data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/codexforgo/codex"
	"github.com/codexforgo/codex/logging"
	"github.com/codexforgo/codex/server"
	"github.com/codexforgo/codex/store/postgres"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGINT/SIGTERM.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `codex runs the Codex creator platform.

Usage:
  codex serve [--addr ADDR] [--surface NAME]
  codex migrate
  codex version
  codex help

serve     Serve HTTP. Without --surface every surface is served on one
          address (default :8080, or CODEX_ADDR). With --surface NAME only
          that surface is served, on its reference port unless --addr or
          CODEX_ADDR says otherwise.
migrate   Apply pending PostgreSQL migrations (needs CODEX_DATABASE_URL).
version   Print the Codex and Go versions.

Surfaces: %s

Configuration is read from CODEX_* environment variables; see README.md.
`

func printUsage(w io.Writer) {
	names := make([]string, 0, len(server.Surfaces()))
	for _, s := range server.Surfaces() {
		names = append(names, fmt.Sprintf("%s (:%d)", s, s.Port()))
	}
	fmt.Fprintf(w, usage, strings.Join(names, ", "))
}

// run is the whole program; main only wires it to the process. It returns
// the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "codex %s (%s)\n", codex.Version, runtime.Version())
		return exitOK
	case "help", "--help", "-help", "-h":
		printUsage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "codex: unknown command %q\n\n", cmd)
		printUsage(stderr)
		return exitUsage
	}
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default CODEX_ADDR, else the surface's port, else :8080)")
	surfaceName := fs.String("surface", "", "serve only this surface")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "codex serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	var surfaces []server.Surface
	if *surfaceName != "" {
		s, err := server.ParseSurface(*surfaceName)
		if err != nil {
			fmt.Fprintf(stderr, "codex serve: %v\n", err)
			return exitUsage
		}
		surfaces = []server.Surface{s}
	}
	listenAddr := listenAddress(*addr, os.Getenv("CODEX_ADDR"), surfaces)

	cfg, err := codex.ConfigFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	c, err := codex.New(ctx, cfg)
	if err != nil {
		// The error may quote the database URL.
		fmt.Fprintln(stderr, logging.RedactString(err.Error()))
		return exitFailure
	}
	defer c.Close()
	log := c.Logger()

	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		log.Error("listen failed", "addr", listenAddr, "error", err.Error())
		fmt.Fprintf(stderr, "codex: %v\n", err)
		return exitFailure
	}
	hs := &http.Server{
		Handler: server.New(c).Handler(surfaces...),
		// Slow or stalled clients must not pin connections. Bodies get no
		// whole-request deadline because uploads and media streams are
		// legitimately long; their size is bounded by the body limit.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	names := surfaceNames(surfaces)
	url := "http://" + displayAddr(ln.Addr())
	log.Info("codex listening",
		"addr", ln.Addr().String(),
		"url", url,
		"surfaces", names,
		"adapters", c.Adapters(),
		"version", codex.Version)
	fmt.Fprintf(stdout, "codex listening on %s (surfaces: %s)\n", url, strings.Join(names, ", "))

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		log.Error("server stopped", "error", err.Error())
		return exitFailure
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	code := exitOK
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("shutdown incomplete", "error", err.Error())
		code = exitFailure
	}
	if err := c.Close(); err != nil {
		log.Error("closing adapters", "error", err.Error())
		code = exitFailure
	}
	log.Info("stopped")
	return code
}

// listenAddress picks the address: --addr, then CODEX_ADDR, then the single
// surface's reference port, then :8080.
func listenAddress(flagAddr, envAddr string, surfaces []server.Surface) string {
	switch {
	case flagAddr != "":
		return flagAddr
	case strings.TrimSpace(envAddr) != "":
		return strings.TrimSpace(envAddr)
	case len(surfaces) == 1:
		return surfaces[0].Addr()
	default:
		return ":8080"
	}
}

func surfaceNames(surfaces []server.Surface) []string {
	if len(surfaces) == 0 {
		surfaces = server.Surfaces()
	}
	out := make([]string, len(surfaces))
	for i, s := range surfaces {
		out[i] = string(s)
	}
	return out
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "codex migrate: unexpected argument %q\n", args[0])
		return exitUsage
	}
	cfg, err := codex.ConfigFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	if cfg.DatabaseURL == "" {
		fmt.Fprintln(stderr, "codex migrate: CODEX_DATABASE_URL is not set (migrations apply to PostgreSQL only)")
		return exitUsage
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(stderr, "codex migrate: %s\n", logging.RedactString(err.Error()))
		return exitFailure
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "codex migrate: %s\n", logging.RedactString(err.Error()))
		return exitFailure
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema up to date")
		return exitOK
	}
	for _, v := range applied {
		fmt.Fprintf(stdout, "applied %s\n", v)
	}
	return exitOK
}
