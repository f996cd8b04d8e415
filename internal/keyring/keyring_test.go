package keyring

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

var secretA, secretB = []byte("secret-a-secret-a-secret-a-secret-a"), []byte("secret-b-secret-b-secret-b-secret-b")

// Each purpose has a key of its own, none of them the secret itself, and the same secret
// gives the same keys on every instance.
func TestPurposesHaveTheirOwnKeys(t *testing.T) {
	seen := map[string]string{string(secretA): "the secret"}
	for _, p := range []string{PurposeJWT, PurposeIdempotency, PurposeData} {
		k := Derive(secretA, p)
		if len(k.Secret) != KeySize {
			t.Fatalf("%s: key of %d bytes", p, len(k.Secret))
		}
		if other, dup := seen[string(k.Secret)]; dup {
			t.Fatalf("the %s key is the same as %s", p, other)
		}
		seen[string(k.Secret)] = p
		if again := Derive(secretA, p); !bytes.Equal(again.Secret, k.Secret) || again.ID != k.ID {
			t.Fatalf("%s: derivation is not deterministic", p)
		}
		if Derive(secretB, p).ID == k.ID {
			t.Fatalf("%s: two secrets give one key id", p)
		}
	}
}

// The derivation is HKDF-SHA256 as documented, so that another implementation can derive the
// same keys; the id is the start of the derived key's SHA-256, never of the secret.
func TestDerivationIsHKDF(t *testing.T) {
	want, err := hkdf.Key(sha256.New, secretA, nil, "dianshubao/jwt/v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	k := Derive(secretA, PurposeJWT)
	if !bytes.Equal(k.Secret, want) {
		t.Fatal("the jwt key is not HKDF-SHA256(secret, info=dianshubao/jwt/v1)")
	}
	sum := sha256.Sum256(want)
	if k.ID != hex.EncodeToString(sum[:])[:IDLen] {
		t.Fatalf("kid %q is not the start of SHA-256(key)", k.ID)
	}
	secretSum := sha256.Sum256(secretA)
	if k.ID == hex.EncodeToString(secretSum[:])[:IDLen] {
		t.Fatal("the kid is a hash of the secret")
	}
}

func TestRingKeepsPreviousKeys(t *testing.T) {
	r := New(PurposeIdempotency, secretB, secretA, nil, secretB, secretA)
	if r.Purpose() != PurposeIdempotency || len(r.Keys()) != 2 {
		t.Fatalf("ring %q of %d keys, want idempotency with 2", r.Purpose(), len(r.Keys()))
	}
	a, b := Derive(secretA, PurposeIdempotency), Derive(secretB, PurposeIdempotency)
	if r.Current().ID != b.ID {
		t.Fatal("the current key is not the current secret's")
	}
	if got := r.ByID(a.ID); len(got) != 1 || !bytes.Equal(got[0].Secret, a.Secret) {
		t.Fatal("the previous key is not found by its id")
	}
	if got := r.ByID("00000000"); got != nil {
		t.Fatal("an unknown id found a key")
	}
	if len(New(PurposeJWT, secretB).ByID(a.ID)) != 0 {
		t.Fatal("a ring without the previous secret knows its key")
	}
}
