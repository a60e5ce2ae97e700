package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// A streaming grant is a token in the URL path:
//
//	{PublicURL}/api/access/hls/{token}/master.m3u8
//	token = base64url(version | expiry[8] | mediaID[16] | creatorID | mac[16])
//
// The token authorises every object under {creatorId}/hls/{mediaId}/ until
// expiry. Playlists reference their variants and segments by relative URIs
// ("720p/index.m3u8", "segment_000.ts"), which a player resolves against the
// URL it loaded, so every request it makes carries the same token without
// rewriting a single playlist. The MAC is HMAC-SHA256 truncated to 128 bits.

const (
	grantVersion = 1
	grantMACLen  = 16
	grantHeader  = 1 + 8 + 16
	// maxCreatorID bounds the token; user ids are 32 characters.
	maxCreatorID = 128
	hlsPath      = "/api/access/hls/"
)

var strictB64 = base64.RawURLEncoding.Strict()

// Signer signs and verifies streaming grants. It is safe for concurrent use.
type Signer struct {
	base string // PublicURL + hlsPath
	pool sync.Pool
}

type macState struct {
	h   hash.Hash
	buf [grantHeader + maxCreatorID + sha256.Size]byte
	enc [((grantHeader+maxCreatorID+grantMACLen)*4 + 2) / 3]byte
}

// NewSigner returns a signer whose URLs start with publicURL.
func NewSigner(publicURL string, key []byte) *Signer {
	k := append([]byte(nil), key...)
	s := &Signer{base: strings.TrimRight(publicURL, "/") + hlsPath}
	s.pool.New = func() any { return &macState{h: hmac.New(sha256.New, k)} }
	return s
}

// Split takes apart a URL this signer made (a streaming URL, or a variant
// or segment URL resolved against it) into the grant token and the object
// path under the media's HLS prefix.
func (s *Signer) Split(url string) (token, rel string, ok bool) {
	p, ok := strings.CutPrefix(url, s.base)
	if !ok {
		return "", "", false
	}
	token, rel, ok = strings.Cut(p, "/")
	return token, rel, ok && token != "" && rel != ""
}

// payload writes the signed part of a token into st.buf.
func (st *macState) payload(mediaID uuid.UUID, creatorID string, expiry time.Time) []byte {
	b := st.buf[:grantHeader]
	b[0] = grantVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(expiry.Unix()))
	copy(b[9:25], mediaID[:])
	return append(b, creatorID...)
}

func (st *macState) mac(p []byte) []byte {
	st.h.Reset()
	st.h.Write(p)
	// Sum appends after the payload, inside st.buf: no allocation.
	return st.h.Sum(p)[len(p) : len(p)+grantMACLen]
}

// Sign returns the URL of rel (a path under the media's HLS prefix, e.g.
// "master.m3u8") with a grant for the media item valid until expiry.
func (s *Signer) Sign(mediaID uuid.UUID, creatorID string, expiry time.Time, rel string) string {
	if len(creatorID) > maxCreatorID {
		panic("access: creator id too long for a grant")
	}
	st := s.pool.Get().(*macState)
	p := st.payload(mediaID, creatorID, expiry)
	m := st.mac(p)
	// m lives right after p in st.buf, so p and m are one contiguous token.
	tok := p[:len(p)+len(m)]
	n := base64.RawURLEncoding.EncodedLen(len(tok))
	base64.RawURLEncoding.Encode(st.enc[:n], tok)
	var sb strings.Builder
	sb.Grow(len(s.base) + n + 1 + len(rel))
	sb.WriteString(s.base)
	sb.Write(st.enc[:n])
	sb.WriteByte('/')
	sb.WriteString(rel)
	s.pool.Put(st)
	return sb.String()
}

// Claims is what a valid grant says.
type Claims struct {
	MediaID   uuid.UUID
	CreatorID string
	ExpiresAt time.Time
}

// Prefix is the object-key prefix the grant covers.
func (c Claims) Prefix() string { return HLSPrefix(c.CreatorID, c.MediaID) }

// HLSPrefix is where a media item's HLS output lives.
func HLSPrefix(creatorID string, mediaID uuid.UUID) string {
	return creatorID + "/hls/" + mediaID.String() + "/"
}

// Verify checks a token's MAC in constant time and returns its claims. It
// does not check expiry; the caller compares ExpiresAt with its clock.
func (s *Signer) Verify(token string) (Claims, bool) {
	st := s.pool.Get().(*macState)
	defer s.pool.Put(st)
	n := base64.RawURLEncoding.DecodedLen(len(token))
	if n < grantHeader+grantMACLen || n > grantHeader+maxCreatorID+grantMACLen {
		return Claims{}, false
	}
	var raw [grantHeader + maxCreatorID + grantMACLen]byte
	// Strict: one grant has exactly one spelling, so a token with altered
	// padding bits is refused instead of verifying as the same grant.
	got, err := strictB64.Decode(raw[:], []byte(token))
	if err != nil || got != n || raw[0] != grantVersion {
		return Claims{}, false
	}
	body, mac := raw[:n-grantMACLen], raw[n-grantMACLen:n]
	p := append(st.buf[:0], body...)
	if subtle.ConstantTimeCompare(st.mac(p), mac) != 1 {
		return Claims{}, false
	}
	var c Claims
	c.ExpiresAt = time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0).UTC()
	copy(c.MediaID[:], body[9:25])
	c.CreatorID = string(body[grantHeader:])
	if c.CreatorID == "" || strings.ContainsAny(c.CreatorID, "/\\\x00") {
		return Claims{}, false
	}
	return c, true
}
