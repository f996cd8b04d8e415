package api_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/internal/keyring"
	"github.com/dianshubao/dianshubao/models"
)

var secretA, secretB = []byte("rotation-secret-a-rotation-secret-a!"), []byte("rotation-secret-b-rotation-secret-b!")

// restart is another start of the service over a's database with DSB_JWT_SECRET=secret and
// DSB_JWT_SECRET_PREVIOUS=previous.
func restart(a *testApp, secret, previous []byte) *testApp {
	return newApp(a.t, func(o *appOptions) { o.store, o.secret, o.previous = a.st, secret, previous })
}

// kidOf is the kid in a token's header.
func kidOf(t *testing.T, token string) any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	if err := json.Unmarshal(raw, &header); err != nil {
		t.Fatal(err)
	}
	return header["kid"]
}

// A token issued under secret A names A's token key; after a restart with B as the secret and
// A as the previous one it is still accepted, and new tokens name B's key. Once the previous
// secret is gone, A's tokens are refused while the refresh tokens, which no secret signs, still
// give a new pair.
func TestTokensSurviveSecretRotation(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.secret = secretA })
	token, _, phone := a.registerPhone("consumer")
	if kid := kidOf(t, token); kid != keyring.Derive(secretA, keyring.PurposeJWT).ID {
		t.Fatalf("token kid %v, want the id of A's token key", kid)
	}
	login := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": phone, "password": "password-123"}}), http.StatusOK)

	rotating := restart(a, secretB, secretA)
	expect(t, rotating.do(req{method: "GET", path: "/api/v1/me", token: token}), http.StatusOK)
	fresh := rotating.login(phone)
	if kid := kidOf(t, fresh); kid != keyring.Derive(secretB, keyring.PurposeJWT).ID {
		t.Fatalf("a token issued during the rotation has kid %v, want B's", kid)
	}

	rotated := restart(a, secretB, nil)
	expect(t, rotated.do(req{method: "GET", path: "/api/v1/me", token: token}), http.StatusUnauthorized, "invalid_token")
	expect(t, rotated.do(req{method: "GET", path: "/api/v1/me", token: fresh}), http.StatusOK)
	pair := expect(t, rotated.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": login["refresh_token"].(string)}}), http.StatusOK)
	expect(t, rotated.do(req{method: "GET", path: "/api/v1/me", token: pair["access_token"].(string)}), http.StatusOK)

	// A token from a start that never had A's secret is refused too: the kid names no key.
	expect(t, restart(a, secretA, nil).do(req{method: "GET", path: "/api/v1/me", token: fresh}), http.StatusUnauthorized, "invalid_token")
}

func signup(key string) req {
	return req{method: "POST", path: "/api/v1/auth/register", header: map[string]string{"Idempotency-Key": key},
		body: map[string]any{"role": "consumer", "phone": nextPhone(), "password": "password-123", "real_name": "张三"}}
}

// sealedKid is the key id a stored record names.
func sealedKid(t *testing.T, a *testApp) string {
	t.Helper()
	var rec models.IdempotencyRecord
	if err := a.st.DB().Order("created_at DESC, id").Take(&rec).Error; err != nil {
		t.Fatal(err)
	}
	if len(rec.Sealed) < 5 || rec.Sealed[0] != 1 {
		t.Fatalf("sealed record without its key id: %x", rec.Sealed[:min(len(rec.Sealed), 8)])
	}
	return hex.EncodeToString(rec.Sealed[1:5])
}

