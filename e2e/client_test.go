package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// reply is one HTTP answer with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// expect stops the step unless the answer has the status.
func expect(t *testing.T, r reply, status int, what string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, bytes.TrimSpace(r.body))
	}
}

// decode reads a bare JSON body (the auth surface answers without envelope).
func decode(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not the JSON expected: %v: %s", err, r.body)
	}
}

// data reads the "data" of a success envelope.
func data(t *testing.T, r reply, v any) {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	decode(t, r, &env)
	if len(env.Data) == 0 {
		t.Fatalf("no data in the answer: %s", r.body)
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		t.Fatalf("data is not the JSON expected: %v: %s", err, env.Data)
	}
}

// errorCode reads the code of an error envelope.
func errorCode(t *testing.T, r reply) string {
	t.Helper()
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	decode(t, r, &env)
	return env.Error.Code
}

// agent is one party talking to the platform over a real connection.
// A browser keeps the session in a cookie jar and, like every browser,
// sends Origin on writes (the platform's CSRF check wants it); an app
// sends a bearer token; an anonymous agent (an upload target, Stripe's
// webhook sender) sends neither.
type agent struct {
	base    string
	client  *http.Client
	browser bool
	token   string
}

func newAgent(base string, browser bool, token string) *agent {
	c := &http.Client{
		// Redirects are part of what the journey checks (the checkout
		// page's 303), so they are returned rather than followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if browser {
		jar, err := cookiejar.New(nil)
		if err != nil {
			panic(err)
		}
		c.Jar = jar
	}
	return &agent{base: base, client: c, browser: browser, token: token}
}

// do sends a request; target is a path on the platform or an absolute URL
// the platform handed out. header is name, value pairs.
func (a *agent) do(t *testing.T, method, target string, body io.Reader, header ...string) reply {
	t.Helper()
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		target = a.base + target
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if a.browser && method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Origin", a.base)
	}
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, target, err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: b}
}

// json sends v as a JSON body (nil: no body).
func (a *agent) json(t *testing.T, method, target string, v any) reply {
	t.Helper()
	if v == nil {
		return a.do(t, method, target, nil)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return a.do(t, method, target, bytes.NewReader(b), "Content-Type", "application/json")
}
