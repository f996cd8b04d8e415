package datakey

import (
	"errors"
	"strings"
	"testing"
)

// TestSealAndOpen: a sealed value names its key, hides the plain text, differs on every
// sealing, and opens to the same text; a value in clear reads as it is.
func TestSealAndOpen(t *testing.T) {
	k, err := New([]byte("current-key-of-at-least-32-bytes!!"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := k.Encrypt("13800138000"), k.Encrypt("13800138000")
	if a == b || !strings.HasPrefix(a, Prefix+k.KeyID()+":") || strings.Contains(a, "13800138000") {
		t.Fatalf("sealed %q and %q", a, b)
	}
	if len(k.KeyID()) != 8 {
		t.Fatalf("key id %q", k.KeyID())
	}
	for _, s := range []string{a, b} {
		if p, err := k.Decrypt(s); err != nil || p != "13800138000" {
			t.Fatalf("open %q: %q %v", s, p, err)
		}
	}
	if p, err := k.Decrypt("张三"); err != nil || p != "张三" {
		t.Fatalf("clear value: %q %v", p, err)
	}
	if k.Encrypt("") != "" || !k.Current("") || !k.Current(a) || k.Current("张三") {
		t.Fatal("empty or current values misjudged")
	}
	tampered := a[:len(a)-2] + "AA"
	if _, err := k.Decrypt(tampered); err == nil {
		t.Fatal("a tampered value opened")
	}
	if k.Hash("13800138000") == k.Hash("13800138001") || len(k.Hash("x")) != 64 {
		t.Fatal("hashes")
	}
}

// TestRotation: with the old secret as the previous key, old values open and old hashes are
// among the lookups; new values and hashes use the new key; without it old values are refused.
func TestRotation(t *testing.T) {
	oldS, newS := []byte("old-data-key-0123456789abcdefghij"), []byte("new-data-key-0123456789abcdefghij")
	old, _ := New(oldS, nil)
	sealed := old.Encrypt("李四")
	rot, err := New(newS, oldS)
	if err != nil {
		t.Fatal(err)
	}
	if rot.KeyID() == old.KeyID() {
		t.Fatal("same key id for different keys")
	}
	if p, err := rot.Decrypt(sealed); err != nil || p != "李四" {
		t.Fatalf("old value under rotation: %q %v", p, err)
	}
	if rot.Current(sealed) || !strings.HasPrefix(rot.Encrypt("李四"), Prefix+rot.KeyID()+":") {
		t.Fatal("new values must use the new key, old ones need re-sealing")
	}
	if h := rot.Hashes("李四"); len(h) != 2 || h[0] != rot.Hash("李四") || h[1] != old.Hash("李四") {
		t.Fatalf("lookups %v", h)
	}
	only, _ := New(newS, nil)
	if _, err := only.Decrypt(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old value without the previous key: %v", err)
	}
	if len(only.Hashes("x")) != 1 {
		t.Fatal("outside a rotation there is one lookup hash")
	}
	// The derived keys differ by purpose: the lookup hash is not the encryption key's HMAC.
	if old.cur.id == old.Hash("")[:8] {
		t.Fatal("purposes not separated")
	}
}
