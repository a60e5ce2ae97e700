package store

import "crypto/rand"

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewTextID returns 32 random alphanumerics: the id format of users,
// accounts, sessions and verification rows.
func NewTextID() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand panics instead of returning an error
	for i := range b {
		// 256 % 62 bias is tolerable for identifiers; these are not secrets.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
