package transcode

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/codexforgo/codex/fault"
)

// Service-to-service calls (the internal trigger) are signed with a shared
// secret over the method, the path, a timestamp and the body's hash, so a
// captured request cannot be replayed against another route, with another
// body, or after the window (the reference signed only timestamp and body
// and compared with ==).
const (
	HeaderWorkerSignature = "X-Worker-Signature"
	HeaderWorkerTimestamp = "X-Worker-Timestamp"
)

// Freshness window of signed requests and callbacks.
const (
	MaxSignatureAge    = 300 * time.Second
	MaxSignatureFuture = 60 * time.Second
)

// WorkerSignature is the lowercase hex HMAC-SHA256 of
// "<METHOD>\n<path>\n<unix seconds>\n<hex sha256(body)>".
func WorkerSignature(secret []byte, method, path string, ts int64, body []byte) string {
	sum := sha256.Sum256(body)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(method + "\n" + path + "\n" + strconv.FormatInt(ts, 10) + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(mac.Sum(nil))
}

// SignWorkerRequest sets the signature headers on r for body (which must be
// r's body).
func SignWorkerRequest(r *http.Request, secret []byte, body []byte, now time.Time) {
	ts := now.Unix()
	r.Header.Set(HeaderWorkerTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(HeaderWorkerSignature, WorkerSignature(secret, r.Method, r.URL.EscapedPath(), ts, body))
}

func workerUnauthorized(msg string) *fault.Error {
	return fault.New(fault.Unauthenticated, fault.CodeUnauthorized, msg)
}

// VerifyWorkerRequest checks a signed service-to-service request. Every
// failure is a 401 naming the check (reference §1.3 messages).
func VerifyWorkerRequest(secret []byte, method, path string, h http.Header, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return workerUnauthorized("Worker authentication not configured")
	}
	sig, tsText := h.Get(HeaderWorkerSignature), h.Get(HeaderWorkerTimestamp)
	if sig == "" || tsText == "" {
		return workerUnauthorized("Missing authentication headers")
	}
	ts, ok := ParseTimestamp(tsText)
	if !ok {
		return workerUnauthorized("Invalid timestamp format")
	}
	age := now.Sub(time.Unix(ts, 0))
	if age > MaxSignatureAge {
		return workerUnauthorized("Request timestamp expired")
	}
	if age < -MaxSignatureFuture {
		return workerUnauthorized("Request timestamp in future")
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(WorkerSignature(secret, method, path, ts, body))
	if err != nil || !hmac.Equal(got, want) {
		return workerUnauthorized("Invalid signature")
	}
	return nil
}

// ParseTimestamp parses unix seconds strictly: decimal digits only, no
// sign, no leading garbage, at most 12 digits (the reference took "123abc"
// as 123, Oddity 25).
func ParseTimestamp(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
