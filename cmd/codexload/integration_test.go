package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/matryer/is"
)

// TestInProcessScenarios runs every scenario for about a second against an
// in-process server on the embedded defaults. It asserts that each one
// completed requests and none failed; how fast is for the tool to report,
// not for a test to judge.
func TestInProcessScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and drives it for several seconds")
	}
	is := is.New(t)
	o, err := parseFlags([]string{"-inprocess", "-users", "2", "-c", "2", "-d", "1s", "-warmup", "100ms", "-webhook-dup", "2", "-json"}, &bytes.Buffer{})
	is.NoErr(err)
	var out, log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, o, &out, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	var rep report
	is.NoErr(json.Unmarshal(out.Bytes(), &rep))
	is.Equal(rep.Mode, "in-process")
	is.Equal(len(rep.Skipped), 0)
	got := map[string]result{}
	for _, r := range rep.Results {
		got[r.Scenario] = r
	}
	for _, name := range scenarioNames {
		r, ok := got[name]
		if !ok {
			t.Errorf("%s: no result", name)
			continue
		}
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors %v", name, r.Requests, r.Errors, r.Failures)
		}
		if r.P50US > r.P99US || r.P99US > r.MaxUS {
			t.Errorf("%s: percentiles out of order: %+v", name, r)
		}
	}
}

func TestParseFlagsRefusesNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"-scenarios", "nope"}, {"-c", "0"}, {"-d", "0s"}, {"-db", "postgres://x"}, {"-webhook-dup", "0"}, {"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
