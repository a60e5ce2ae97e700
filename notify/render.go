package notify

import (
	"html"
	"regexp"
	"slices"
)

var tokenRE = regexp.MustCompile(`\{\{([A-Za-z0-9_]+)\}\}`)

// Render substitutes {{token}} placeholders in one pass; substituted values
// are not re-scanned. escape HTML-escapes values (for the HTML part).
// Unknown tokens render empty.
func Render(tmpl string, data map[string]string, escape bool) string {
	return tokenRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		v := data[m[2:len(m)-2]]
		if escape {
			return html.EscapeString(v)
		}
		return v
	})
}

// Tokens lists the distinct tokens a template uses, in order of appearance.
func Tokens(tmpl string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range tokenRE.FindAllStringSubmatch(tmpl, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// scriptPatterns are markup that would run script in a mail client or in a
// browser showing the message: script elements, script URLs and
// event-handler attributes. They are checked on the entity-decoded body
// with whitespace and control characters removed, as browsers ignore those
// inside a URL scheme ("java&#x09;script:").
var (
	scriptTagRE     = regexp.MustCompile(`(?i)<\s*script`)
	scriptURLRE     = regexp.MustCompile(`(?i)(javascript|vbscript|livescript):`)
	eventHandlerRE  = regexp.MustCompile(`(?i)<[^>]*[\s"'/]on[a-z]+\s*=`)
	urlNoiseRE      = regexp.MustCompile(`[\x00-\x20]+`)
	dataHTMLURLRE   = regexp.MustCompile(`(?i)data:text/html`)
	embedElementsRE = regexp.MustCompile(`(?i)<\s*(iframe|object|embed|base|meta)\b`)
)

// scriptProblems lists why an HTML body could run script; empty means it
// is acceptable.
func scriptProblems(body string) []string {
	var out []string
	decoded := html.UnescapeString(body)
	if scriptTagRE.MatchString(body) || scriptTagRE.MatchString(decoded) {
		out = append(out, "<script> elements are not allowed")
	}
	squashed := urlNoiseRE.ReplaceAllString(decoded, "")
	if scriptURLRE.MatchString(squashed) || dataHTMLURLRE.MatchString(squashed) {
		out = append(out, "script URLs (javascript:, vbscript:, data:text/html) are not allowed")
	}
	if eventHandlerRE.MatchString(body) || eventHandlerRE.MatchString(decoded) {
		out = append(out, "event-handler attributes (on...=) are not allowed")
	}
	if embedElementsRE.MatchString(body) || embedElementsRE.MatchString(decoded) {
		out = append(out, "<iframe>, <object>, <embed>, <base> and <meta> elements are not allowed")
	}
	return out
}

// unknownTokens lists the tokens of tmpl that are not in allowed.
func unknownTokens(tmpl string, allowed []string) []string {
	var out []string
	for _, t := range Tokens(tmpl) {
		if !slices.Contains(allowed, t) {
			out = append(out, t)
		}
	}
	return out
}
