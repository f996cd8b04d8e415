// Package datakey encrypts personal information at rest (phone numbers and real names) and
// computes the keyed hashes by which the service still finds a row from such a value (login by
// phone, the notification listing's ?phone= filter).
//
// Both keys are derived from one secret (DSB_DATA_KEY) with HKDF-SHA256, one per purpose, so
// that neither can be computed from the other. A stored value names the key that sealed it:
//
//	v1:<kid>:<base64(nonce | AES-256-GCM ciphertext)>
//
// where kid is the first 8 hex digits of SHA-256 of the derived encryption key. During a
// rotation the previous secret (DSB_DATA_KEY_PREVIOUS) keeps older values readable and older
// hashes findable, while every new value is sealed, and every new hash computed, with the
// current one.
package datakey

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/dianshubao/dianshubao/internal/keyring"
)

// Prefix opens every sealed value; a stored value without it is a value written before
// encryption existed, read as it is and sealed by the start-up migration.
const Prefix = "v1:"

// DevelopmentSecret is the fixed secret used when DSB_DATA_KEY is not set outside
// production. It is public: data sealed with it is not protected.
const DevelopmentSecret = "dianshubao-development-data-key-not-secret"

// ErrUnknownKey is a sealed value whose key id is neither the current nor the previous key.
var ErrUnknownKey = errors.New("value sealed with an unknown data key")

// key is one secret's derived keys.
type key struct {
	id     string
	aead   cipher.AEAD
	lookup []byte
}

// derive makes a secret's keys with the service's one derivation (internal/keyring): the
// encryption key and the lookup key are two purposes, so neither can stand in for the other.
func derive(secret []byte) (*key, error) {
	if len(secret) == 0 {
		return nil, errors.New("empty data key")
	}
	enc := keyring.Derive(secret, keyring.PurposeData+"-encryption")
	look := keyring.Derive(secret, keyring.PurposeData+"-lookup")
	block, err := aes.NewCipher(enc.Secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &key{id: enc.ID, aead: aead, lookup: look.Secret}, nil
}

// Keyring is the current data key and, during a rotation, the previous one.
type Keyring struct {
	cur  *key
	prev *key // nil outside a rotation
}

// New builds a keyring from the current secret and an optional previous one.
func New(current, previous []byte) (*Keyring, error) {
	cur, err := derive(current)
	if err != nil {
		return nil, fmt.Errorf("DSB_DATA_KEY: %w", err)
	}
	k := &Keyring{cur: cur}
	if len(previous) > 0 {
		if k.prev, err = derive(previous); err != nil {
			return nil, fmt.Errorf("DSB_DATA_KEY_PREVIOUS: %w", err)
		}
		if k.prev.id == cur.id {
			k.prev = nil
		}
	}
	return k, nil
}

// Development is the keyring of DevelopmentSecret.
func Development() *Keyring {
	k, _ := New([]byte(DevelopmentSecret), nil)
	return k
}

// KeyID is the current key's id, as stored in the values it seals.
func (k *Keyring) KeyID() string { return k.cur.id }

// Encrypt seals plain with the current key. The empty string stays empty: there is nothing to
// protect, and an empty column keeps meaning "none".
func (k *Keyring) Encrypt(plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, k.cur.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := k.cur.aead.Seal(nonce, nonce, []byte(plain), []byte(k.cur.id))
	return Prefix + k.cur.id + ":" + base64.RawStdEncoding.EncodeToString(sealed)
}

// Decrypt opens a stored value. A value without the prefix (written before encryption) is
// returned as it is.
func (k *Keyring) Decrypt(stored string) (string, error) {
	kid, body, ok := split(stored)
	if !ok {
		return stored, nil
	}
	var use *key
	switch {
	case kid == k.cur.id:
		use = k.cur
	case k.prev != nil && kid == k.prev.id:
		use = k.prev
	default:
		return "", fmt.Errorf("%w %s (set DSB_DATA_KEY_PREVIOUS to the key it was sealed with)", ErrUnknownKey, kid)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < use.aead.NonceSize() {
		return "", fmt.Errorf("data key %s: malformed sealed value", kid)
	}
	n := use.aead.NonceSize()
	plain, err := use.aead.Open(nil, raw[:n], raw[n:], []byte(kid))
	if err != nil {
		return "", fmt.Errorf("data key %s: sealed value does not open: %w", kid, err)
	}
	return string(plain), nil
}

// Current reports whether stored is sealed with the current key (or empty): a value that is
// not needs the migration's re-encryption.
func (k *Keyring) Current(stored string) bool {
	if stored == "" {
		return true
	}
	kid, _, ok := split(stored)
	return ok && kid == k.cur.id
}

func split(stored string) (kid, body string, ok bool) {
	rest, found := strings.CutPrefix(stored, Prefix)
	if !found {
		return "", "", false
	}
	return strings.Cut(rest, ":")
}

// Hash is the keyed lookup hash (HMAC-SHA256, hex) of value under the current key: what is
// stored beside a sealed value that must be found again.
func (k *Keyring) Hash(value string) string { return hash(k.cur, value) }

// Hashes are the hashes under which value may be stored: the current key's first, then the
// previous key's during a rotation. Lookups match any of them.
func (k *Keyring) Hashes(value string) []string {
	out := []string{hash(k.cur, value)}
	if k.prev != nil {
		out = append(out, hash(k.prev, value))
	}
	return out
}

func hash(k *key, value string) string {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

type ctxKey struct{}

// With returns ctx carrying k, for the store's serializer to find.
func With(ctx context.Context, k *Keyring) context.Context {
	return context.WithValue(ctx, ctxKey{}, k)
}

// From returns the keyring ctx carries, or nil.
func From(ctx context.Context) *Keyring {
	if ctx == nil {
		return nil
	}
	k, _ := ctx.Value(ctxKey{}).(*Keyring)
	return k
}
