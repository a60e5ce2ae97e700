package org

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// MaxLogoBytes is the largest logo accepted (5 MiB, as in the reference).
const MaxLogoBytes = 5 << 20

// MaxLogoSide bounds each logo dimension. A few kilobytes of PNG can claim
// a gigapixel canvas that every browser showing the logo would then try to
// allocate.
const MaxLogoSide = 10000

// LogoPath is the path, under Config.PublicURL, where the logo of the
// organization with the slug is served publicly; package server mounts it
// (GET /api/organizations/public/{slug}/logo, backed by Service.Logo).
func LogoPath(slug string) string {
	return "/api/organizations/public/" + url.PathEscape(slug) + "/logo"
}

// logoURL is the stored, browser-loadable logo URL. The v parameter is the
// random part of the object key, new on every upload, so a cache keyed on
// the URL can never serve a replaced logo.
func (s *Service) logoURL(slug, key string) string {
	return s.cfg.PublicURL + LogoPath(slug) + "?v=" + url.QueryEscape(logoVersion(key))
}

// logoVersion is the random name of a logo object: logos/{org}/{v}.{ext}.
func logoVersion(key string) string {
	base := path.Base(key)
	return strings.TrimSuffix(base, path.Ext(base))
}

type imageType struct {
	mime, ext string
}

var (
	typePNG  = imageType{"image/png", "png"}
	typeJPEG = imageType{"image/jpeg", "jpg"}
	typeWebP = imageType{"image/webp", "webp"}
)

func unsupported(msg string) error {
	e := fault.InvalidField("body.logo", msg)
	e.Code = CodeUnsupportedFileType
	e.Message = msg
	return e
}

func badFile(code, msg string) error {
	e := fault.InvalidField("body.logo", msg)
	e.Code = code
	e.Message = msg
	return e
}

const wantTypes = "Logo must be a PNG, JPEG or WebP image"

// sniffImage decides the type of a logo from its bytes alone: the standard
// sniffer and the format's magic number must agree, and the header must
// parse as an image of sane dimensions. SVG is refused outright rather
// than sanitised: it is a document that can carry script, and a logo has
// no need of that.
func sniffImage(data []byte) (imageType, error) {
	sniffed, _, _ := strings.Cut(http.DetectContentType(data), ";")
	var t imageType
	switch {
	case sniffed == typePNG.mime && bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		t = typePNG
	case sniffed == typeJPEG.mime && bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		t = typeJPEG
	case sniffed == typeWebP.mime && isWebP(data):
		t = typeWebP
	default:
		if looksLikeSVG(data) {
			return imageType{}, unsupported("SVG logos are not accepted; upload a PNG, JPEG or WebP image")
		}
		return imageType{}, unsupported(wantTypes)
	}
	w, h, err := dimensions(t, data)
	if err != nil || w <= 0 || h <= 0 {
		return imageType{}, unsupported("The file is not a valid " + strings.ToUpper(t.ext) + " image")
	}
	if w > MaxLogoSide || h > MaxLogoSide {
		return imageType{}, badFile(CodeUnsupportedFileType, fmt.Sprintf("Logo must be at most %d pixels on each side", MaxLogoSide))
	}
	return t, nil
}

func dimensions(t imageType, data []byte) (int, int, error) {
	var (
		cfg image.Config
		err error
	)
	switch t {
	case typePNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case typeJPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case typeWebP:
		return webpDimensions(data)
	}
	return cfg.Width, cfg.Height, err
}

