// Command codexload drives Codex's hot paths over HTTP and reports, per
// scenario, requests, errors, throughput and latency percentiles:
//
//	session  GET  /api/auth/get-session                  (session resolution)
//	grant    GET  /api/access/content/:id/stream         (streaming grant)
//	library  GET  /api/access/user/library               (library page)
//	webhook  POST /webhooks/stripe/booking               (signed checkout.session.completed)
//
// In-process mode starts a Codex server in this process on a random
// loopback port and provisions its own fixtures, over HTTP wherever a
// client could (sign-up, verification, sign-in, organization, media,
// content, publish, purchase by webhook); only reading the verification
// email and marking the media transcoded are done from inside. Rate limits
// are raised there, else the run would measure 429s:
//
//	go run ./cmd/codexload -inprocess
//	go run ./cmd/codexload -inprocess -db 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// External mode drives a server that is already running, with fixtures
// made beforehand and passed in (scenarios whose inputs are missing are
// skipped):
//
//	go run ./cmd/codexload -base http://localhost:8080 -tokens TOKEN[,TOKEN…] \
//	    -content CONTENT_ID -webhook-secret whsec_…
//
// -tokens are session tokens (sign in: POST /api/auth/sign-in/email; the
// verification link of a new account is in the server's log when no mailer
// is configured). -content is a published video whose media is ready and
// that those customers bought. -webhook-secret is the server's
// CODEX_STRIPE_WEBHOOK_SECRET_BOOKING; each webhook request records a
// purchase for the -buyer-token account (default: the first token). A
// server on its default rate limits answers most of this load with 429,
// which is reported as errors.
//
// Only loopback targets are accepted unless -allow-remote is given: the
// tool runs at full speed and records purchases, which aimed elsewhere by
// mistake is an outage and bogus orders, and across a network it would
// measure the network.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/codexforgo/codex/store"
)

