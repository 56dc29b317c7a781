// Package password hashes and checks passwords with argon2id, and makes the
// opaque secrets of sessions and API keys.
package password

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// Params are argon2id's cost settings.
type Params = argon2id.Params

// Production is the cost used outside tests: 64 MiB, one pass, two lanes
// (the argon2id library's default, in line with RFC 9106's second choice).
var Production = argon2id.DefaultParams

// Fast is a cheap setting for tests only, so that a permission matrix with
// many sign-ins stays quick on two cores. Never use it in production.
var Fast = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher hashes and checks passwords at a given cost.
type Hasher struct {
	Params *Params
	once   sync.Once
	dummy  string
}

// Hash returns the encoded argon2id hash of pw.
func (h *Hasher) Hash(pw string) (string, error) {
	p := h.Params
	if p == nil {
		p = Production
	}
	hash, err := argon2id.CreateHash(pw, p)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// Verify reports whether pw matches hash. With an empty hash (no such user) it
// still does the work of one check, so that the answer takes as long whether
// or not the user exists.
func (h *Hasher) Verify(pw, hash string) bool {
	if hash == "" {
		h.once.Do(func() { h.dummy, _ = h.Hash("not a password of anyone") })
		_, _ = argon2id.ComparePasswordAndHash(pw, h.dummy)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}

// NewToken returns a random bearer token with the given prefix ("fzs_") and the
// SHA-256 hash to keep instead of it. Tokens carry 256 random bits, so a fast
// hash is enough: there is nothing to guess.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token or key.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SameHash compares two token hashes in constant time.
func SameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// NewKeyPrefix returns the public part of an API key: "fzk_" and 8 hex digits.
func NewKeyPrefix() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "fzk_" + hex.EncodeToString(b)
}

// initialAlphabet leaves out the letters and digits people mistake for one
// another when they read a password aloud or copy it from paper (0/O, 1/I/L).
const initialAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewInitial makes up an initial password for an account someone else
// creates, to be handed to its owner, who must change it: "Fz-7KQ2-M9XD-4HPA",
// 12 random characters of 31 (about 59 bits), grouped to be read aloud.
func NewInitial() string {
	out := []byte("Fz")
	b := make([]byte, 1)
	for n := 0; n < 12; {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		// Bytes past the largest multiple of the alphabet's size would
		// favour its first letters: drawn again.
		if int(b[0]) >= 256/len(initialAlphabet)*len(initialAlphabet) {
			continue
		}
		if n%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, initialAlphabet[int(b[0])%len(initialAlphabet)])
		n++
	}
	return string(out)
}
