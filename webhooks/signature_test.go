package webhooks_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/dianshubao/dianshubao/webhooks"
	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// Signing and verification are tested in their own module (webhooks/verify).
// Here: that the server's names are that module's, the sender-only helpers
// (SignatureHeader, Headers), and interoperability with the Standard Webhooks
// reference library, a dependency the verify module must not have.

// The published test vector of the Standard Webhooks reference libraries
// (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go,
// TestWebhookSign; the same values appear in the other languages' tests).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var vectorTime = time.Unix(vectorTimestamp, 0)

func newSecret(t testing.TB) string {
	t.Helper()
	s, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The server's re-exports are the verify module's values, not copies: an
// error from either package matches the other's with errors.Is.
func TestReExports(t *testing.T) {
	for _, p := range []struct{ ours, theirs error }{
		{webhooks.ErrMissingHeaders, verify.ErrMissingHeaders},
		{webhooks.ErrInvalidHeaders, verify.ErrInvalidHeaders},
		{webhooks.ErrMessageTooOld, verify.ErrMessageTooOld},
		{webhooks.ErrMessageTooNew, verify.ErrMessageTooNew},
		{webhooks.ErrNoMatchingSignature, verify.ErrNoMatchingSignature},
		{webhooks.ErrInvalidSecret, verify.ErrInvalidSecret},
	} {
		if p.ours != p.theirs {
			t.Errorf("%v is not the verify package's value", p.ours)
		}
	}
	if webhooks.HeaderID != verify.HeaderID || webhooks.HeaderTimestamp != verify.HeaderTimestamp ||
		webhooks.HeaderSignature != verify.HeaderSignature || webhooks.SecretPrefix != verify.SecretPrefix ||
		webhooks.Tolerance != verify.Tolerance {
		t.Error("constants differ from the verify package's")
	}

	got, err := webhooks.Sign(vectorSecret, vectorMsgID, vectorTime, []byte(vectorBody))
	if err != nil || got != vectorSignature {
		t.Fatalf("Sign = %q, %v; want %q", got, err, vectorSignature)
	}
	if key, err := webhooks.DecodeSecret(vectorSecret); err != nil || len(key) != 24 {
		t.Fatalf("DecodeSecret = %x, %v", key, err)
	}
	h := http.Header{}
	h.Set("webhook-id", vectorMsgID)
	h.Set("webhook-timestamp", strconv.Itoa(vectorTimestamp))
	h.Set("webhook-signature", vectorSignature)
	if err := webhooks.VerifyAt(vectorSecret, h, []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("VerifyAt(vector) = %v", err)
	}
	if err := webhooks.VerifyAt(vectorSecret, h, []byte(vectorBody), vectorTime.Add(time.Hour)); !errors.Is(err, verify.ErrMessageTooOld) {
		t.Fatalf("VerifyAt(vector, an hour later) = %v", err)
	}
	if err := webhooks.Verify(vectorSecret, h, []byte(vectorBody)); !errors.Is(err, webhooks.ErrMessageTooOld) {
		t.Fatalf("Verify(vector of 2021) = %v", err)
	}
}

func TestHeadersSpecVector(t *testing.T) {
	h, err := webhooks.Headers([]string{vectorSecret}, vectorMsgID, vectorTime, []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"webhook-id":        vectorMsgID,
		"webhook-timestamp": "1614265330",
		"webhook-signature": vectorSignature,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("Headers %s = %q, want %q", name, got, want)
		}
	}
	if err := verify.VerifyAt(vectorSecret, h, []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("verify.VerifyAt(Headers) = %v", err)
	}
}

func TestHeadersRejects(t *testing.T) {
	body := []byte(vectorBody)
	if _, err := webhooks.SignatureHeader(nil, vectorMsgID, vectorTime, body); !errors.Is(err, webhooks.ErrInvalidSecret) {
		t.Errorf("SignatureHeader without secrets: %v", err)
	}
	if _, err := webhooks.SignatureHeader([]string{vectorSecret, "nope"}, vectorMsgID, vectorTime, body); !errors.Is(err, webhooks.ErrInvalidSecret) {
		t.Errorf("SignatureHeader with one bad secret: %v", err)
	}
	if _, err := webhooks.Headers(nil, vectorMsgID, vectorTime, body); err == nil {
		t.Error("Headers without secrets: no error")
	}
	if _, err := webhooks.Headers([]string{vectorSecret}, "evt.1", vectorTime, body); !errors.Is(err, webhooks.ErrInvalidHeaders) {
		t.Errorf("Headers with '.' in msgID: %v", err)
	}
}