// A record sealed under secret A is replayed after a restart with B and A as the previous
// secret; once A is gone the retry is answered idempotency_key_unusable, and the command still
// does not run a second time.
func TestIdempotencyRecordsSurviveSecretRotation(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.secret = secretA })
	rq := signup("rotation")
	first := a.do(rq)
	expect(t, first, http.StatusCreated)
	if kid := sealedKid(t, a); kid != keyring.Derive(secretA, keyring.PurposeIdempotency).ID {
		t.Fatalf("record sealed under kid %s, want the id of A's idempotency key", kid)
	}

	rotating := restart(a, secretB, secretA)
	sameAnswer(t, first, rotating.do(rq))
	before := a.rows("users", "idempotency_records")

	rotated := restart(a, secretB, nil)
	expect(t, rotated.do(rq), http.StatusConflict, "idempotency_key_unusable")
	if after := a.rows("users", "idempotency_records"); after["users"] != before["users"] || after["idempotency_records"] != before["idempotency_records"] {
		t.Fatalf("the retry ran again: %v then %v", before, after)
	}

	// New records are sealed under the current secret's key, and replayed by it.
	next := signup("after-rotation")
	again := rotated.do(next)
	expect(t, again, http.StatusCreated)
	if kid := sealedKid(t, a); kid != keyring.Derive(secretB, keyring.PurposeIdempotency).ID {
		t.Fatalf("new record sealed under kid %s, want B's", kid)
	}
	sameAnswer(t, again, rotated.do(next))
}

// The key that signs tokens opens no seal, and the seal key signs no token: each purpose has a
// key of its own, neither of them the secret.
func TestTokenKeyIsNotTheSealKey(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.secret = secretA })
	rq := signup("separate-keys")
	expect(t, a.do(rq), http.StatusCreated)
	var rec models.IdempotencyRecord
	if err := a.st.DB().Take(&rec).Error; err != nil {
		t.Fatal(err)
	}
	scope := []string{"ip:192.0.2.1", "POST", "/api/v1/auth/register", "separate-keys"}
	opens := func(secret []byte) bool {
		aead := sealAEAD(secret, scope)
		body := rec.Sealed[5:]
		_, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], nil)
		return err == nil
	}
	if !opens(keyring.Derive(secretA, keyring.PurposeIdempotency).Secret) {
		t.Fatal("the test does not open seals as the service makes them")
	}
	for name, secret := range map[string][]byte{"token key": keyring.Derive(secretA, keyring.PurposeJWT).Secret, "secret": secretA} {
		if opens(secret) {
			t.Fatalf("the %s opens an idempotency seal", name)
		}
	}
}

// sealAEAD is the cipher of a record of scope (caller, method, path, key) under secret.
func sealAEAD(secret []byte, scope []string) cipher.AEAD {
	m := hmac.New(sha256.New, secret)
	for _, part := range append([]string{"seal"}, scope...) {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	block, _ := aes.NewCipher(m.Sum(nil))
	aead, _ := cipher.NewGCM(block)
	return aead
}

// A record written before keys were derived per purpose (named and sealed by the secret itself,
// with no key id) is still replayed after the upgrade, so that a retry across it never runs a
// command twice.
func TestIdempotencyRecordsOfTheSecretItselfReplay(t *testing.T) {
	a := newApp(t, func(o *appOptions) { o.secret = secretA })
	rq := signup("before-upgrade")
	first := a.do(rq)
	expect(t, first, http.StatusCreated)
	scope := []string{"ip:192.0.2.1", "POST", "/api/v1/auth/register", "before-upgrade"}
	m := hmac.New(sha256.New, secretA)
	for _, part := range append([]string{"name"}, scope...) {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	aead := sealAEAD(secretA, scope)
	nonce := bytes.Repeat([]byte{7}, aead.NonceSize())
	legacy := aead.Seal(append([]byte(nil), nonce...), nonce, first.Body, nil)
	if err := a.st.DB().Model(&models.IdempotencyRecord{}).Where("1 = 1").
		Updates(map[string]any{"id": hex.EncodeToString(m.Sum(nil)), "sealed": legacy}).Error; err != nil {
		t.Fatal(err)
	}
	sameAnswer(t, first, a.do(rq))
	// A rotation right after the upgrade keeps them: the previous secret names them too.
	sameAnswer(t, first, restart(a, secretB, secretA).do(rq))
}