type options struct {
	base        string
	allowRemote bool
	inprocess   bool
	db          string
	users       int
	scenarios   []string
	load        loadConfig
	timeout     time.Duration
	webhookDup  int
	json        bool

	tokens        []string
	content       string
	webhookSecret string
	buyerToken    string
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "codexload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "codexload:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("codexload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.base, "base", "http://localhost:8080", "base URL of a running server (external mode)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback target (see the package documentation for why it is off)")
	fs.BoolVar(&o.inprocess, "inprocess", false, "start a server in this process and provision fixtures (ignores -base)")
	fs.StringVar(&o.db, "db", "", "with -inprocess: PostgreSQL URL of a server where a throwaway database is created and dropped (empty: in-memory store)")
	fs.IntVar(&o.users, "users", 8, "with -inprocess: customers whose sessions the workers share")
	scen := fs.String("scenarios", strings.Join(scenarioNames, ","), "comma list of scenarios to run, in order")
	fs.IntVar(&o.load.concurrency, "c", 16, "concurrent clients per scenario")
	fs.DurationVar(&o.load.duration, "d", 10*time.Second, "measured duration per scenario")
	fs.DurationVar(&o.load.warmup, "warmup", 2*time.Second, "unmeasured warm-up per scenario")
	fs.Int64Var(&o.load.maxRequests, "n", 0, "stop a scenario after this many measured requests (0: duration only)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.IntVar(&o.webhookDup, "webhook-dup", 1, "deliveries per webhook event (3 races duplicates as Stripe's retries do)")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of the table")
	tokens := fs.String("tokens", "", "external mode: comma list of session tokens")
	fs.StringVar(&o.content, "content", "", "external mode: id of a published video the token holders bought")
	fs.StringVar(&o.webhookSecret, "webhook-secret", "", "external mode: the booking endpoint's signing secret")
	fs.StringVar(&o.buyerToken, "buyer-token", "", "external mode: session of the account webhook purchases are recorded for (default: first of -tokens)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for s := range strings.SplitSeq(*scen, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(scenarioNames, s) {
			return o, fmt.Errorf("unknown scenario %q (have %s)", s, strings.Join(scenarioNames, ", "))
		}
		o.scenarios = append(o.scenarios, s)
	}
	for t := range strings.SplitSeq(*tokens, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.tokens = append(o.tokens, t)
		}
	}
	switch {
	case len(o.scenarios) == 0:
		return o, errors.New("no scenarios")
	case o.load.concurrency < 1 || o.load.concurrency > 4096:
		return o, errors.New("-c must be between 1 and 4096")
	case o.load.duration <= 0 || o.load.duration > time.Hour:
		return o, errors.New("-d must be positive and at most 1h")
	case o.load.warmup < 0 || o.load.warmup > 10*time.Minute:
		return o, errors.New("-warmup must be between 0 and 10m")
	case o.load.maxRequests < 0:
		return o, errors.New("-n must not be negative")
	case o.users < 1 || o.users > 1000:
		return o, errors.New("-users must be between 1 and 1000")
	case o.webhookDup < 1 || o.webhookDup > 16:
		return o, errors.New("-webhook-dup must be between 1 and 16")
	case o.timeout <= 0:
		return o, errors.New("-timeout must be positive")
	case o.db != "" && !o.inprocess:
		return o, errors.New("-db needs -inprocess (an external server has its own database)")
	}
	return o, nil
}

type report struct {
	Target      string   `json:"target"`
	Mode        string   `json:"mode"`
	Store       string   `json:"store"`
	Concurrency int      `json:"concurrency"`
	Duration    string   `json:"duration"`
	Warmup      string   `json:"warmup"`
	CPUs        int      `json:"cpus"`
	Go          string   `json:"go"`
	Date        string   `json:"date"`
	Results     []result `json:"results"`
	Skipped     []string `json:"skipped,omitempty"`
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	rep := report{
		Mode: "external", Store: "the server's", Concurrency: o.load.concurrency, Duration: o.load.duration.String(),
		Warmup: o.load.warmup.String(), CPUs: runtime.NumCPU(), Go: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339),
	}
	var (
		fx *fixture
		ip *inproc
	)
	if o.inprocess {
		rep.Mode, rep.Store = "in-process", "memory"
		if o.db != "" {
			rep.Store = "postgres (throwaway database)"
		}
		fmt.Fprintf(stderr, "starting an in-process server (%s store) and provisioning %d customers…\n", rep.Store, o.users)
		var err error
		ip, fx, err = startInProcess(ctx, o.db, o.users, stderr)
		if err != nil {
			return err
		}
		defer ip.Close()
		o.base = ip.URL
	}
	u, err := checkTarget(ctx, o.base, o.allowRemote)
	if err != nil {
		return err
	}
	base := strings.TrimRight(u.String(), "/")
	rep.Target = base
	client := newClient(o.load.concurrency, o.timeout, o.allowRemote)
	if !o.inprocess {
		fx, err = externalFixture(ctx, base, client, o)
		if err != nil {
			return err
		}
	}
	runID := randHex(4)
	all := scenarios(base, fx, o.webhookDup, runID)
	for _, name := range o.scenarios {
		if why := missing(name, fx); why != "" {
			rep.Skipped = append(rep.Skipped, name+": "+why)
			fmt.Fprintf(stderr, "skipping %s: %s\n", name, why)
			continue
		}
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(stderr, "%s: warm-up %s, then %s with %d clients…\n", name, o.load.warmup, o.load.duration, o.load.concurrency)
		r := runScenario(ctx, client, all[name], o.load)
		if name == "webhook" {
			events := (r.sent + int64(o.webhookDup) - 1) / int64(o.webhookDup)
			r.Note = fmt.Sprintf("%d distinct events sent (warm-up included), %d deliveries each", events, o.webhookDup)
			if ip != nil {
				l, err := ip.c.Store().Purchases().List(ctx, store.PurchaseFilter{CustomerID: fx.buyerID}, store.Page{Limit: 1})
				if err == nil {
					r.Note += fmt.Sprintf("; %d purchases recorded", l.Total)
				}
			}
		}
		rep.Results = append(rep.Results, r)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printTable(stdout, rep)
	}
	// A run with failures is not a measurement of the hot path; scripts
	// must not mistake it for one.
	var failed []string
	for _, r := range rep.Results {
		if r.Errors > 0 {
			failed = append(failed, r.Scenario)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("requests failed in %s", strings.Join(failed, ", "))
	}
	return ctx.Err()
}

// missing says why a scenario cannot run with fx, or "".
func missing(name string, fx *fixture) string {
	switch {
	case len(fx.tokens) == 0 && name != "webhook":
		return "no -tokens"
	case fx.contentID == "" && (name == "grant" || name == "webhook"):
		return "no -content"
	case name == "webhook" && fx.webhookSecret == "":
		return "no -webhook-secret"
	case name == "webhook" && fx.buyerID == "":
		return "no buyer account (-buyer-token or -tokens)"
	}
	return ""
}

// externalFixture completes the flags with what the server says about
// them: the buyer's user id, and the content's creator and organization
// that a checkout's metadata names.
func externalFixture(ctx context.Context, base string, client httpDoer, o options) (*fixture, error) {
	fx := &fixture{tokens: o.tokens, contentID: o.content, webhookSecret: o.webhookSecret}
	h := &setupClient{base: base, c: client}
	buyer := o.buyerToken
	if buyer == "" && len(o.tokens) > 0 {
		buyer = o.tokens[0]
	}
	if buyer != "" {
		var s *struct {
			User struct{ ID string } `json:"user"`
		}
		if err := h.do(ctx, "GET", "/api/auth/get-session", buyer, nil, &s); err != nil {
			return nil, err
		}
		if s == nil {
			return nil, errors.New("the buyer token is not a live session")
		}
		fx.buyerID = s.User.ID
	}
	if o.content != "" && len(o.tokens) > 0 {
		var c struct {
			Data struct {
				CreatorID      string  `json:"creatorId"`
				OrganizationID *string `json:"organizationId"`
			} `json:"data"`
		}
		if err := h.do(ctx, "GET", "/api/content/"+o.content, o.tokens[0], nil, &c); err != nil {
			return nil, fmt.Errorf("reading -content: %w", err)
		}
		fx.creatorID = c.Data.CreatorID
		if c.Data.OrganizationID != nil {
			fx.orgID = *c.Data.OrganizationID
		}
	}
	return fx, nil
}

func printTable(w io.Writer, rep report) {
	fmt.Fprintf(w, "target %s (%s, %s store), %d CPUs, %s, %s\n", rep.Target, rep.Mode, rep.Store, rep.CPUs, rep.Go, rep.Date)
	fmt.Fprintf(w, "concurrency %d, warm-up %s, measured %s per scenario\n\n", rep.Concurrency, rep.Warmup, rep.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\terrors\treq/s\tp50\tp90\tp99\tmax\t")
	d := func(us float64) string {
		return time.Duration(us * float64(time.Microsecond)).Round(time.Microsecond).String()
	}
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", r.Scenario, r.Requests, r.Errors, r.RPS, d(r.P50US), d(r.P90US), d(r.P99US), d(r.MaxUS))
	}
	tw.Flush()
	for _, r := range rep.Results {
		if len(r.Failures) > 0 {
			fmt.Fprintf(w, "%s failures: %s\n", r.Scenario, strings.Join(sortedFailures(r.Failures), "; "))
			if _, ok := r.Failures["status 429"]; ok {
				fmt.Fprintf(w, "  (429: the server's rate limits refused the load; see -inprocess)\n")
			}
		}
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Note)
		}
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped %s\n", s)
	}
}
