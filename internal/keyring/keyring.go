// Package keyring derives the service's keys from its secrets, one key per purpose, and keeps
// the previous secret's keys beside the current ones so that a secret can rotate without
// refusing what was issued or sealed under the old one.
//
// A key is HKDF-SHA256 of the secret with the purpose as its info, so a key used for one
// purpose (signing tokens) opens nothing of another (idempotency seals, personal data). Each
// key has an id, the first 8 hex digits of the SHA-256 of the derived key: it names the key in
// what was made with it (a token's `kid`, a sealed record) and tells nothing of the secret.
package keyring

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The purposes keys are derived for. A new purpose is a new info string: never reuse one.
const (
	// PurposeJWT signs and verifies access tokens.
	PurposeJWT = "jwt"
	// PurposeIdempotency names and seals idempotency records.
	PurposeIdempotency = "idempotency"
	// PurposeData encrypts personal data at rest.
	PurposeData = "data"
)

// KeySize is the length of every derived key: 32 bytes, for HMAC-SHA256 and AES-256.
const KeySize = 32

// IDLen is the length of a key id in hex digits.
const IDLen = 8

// Key is a derived key and its id.
type Key struct {
	ID     string
	Secret []byte
}

// Derive is the key for purpose from secret.
func Derive(secret []byte, purpose string) Key {
	k, err := hkdf.Key(sha256.New, secret, nil, "dianshubao/"+purpose+"/v1", KeySize)
	if err != nil {
		// Only a length beyond 255 × 32 bytes fails.
		panic(fmt.Sprintf("keyring: derive %s key: %v", purpose, err))
	}
	sum := sha256.Sum256(k)
	return Key{ID: hex.EncodeToString(sum[:])[:IDLen], Secret: k}
}

// Ring is the keys of one purpose: the current one, which makes everything new, and those of
// previous secrets, which only read.
type Ring struct {
	purpose string
	keys    []Key // current first
}

// New derives purpose's keys from the current secret and any previous ones (empty ones and
// repeats of an earlier secret are left out).
func New(purpose string, current []byte, previous ...[]byte) *Ring {
	r := &Ring{purpose: purpose, keys: []Key{Derive(current, purpose)}}
	seen := map[string]bool{string(current): true}
	for _, p := range previous {
		if len(p) == 0 || seen[string(p)] {
			continue
		}
		seen[string(p)] = true
		r.keys = append(r.keys, Derive(p, purpose))
	}
	return r
}

// Purpose is what the ring's keys are for.
func (r *Ring) Purpose() string { return r.purpose }

// Current is the key that signs and seals.
func (r *Ring) Current() Key { return r.keys[0] }

// Keys is every key, the current one first.
func (r *Ring) Keys() []Key { return r.keys }

// ByID is every key with id, the current one first: in practice one or none, but two secrets
// whose ids collide both stay usable.
func (r *Ring) ByID(id string) []Key {
	var out []Key
	for _, k := range r.keys {
		if k.ID == id {
			out = append(out, k)
		}
	}
	return out
}