// isWebP checks the RIFF container: "RIFF", a size that fits the data,
// "WEBP", then a VP8, VP8L or VP8X chunk.
func isWebP(data []byte) bool {
	if len(data) < 30 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false
	}
	size := binary.LittleEndian.Uint32(data[4:8])
	if size < 22 || uint64(size)+8 > uint64(len(data)) {
		return false
	}
	switch string(data[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

// webpDimensions reads the canvas size from the first chunk's header.
func webpDimensions(data []byte) (int, int, error) {
	chunk := data[20:]
	switch string(data[12:16]) {
	case "VP8X":
		// 4 bytes of flags, then 24-bit width-1 and height-1.
		if len(chunk) < 10 {
			return 0, 0, errors.New("short VP8X chunk")
		}
		w := int(chunk[4]) | int(chunk[5])<<8 | int(chunk[6])<<16
		h := int(chunk[7]) | int(chunk[8])<<8 | int(chunk[9])<<16
		return w + 1, h + 1, nil
	case "VP8L":
		// Signature 0x2f, then 14-bit width-1 and height-1.
		if len(chunk) < 5 || chunk[0] != 0x2f {
			return 0, 0, errors.New("bad VP8L header")
		}
		b := binary.LittleEndian.Uint32(chunk[1:5])
		return int(b&0x3FFF) + 1, int(b>>14&0x3FFF) + 1, nil
	default: // "VP8 "
		// 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
		if len(chunk) < 10 || chunk[3] != 0x9d || chunk[4] != 0x01 || chunk[5] != 0x2a {
			return 0, 0, errors.New("bad VP8 header")
		}
		w := int(binary.LittleEndian.Uint16(chunk[6:8]) & 0x3FFF)
		h := int(binary.LittleEndian.Uint16(chunk[8:10]) & 0x3FFF)
		return w, h, nil
	}
}

func looksLikeSVG(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	return bytes.Contains(head, []byte("<svg"))
}

// declaredMatches reports whether the client's declared type, when it
// says anything specific, names the type found in the bytes. The declared
// type never admits a file; a contradiction only refuses one, because a
// PNG sent as text/plain is a client that is confused or lying.
func declaredMatches(declared string, t imageType) bool {
	mt, _, err := mime.ParseMediaType(declared)
	if declared == "" || (err == nil && mt == "application/octet-stream") {
		return true
	}
	if err != nil {
		return false
	}
	switch mt {
	case "image/jpg", "image/pjpeg":
		mt = typeJPEG.mime
	}
	return mt == t.mime
}

func randomName() string {
	b := make([]byte, 12)
	rand.Read(b) // never fails: crypto/rand panics instead of returning an error
	return hex.EncodeToString(b)
}

// UploadLogo stores a new branding logo for the organization and returns
// the branding with its new logoUrl. The file's type is decided by its
// bytes (PNG, JPEG or WebP; never SVG); declaredType, the client's
// Content-Type for the file, may only confirm it. Empty, oversized,
// disguised or unparseable files are 400s. Each upload gets a new object
// key, logos/{orgId}/{random}.{ext}; the previous object is deleted once
// the settings point at the new one.
func (s *Service) UploadLogo(ctx context.Context, a *actor.Actor, id uuid.UUID, r io.Reader, declaredType string) (*store.Branding, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("org: reading logo: %w", err)
	}
	switch {
	case len(data) == 0:
		return nil, badFile(CodeEmptyFile, "The logo file is empty")
	case len(data) > MaxLogoBytes:
		return nil, badFile(CodeFileTooLarge, "Logo must be 5 MB or smaller")
	}
	if strings.Contains(strings.ToLower(declaredType), "svg") {
		return nil, unsupported("SVG logos are not accepted; upload a PNG, JPEG or WebP image")
	}
	t, err := sniffImage(data)
	if err != nil {
		return nil, err
	}
	if !declaredMatches(declaredType, t) {
		return nil, unsupported("The file's declared type does not match its content")
	}

	key := fmt.Sprintf("logos/%s/%s.%s", id, randomName(), t.ext)
	if err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), t.mime); err != nil {
		return nil, fault.Unavailablef(err, "Logo storage is unavailable; try again shortly")
	}
	var (
		out     *store.Branding
		oldPath *string
	)
	err = s.db.RunInTx(ctx, func(tx store.Repos) error {
		// Serialised with other uploads, so each sees the logo the one
		// before it stored and no object is orphaned.
		if err := tx.Organizations().Lock(ctx, id); err != nil {
			return err
		}
		o, err := tx.Organizations().Get(ctx, id)
		if err != nil {
			return err
		}
		set, err := tx.OrgSettings().Get(ctx, id)
		if err != nil {
			return err
		}
		oldPath = set.Branding.LogoPath
		u := s.logoURL(o.Slug, key)
		out, err = tx.OrgSettings().UpdateBranding(ctx, id, store.BrandingPatch{
			LogoURL: store.Some(&u), LogoPath: store.Some(&key),
		})
		return err
	})
	if err != nil {
		// The new key is unique, so this removes only the object just
		// written, never the logo still in use.
		s.deleteBlob(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if oldPath != nil && *oldPath != key {
		s.deleteBlob(ctx, *oldPath)
	}
	return out, nil
}

// DeleteLogo removes the branding logo. It is safe to call again.
func (s *Service) DeleteLogo(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Branding, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	var (
		out     *store.Branding
		oldPath *string
	)
	err := s.db.RunInTx(ctx, func(tx store.Repos) error {
		if err := tx.Organizations().Lock(ctx, id); err != nil {
			return err
		}
		set, err := tx.OrgSettings().Get(ctx, id)
		if err != nil {
			return err
		}
		if set.Branding.LogoPath == nil && set.Branding.LogoURL == nil {
			out = &set.Branding
			return nil
		}
		oldPath = set.Branding.LogoPath
		out, err = tx.OrgSettings().UpdateBranding(ctx, id, store.BrandingPatch{
			LogoURL: store.Some[*string](nil), LogoPath: store.Some[*string](nil),
		})
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	// Deleted only once nothing points at it: the reverse order could leave
	// settings naming an object that no longer exists.
	if oldPath != nil {
		s.deleteBlob(ctx, *oldPath)
	}
	return out, nil
}

func (s *Service) deleteBlob(ctx context.Context, key string) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.cfg.Log.WarnContext(ctx, "org: orphaned logo object", "key", key, "err", err)
	}
}

// PublicBranding is what anyone may know of an organization's look: the
// answer of GET /api/organizations/public/{slug}.
type PublicBranding struct {
	Name            string  `json:"name"`
	Slug            string  `json:"slug"`
	LogoURL         *string `json:"logoUrl"`
	PrimaryColorHex string  `json:"primaryColorHex"`
	PlatformName    string  `json:"platformName"`
}

// PublicBranding returns the branding of a live organization by slug, with
// no authentication. The logo is the uploaded one, else the organization's
// own logoUrl, else null.
func (s *Service) PublicBranding(ctx context.Context, slug string) (*PublicBranding, error) {
	o, err := s.liveBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	set, err := s.db.OrgSettings().Get(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	logo := set.Branding.LogoURL
	if logo == nil {
		logo = o.LogoURL
	}
	return &PublicBranding{
		Name: o.Name, Slug: o.Slug, LogoURL: logo,
		PrimaryColorHex: set.Branding.PrimaryColorHex, PlatformName: set.Contact.PlatformName,
	}, nil
}

// Logo is an open logo object. The caller closes Body.
type Logo struct {
	Body        io.ReadCloser
	ContentType string
	Size        int64
	ModTime     time.Time
	// Version is the v parameter of the current logo URL.
	Version string
}

// Logo opens the uploaded logo of a live organization, with no
// authentication: logos are public by nature.
func (s *Service) Logo(ctx context.Context, slug string) (*Logo, error) {
	o, err := s.liveBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	set, err := s.db.OrgSettings().Get(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if set.Branding.LogoPath == nil {
		return nil, errLogoNotFound
	}
	key := *set.Branding.LogoPath
	body, info, err := s.blobs.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errLogoNotFound
	}
	if err != nil {
		return nil, fault.Unavailablef(err, "Logo storage is unavailable; try again shortly")
	}
	ct := info.ContentType
	switch ct {
	case typePNG.mime, typeJPEG.mime, typeWebP.mime:
	default:
		// Only sniffed image types are ever stored; anything else is not
		// ours to label as an image.
		ct = "application/octet-stream"
	}
	return &Logo{Body: body, ContentType: ct, Size: info.Size, ModTime: info.ModTime, Version: logoVersion(key)}, nil
}
