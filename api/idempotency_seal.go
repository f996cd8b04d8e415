package api

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"

	"github.com/dianshubao/dianshubao/models"
)

// sealVersion starts every body sealed with a derived key, followed by the key's id (4 bytes),
// the nonce and the ciphertext. Legacy bodies are the nonce and the ciphertext alone.
const sealVersion = 1

// nameLabel frames a record's name, the hash of its scope.
const nameLabel = "dianshubao/idempotency-name/v1"

func frame(h hash.Hash, label string, s idemScope) []byte {
	for _, part := range []string{label, s.caller, s.method, s.path, s.key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

func mac(secret []byte, label string, s idemScope) []byte {
	return frame(hmac.New(sha256.New, secret), label, s)
}

// names are the ids the scope's record can have. A record's name depends on no key, so that a
// retry finds its record whatever the keys have become since: it is replayed, or answered
// idempotency_key_unusable when its key is gone, but never run a second time. (The name only
// confirms a guess of caller, path and key, as the fingerprint does of a body; what the record
// holds stays sealed.) Records written before keys were derived per purpose were named by the
// secret itself: those names come after.
func (g *idempotency) names(s idemScope) []string {
	ids := []string{hex.EncodeToString(frame(sha256.New(), nameLabel, s))}
	for _, secret := range g.legacy {
		ids = append(ids, hex.EncodeToString(mac(secret, "name", s)))
	}
	return ids
}

// aeadOf seals records under a key derived from the client's key, which only the client holds,
// so that a response carrying a secret (a new API key, a webhook secret, tokens) cannot be read
// from the database.
func aeadOf(secret []byte, s idemScope) cipher.AEAD {
	block, _ := aes.NewCipher(mac(secret, "seal", s))
	aead, _ := cipher.NewGCM(block)
	return aead
}

// seal encrypts a body under the current key and records the key's id in front of it.
func (g *idempotency) seal(s idemScope, plain []byte) []byte {
	key := g.keys.Current()
	kid, _ := hex.DecodeString(key.ID)
	aead := aeadOf(key.Secret, s)
	out := append([]byte{sealVersion}, kid...)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(append(out, nonce...), nonce, plain, nil)
}

// open decrypts a record's body with the key whose id it carries (the current or a previous
// one) or, for a record found under a legacy name, with that secret.
func (g *idempotency) open(s idemScope, rec *models.IdempotencyRecord) ([]byte, error) {
	for _, secret := range g.legacy {
		if hex.EncodeToString(mac(secret, "name", s)) == rec.ID {
			return unseal(aeadOf(secret, s), rec.Sealed)
		}
	}
	if len(rec.Sealed) < 5 || rec.Sealed[0] != sealVersion {
		return nil, errors.New("sealed record of an unknown format")
	}
	err := errors.New("sealed record under an unknown key")
	for _, k := range g.keys.ByID(hex.EncodeToString(rec.Sealed[1:5])) {
		var body []byte
		if body, err = unseal(aeadOf(k.Secret, s), rec.Sealed[5:]); err == nil {
			return body, nil
		}
	}
	return nil, err
}

func unseal(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed record too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}
