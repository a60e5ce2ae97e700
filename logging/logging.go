// Package logging builds the structured loggers Codex writes to and keeps
// secrets out of them.
//
// Redact is a slog.HandlerOptions.ReplaceAttr function; NewJSON wires it into
// a JSON handler. Every logger Codex builds by default goes through it, so a
// token, password or connection string that reaches a log call by accident is
// masked instead of written out.
//
// # What is redacted
//
// By key. An attribute's key is split into words at '_', '-', '.', spaces and
// camelCase boundaries ("X-Api-Key" → x, api, key; "sessionToken" → session,
// token). The whole value is replaced with "[REDACTED]" when one of the words
// is password, passwd, secret, token, authorization, cookie, signature,
// session, credential(s) or privatekey, or when the words contain "api key"
// or "apikey". Whole words are matched, not substrings, so "author",
// "tokenizer" or "sessionless" are kept. A key whose last word is "id",
// "ids" or "count" names or counts a secret rather than holding one and is
// kept: "session_id", "sessionId", "token_count". The same rule applies to
// the names of enclosing groups, so slog.Group("cookie", "value", v) is
// redacted too.
//
// By value. Every string (including the log message and error texts) is
// scanned for things that are secrets whatever their key: Stripe-style keys
// (sk_live_…, sk_test_…, rk_…, whsec_…), "Bearer <token>", the password in a
// URL's userinfo (postgres://user:pass@host → postgres://user:***@host) and
// key=value pairs such as "password=…" or "token=…". Only the secret part is
// replaced, so the rest of an error message stays readable.
//
// Not redacted: long random-looking strings in general. User ids in Codex
// are 32 random alphanumerics, and masking them would make logs useless;
// secrets are recognised by their key or their shape instead. Email
// addresses are kept because operators need them to trace an account.
package logging

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Redacted replaces a secret value.
const Redacted = "[REDACTED]"

// NewJSON returns a logger writing one JSON object per line to w, at level
// (nil means Info), with Redact applied to every attribute.
func NewJSON(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: Redact,
	}))
}

// Redact returns a with secret values masked; see the package documentation
// for the rules. It has the signature of slog.HandlerOptions.ReplaceAttr, so
// groups is the list of enclosing group names.
func Redact(groups []string, a slog.Attr) slog.Attr {
	for _, g := range groups {
		if SensitiveKey(g) && !idKey(a.Key) {
			return slog.String(a.Key, Redacted)
		}
	}
	if SensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	a.Value = redactValue(a.Value)
	return a
}

func redactValue(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		if s := RedactString(v.String()); s != v.String() {
			return slog.StringValue(s)
		}
	case slog.KindGroup:
		// Handlers call Redact for each member themselves; this covers
		// callers that apply Redact to a group attribute directly.
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, m := range attrs {
			if m.Value.Kind() == slog.KindGroup || !SensitiveKey(m.Key) {
				m.Value = redactValue(m.Value)
			} else {
				m = slog.String(m.Key, Redacted)
			}
			out[i] = m
		}
		return slog.GroupValue(out...)
	case slog.KindLogValuer:
		return redactValue(v.Resolve())
	case slog.KindAny:
		return redactAny(v)
	}
	return v
}

// Verbatim is a string the caller has decided must be logged as it is. The
// one user is the log mailer, whose whole purpose is to show a person the
// verification and reset links (tokens included) that would have been mailed.
type Verbatim string

// redactAny handles the non-scalar values that commonly carry secrets:
// errors (whose text may embed a DSN), headers and string maps.
func redactAny(v slog.Value) slog.Value {
	switch x := v.Any().(type) {
	case Verbatim:
		return slog.StringValue(string(x))
	case error:
		if s := RedactString(x.Error()); s != x.Error() {
			return slog.StringValue(s)
		}
	case *url.URL:
		if x != nil {
			return slog.StringValue(RedactString(x.Redacted()))
		}
	case http.Header:
		return slog.AnyValue(redactStringsMap(x))
	case map[string][]string:
		return slog.AnyValue(redactStringsMap(x))
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, s := range x {
			if SensitiveKey(k) {
				s = Redacted
			} else {
				s = RedactString(s)
			}
			out[k] = s
		}
		return slog.AnyValue(out)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if SensitiveKey(k) {
				out[k] = Redacted
				continue
			}
			out[k] = redactValue(slog.AnyValue(e)).Any()
		}
		return slog.AnyValue(out)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = RedactString(s)
		}
		return slog.AnyValue(out)
	}
	return v
}