func TestHeadersRotation(t *testing.T) {
	oldSecret, newSec, stranger := newSecret(t), newSecret(t), newSecret(t)
	body := []byte(`{"type":"webhook.test"}`)
	now := time.Unix(1767225600, 0)
	h, err := webhooks.Headers([]string{newSec, oldSecret}, "evt_rot", now, body)
	if err != nil {
		t.Fatal(err)
	}
	sigs := strings.Split(h.Get("webhook-signature"), " ")
	if len(sigs) != 2 {
		t.Fatalf("signature header has %d parts, want 2: %q", len(sigs), h.Get("webhook-signature"))
	}
	for i, s := range []string{newSec, oldSecret} {
		if want, _ := webhooks.Sign(s, "evt_rot", now, body); sigs[i] != want {
			t.Errorf("signature %d = %q, want %q", i, sigs[i], want)
		}
		if err := verify.VerifyAt(s, h, body, now); err != nil {
			t.Errorf("secret %d: %v", i, err)
		}
	}
	if err := verify.VerifyAt(stranger, h, body, now); !errors.Is(err, webhooks.ErrNoMatchingSignature) {
		t.Errorf("stranger secret: %v", err)
	}
}

// TestReferenceLibrary checks interoperability with the Standard Webhooks
// reference Go library (github.com/standard-webhooks/standard-webhooks/libraries/go),
// in both directions. It uses the real clock because that library has no
// way to inject one.
func TestReferenceLibrary(t *testing.T) {
	secret := newSecret(t)
	body := []byte(`{"id":"evt_ref","type":"complaint.completed","data":{}}`)
	ref, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("spec vector signed by reference", func(t *testing.T) {
		v, err := standardwebhooks.NewWebhook(vectorSecret)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := v.Sign(vectorMsgID, vectorTime, []byte(vectorBody))
		if err != nil || sig != vectorSignature {
			t.Fatalf("reference Sign = %q, %v", sig, err)
		}
	})

	t.Run("ours signs, reference verifies", func(t *testing.T) {
		h, err := webhooks.Headers([]string{secret}, "evt_ref", time.Now(), body)
		if err != nil {
			t.Fatal(err)
		}
		if err := ref.Verify(body, h); err != nil {
			t.Fatalf("reference Verify = %v", err)
		}
		if err := ref.Verify(append([]byte(nil), body[1:]...), h); err == nil {
			t.Fatal("reference Verify accepted a tampered body")
		}
	})

	t.Run("ours signs with rotation, reference verifies with either secret", func(t *testing.T) {
		other := newSecret(t)
		h, err := webhooks.Headers([]string{other, secret}, "evt_ref", time.Now(), body)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{secret, other} {
			wh, err := standardwebhooks.NewWebhook(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := wh.Verify(body, h); err != nil {
				t.Fatalf("reference Verify = %v", err)
			}
		}
	})

	t.Run("reference signs, ours verifies", func(t *testing.T) {
		now := time.Now()
		sig, err := ref.Sign("evt_ref", now, body)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set(standardwebhooks.HeaderWebhookID, "evt_ref")
		h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		h.Set(standardwebhooks.HeaderWebhookSignature, sig)
		if err := webhooks.Verify(secret, h, body); err != nil {
			t.Fatalf("Verify = %v", err)
		}
		if err := verify.Verify(secret, h, body); err != nil {
			t.Fatalf("verify.Verify = %v", err)
		}
		ours, err := webhooks.Sign(secret, "evt_ref", now, body)
		if err != nil || ours != sig {
			t.Fatalf("Sign = %q, %v; reference = %q", ours, err, sig)
		}
	})
}
