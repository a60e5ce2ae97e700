package notify

import (
	"html"
	"regexp"
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
