package org

import (
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	// The IANA database is embedded so that a timezone valid on one host is
	// valid on every host, whatever tzdata the machine has installed.
	_ "time/tzdata"
	"unicode/utf8"

	"github.com/codexforgo/codex/fault"
)

// Limits of the validation rules (reference org-admin §3).
const (
	MaxSlugLen         = 255
	MaxNameLen         = 255
	MaxDescriptionLen  = 5000
	MaxSearchLen       = 255
	MaxPlatformNameLen = 100
	MaxEmailLen        = 255
	MaxTimezoneLen     = 100
	// MaxURLLen bounds URL fields. The reference has no cap; an unbounded
	// text column filled by clients is a cheap way to bloat every response.
	MaxURLLen = 2048
)

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	colorPattern = regexp.MustCompile(`^#[0-9A-F]{6}$`)
)

// reservedSlugs is the union of the web app's routing list and the
// subdomain resolver's skip list (reference §3.1, Oddity 10): an
// organization with one of these slugs could never be reached by subdomain.
var reservedSlugs = []string{
	"www", "auth", "api", "content-api", "organization-api", "ecom-api", "identity-api",
	"media-api", "notifications-api", "admin-api", "creators", "admin", "platform",
	"staging", "dev", "test", "localhost",
}

// IsReservedSlug reports whether slug (already normalised) may not name an
// organization.
func IsReservedSlug(slug string) bool { return slices.Contains(reservedSlugs, slug) }

// fields collects validation failures so one 400 reports all of them.
type fields []fault.Field

func (f *fields) add(path, msg string) { *f = append(*f, fault.Field{Path: path, Message: msg}) }

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return fault.InvalidFields(f...)
}

// normalizeSlug applies the reference's slug rule: trim, 1..255 characters
// (checked before lower-casing), lower-case, then
// ^[a-z0-9]+(-[a-z0-9]+)*$. It does not check the reserved list.
func normalizeSlug(slug string) (string, string) {
	s := strings.TrimSpace(slug)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", "Slug is required"
	case n > MaxSlugLen:
		return "", "Slug must be 255 characters or less"
	}
	s = strings.ToLower(s)
	if !slugPattern.MatchString(s) {
		return "", "Slug must contain only lowercase letters, numbers, and hyphens (no leading/trailing hyphens)"
	}
	return s, ""
}

// checkSlug is normalizeSlug plus the reserved list, as a ready error.
func checkSlug(path, slug string) (string, error) {
	s, msg := normalizeSlug(slug)
	if msg != "" {
		return "", fault.InvalidField(path, msg)
	}
	if IsReservedSlug(s) {
		e := fault.InvalidField(path, "This slug is reserved")
		e.Code = CodeReservedSlug
		e.Message = "Slug is reserved"
		return "", e
	}
	return s, nil
}

func checkName(f *fields, path, name string) string {
	n := strings.TrimSpace(name)
	switch l := utf8.RuneCountInString(n); {
	case l == 0:
		f.add(path, "Name is required")
	case l > MaxNameLen:
		f.add(path, "Name must be 255 characters or less")
	}
	return n
}

// checkDescription trims; an empty description is stored as null both on
// create and on update (the reference keeps an empty string on update, Oddity 20).
func checkDescription(f *fields, path string, d *string) *string {
	if d == nil {
		return nil
	}
	v := strings.TrimSpace(*d)
	if utf8.RuneCountInString(v) > MaxDescriptionLen {
		f.add(path, "Description must be 5000 characters or less")
		return nil
	}
	if v == "" {
		return nil
	}
	return &v
}

// checkURL accepts an absolute http(s) URL with a host; nil stays nil.
func checkURL(f *fields, path string, u *string) *string {
	if u == nil {
		return nil
	}
	v := strings.TrimSpace(*u)
	p, err := url.Parse(v)
	switch {
	case err != nil || !p.IsAbs():
		f.add(path, "Invalid URL format")
	case p.Scheme != "http" && p.Scheme != "https":
		f.add(path, "URL must use HTTP or HTTPS protocol")
	case p.Host == "":
		f.add(path, "Invalid URL format")
	case len(v) > MaxURLLen:
		f.add(path, "URL must be 2048 characters or less")
	default:
		return &v
	}
	return nil
}

// normalizeColor trims and upper-cases a #RRGGBB colour.
func normalizeColor(c string) (string, bool) {
	v := strings.ToUpper(strings.TrimSpace(c))
	return v, colorPattern.MatchString(v)
}

func checkPlatformName(f *fields, path, name string) string {
	n := strings.TrimSpace(name)
	switch l := utf8.RuneCountInString(n); {
	case l == 0:
		f.add(path, "Platform name is required")
	case l > MaxPlatformNameLen:
		f.add(path, "Platform name must be 100 characters or less")
	}
	return n
}

// validEmail accepts one bare address (no display name, no angle
// brackets) whose domain has a dot.
func validEmail(s string) bool {
	if s == "" || len(s) > MaxEmailLen || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

func checkEmail(f *fields, path, email string) string {
	e := strings.TrimSpace(email)
	switch {
	case len(e) > MaxEmailLen:
		f.add(path, "Email must be 255 characters or less")
	case !validEmail(e):
		f.add(path, "Invalid email format")
	}
	return e
}

// checkTimezone requires an IANA zone name. The reference accepts any
// 1..100-character string (Oddity 17), which lets a typo in by way of
// every date the platform renders for the organization.
func checkTimezone(f *fields, path, tz string) string {
	v := strings.TrimSpace(tz)
	switch {
	case v == "":
		f.add(path, "Timezone is required")
		return v
	case len(v) > MaxTimezoneLen:
		f.add(path, "Timezone must be 100 characters or less")
		return v
	}
	// "Local" names the host's zone, not a zone of the organization.
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		f.add(path, "Timezone must be an IANA time zone name, such as Europe/Paris")
	}
	return v
}
