package content

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/codexforgo/codex/fault"
)

// Limits of the reference validation schemas.
const (
	MaxTitle          = 500
	MaxSlug           = 500
	MaxDescription    = 10_000
	MaxContentBody    = 100_000
	MaxCategory       = 100
	MaxTags           = 20
	MaxTag            = 50
	MaxPriceCents     = 10_000_000
	MaxSearch         = 255
	MaxMediaTitle     = 255
	MaxMediaDesc      = 5_000
	MaxFileSizeBytes  = 5 << 30
	MaxFilenameLength = 255
)

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	filenameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
)

// checker collects every invalid field of one input, so a client sees all
// its mistakes in one 400.
type checker struct{ fields []fault.Field }

func (c *checker) fail(path, format string, args ...any) {
	c.fields = append(c.fields, fault.Field{Path: "body." + path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return fault.InvalidFields(c.fields...)
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// text trims s and checks its length; name is the field's display name.
func (c *checker) text(path, name, s string, minLen, maxLen int) string {
	s = strings.TrimSpace(s)
	switch n := runes(s); {
	case n < minLen && minLen == 1:
		c.fail(path, "%s is required", name)
	case n < minLen:
		c.fail(path, "%s must be at least %d characters", name, minLen)
	case n > maxLen:
		c.fail(path, "%s must be %d characters or less", name, maxLen)
	}
	return s
}

// optText trims an optional text; empty means absent (nil).
func (c *checker) optText(path, name string, s *string, maxLen int) *string {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	if v == "" {
		return nil
	}
	if runes(v) > maxLen {
		c.fail(path, "%s must be %d characters or less", name, maxLen)
	}
	return &v
}

// slug checks the length before lower-casing, as the reference does.
func (c *checker) slug(path, s string) string {
	s = strings.TrimSpace(s)
	if n := runes(s); n < 1 || n > MaxSlug {
		c.fail(path, "Slug must be 1 to %d characters", MaxSlug)
		return s
	}
	s = strings.ToLower(s)
	if !slugRE.MatchString(s) {
		c.fail(path, "Slug may contain only lowercase letters, digits and single hyphens between them")
	}
	return s
}

func (c *checker) tags(path string, tags []string) []string {
	if len(tags) > MaxTags {
		c.fail(path, "At most %d tags", MaxTags)
		return tags
	}
	out := make([]string, 0, len(tags))
	for i, t := range tags {
		t = strings.TrimSpace(t)
		if n := runes(t); n < 1 || n > MaxTag {
			c.fail(fmt.Sprintf("%s.%d", path, i), "Tag must be 1 to %d characters", MaxTag)
		}
		out = append(out, t)
	}
	return out
}

func (c *checker) httpURL(path string, s *string) *string {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 2048 {
		c.fail(path, "Must be an absolute http(s) URL")
	}
	return &v
}

func (c *checker) price(path string, p *int) {
	if p != nil && (*p < 0 || *p > MaxPriceCents) {
		c.fail(path, "Price must be between 0 and %d cents", MaxPriceCents)
	}
}

// AllowedMimeTypes are the originals the platform accepts, by media type.
var AllowedMimeTypes = map[string]string{
	"video/mp4":       "video",
	"video/quicktime": "video",
	"video/x-msvideo": "video",
	"video/webm":      "video",
	"audio/mpeg":      "audio",
	"audio/mp4":       "audio",
	"audio/wav":       "audio",
	"audio/webm":      "audio",
	"audio/ogg":       "audio",
}

// validFilename accepts a plain file name: no directories, no dot-only
// names, nothing that could climb out of the generated key's folder.
func validFilename(s string) bool {
	return filenameRE.MatchString(s) && !strings.Contains(s, "..") && s != "."
}
