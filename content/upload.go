package content

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// Server-signed upload tokens stand in for presigned PUT URLs when the Blobs
// cannot presign (the disk). A token names the media item, its expiry and
// the declared size; the MAC also covers the object key and content type
// read back from the media row, so a token is void once any of them changes.
//
//	token = base64url(version | mediaID[16] | expiry[8] | size[8] | mac[32])

const (
	uploadTokenVersion = 1
	uploadPayloadLen   = 1 + 16 + 8 + 8
	uploadTokenLen     = uploadPayloadLen + sha256.Size
)

type uploadClaims struct {
	mediaID uuid.UUID
	expiry  time.Time
	size    int64
}

func uploadMAC(key, payload []byte, objectKey, contentType string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("codex upload v1\x00"))
	h.Write(payload)
	h.Write([]byte(objectKey))
	h.Write([]byte{0})
	h.Write([]byte(contentType))
	return h.Sum(nil)
}

func signUpload(key []byte, c uploadClaims, objectKey, contentType string) string {
	b := make([]byte, uploadPayloadLen, uploadTokenLen)
	b[0] = uploadTokenVersion
	copy(b[1:17], c.mediaID[:])
	binary.BigEndian.PutUint64(b[17:25], uint64(c.expiry.Unix()))
	binary.BigEndian.PutUint64(b[25:33], uint64(c.size))
	b = append(b, uploadMAC(key, b, objectKey, contentType)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseUpload decodes a token without checking its MAC, which needs the
// media row the token names.
func parseUpload(token string) (uploadClaims, []byte, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != uploadTokenLen || b[0] != uploadTokenVersion {
		return uploadClaims{}, nil, false
	}
	var c uploadClaims
	copy(c.mediaID[:], b[1:17])
	c.expiry = time.Unix(int64(binary.BigEndian.Uint64(b[17:25])), 0).UTC()
	c.size = int64(binary.BigEndian.Uint64(b[25:33]))
	return c, b, true
}

func verifyUpload(key, raw []byte, objectKey, contentType string) bool {
	return hmac.Equal(raw[uploadPayloadLen:], uploadMAC(key, raw[:uploadPayloadLen], objectKey, contentType))
}
