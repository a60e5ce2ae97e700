package access

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/matryer/is"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(url, "http://x"+hlsPath)
	if !ok {
		t.Fatalf("url %q", url)
	}
	tok, _, _ := strings.Cut(rest, "/")
	return tok
}

func TestSignVerifyRoundTrip(t *testing.T) {
	is := is.New(t)
	s := NewSigner("http://x/", testKey)
	id := uuid.New()
	exp := time.Unix(1_900_000_000, 0).UTC()
	u := s.Sign(id, "creatorABC", exp, "master.m3u8")
	is.True(strings.HasSuffix(u, "/master.m3u8"))
	c, ok := s.Verify(tokenOf(t, u))
	is.True(ok)
	is.Equal(c.MediaID, id)
	is.Equal(c.CreatorID, "creatorABC")
	is.True(c.ExpiresAt.Equal(exp))
	is.Equal(c.Prefix(), "creatorABC/hls/"+id.String()+"/")

	// another key, any flipped character, truncation: all refused
	_, ok = NewSigner("http://x", []byte("another key another key another key")).Verify(tokenOf(t, u))
	is.True(!ok)
	tok := tokenOf(t, u)
	for i := range tok {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		_, ok := s.Verify(string(b))
		is.True(!ok) // tampered
	}
	// the last character carries padding bits; other spellings are refused
	last := []byte(tok)
	last[len(last)-1] ^= 1
	_, ok = s.Verify(string(last))
	is.True(!ok)
	_, ok = s.Verify(tok[:len(tok)-2])
	is.True(!ok)
	_, ok = s.Verify("")
	is.True(!ok)
}

func TestValidRel(t *testing.T) {
	is := is.New(t)
	for _, ok := range []string{"master.m3u8", "720p/index.m3u8", "720p/segment_000.ts"} {
		is.True(validRel(ok))
	}
	for _, bad := range []string{"", "/master.m3u8", "../x/master.m3u8", "a/../../b.ts", "a//b.ts", "./a.ts", "a\\b.ts", "a/\x00.ts", "a/"} {
		is.True(!validRel(bad))
	}
}

// BenchmarkSignGrant measures minting one streaming URL: HMAC-SHA256 over
// the claims, base64url, and the URL string.
func BenchmarkSignGrant(b *testing.B) {
	s := NewSigner("https://media.example.com", testKey)
	id := uuid.New()
	creator := "Yx2K9fPq7LmN3vB8cD4eF6gH1jK5lM0n"
	exp := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign(id, creator, exp, "master.m3u8")
	}
}

func BenchmarkVerifyGrant(b *testing.B) {
	s := NewSigner("https://media.example.com", testKey)
	u := s.Sign(uuid.New(), "Yx2K9fPq7LmN3vB8cD4eF6gH1jK5lM0n", time.Now().Add(time.Hour), "master.m3u8")
	tok := strings.Split(strings.TrimPrefix(u, "https://media.example.com"+hlsPath), "/")[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Verify(tok); !ok {
			b.Fatal("invalid")
		}
	}
}

func TestSplitTakesApartOnlyItsOwnURLs(t *testing.T) {
	is := is.New(t)
	s := NewSigner("http://x/", testKey)
	u := s.Sign(uuid.New(), "creatorABC", time.Unix(1_900_000_000, 0), "master.m3u8")
	tok, rel, ok := s.Split(u)
	is.True(ok)
	is.Equal(tok, tokenOf(t, u))
	is.Equal(rel, "master.m3u8")
	_, rel, ok = s.Split(strings.TrimSuffix(u, "master.m3u8") + "720p/segment_000.ts")
	is.True(ok)
	is.Equal(rel, "720p/segment_000.ts") // relative URIs keep the token
	for _, bad := range []string{"http://other/api/access/hls/" + tok + "/master.m3u8", "http://x/api/access/hls/" + tok, "http://x/api/access/hls//master.m3u8"} {
		_, _, ok = s.Split(bad)
		is.True(!ok)
	}
}