func redactStringsMap(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		c := make([]string, len(vs))
		for i, s := range vs {
			if SensitiveKey(k) {
				c[i] = Redacted
			} else {
				c[i] = RedactString(s)
			}
		}
		out[k] = c
	}
	return out
}

var sensitiveWords = map[string]bool{
	"password":      true,
	"passwd":        true,
	"secret":        true,
	"secrets":       true,
	"token":         true,
	"tokens":        true,
	"authorization": true,
	"cookie":        true,
	"cookies":       true,
	"signature":     true,
	"session":       true,
	"credential":    true,
	"credentials":   true,
	"apikey":        true,
	"privatekey":    true,
}

// SensitiveKey reports whether values under key are redacted whatever they
// look like.
func SensitiveKey(key string) bool {
	if !mayBeSensitive(key) {
		return false
	}
	words := splitWords(key)
	if len(words) == 0 || exemptLast(words[len(words)-1]) {
		return false
	}
	for i, w := range words {
		if sensitiveWords[w] {
			return true
		}
		if (w == "api" || w == "private") && i+1 < len(words) && words[i+1] == "key" {
			return true
		}
	}
	return false
}

// sensitiveStems are substrings every sensitive key contains; checking them
// first spares the word split for the common, harmless keys.
var sensitiveStems = []string{"pass", "secret", "token", "auth", "cookie", "key", "signature", "session", "credential"}

func mayBeSensitive(key string) bool {
	lower := strings.ToLower(key)
	for _, s := range sensitiveStems {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func idKey(key string) bool {
	words := splitWords(key)
	return len(words) > 0 && exemptLast(words[len(words)-1])
}

func exemptLast(w string) bool { return w == "id" || w == "ids" || w == "count" }

// splitWords lower-cases key and splits it at separators and camelCase
// boundaries: "X-Api-Key" → [x api key], "sessionToken" → [session token],
// "APIKey" → [api key].
func splitWords(key string) []string {
	var words []string
	rs := []rune(key)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		lowerToUpper := unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev))
		// "APIKey": the K starts a word because the next rune is lower case.
		acronymEnd := unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return words
}

var (
	// Payment-provider keys and webhook secrets, matched at a word start so
	// "network_error" does not count as an "rk_" key.
	reProviderKey = regexp.MustCompile(`\b(?:sk_live_|sk_test_|rk_live_|rk_test_|rk_|whsec_)[A-Za-z0-9_]+`)
	reBearer      = regexp.MustCompile(`\b([Bb]earer|BEARER)\s+[A-Za-z0-9\-._~+/]+=*`)
	reURLPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@/\s]*@`)
	reKeyValue    = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token|access_token|refresh_token|api_key|apikey|signature|sig|session)=([^\s&;,"']+)`)
)

// RedactString masks the secrets that can be recognised by their shape
// inside s, keeping the rest of the text.
func RedactString(s string) string {
	// Cheap checks first: almost every log string has none of these.
	if strings.Contains(s, "_") {
		s = reProviderKey.ReplaceAllString(s, Redacted)
	}
	if strings.Contains(s, "earer") || strings.Contains(s, "EARER") {
		s = reBearer.ReplaceAllString(s, "$1 "+Redacted)
	}
	if strings.Contains(s, "://") {
		s = reURLPassword.ReplaceAllString(s, "$1:***@")
	}
	if strings.Contains(s, "=") {
		s = reKeyValue.ReplaceAllString(s, "$1="+Redacted)
	}
	return s
}
