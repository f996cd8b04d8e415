package webhooks_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/dianshubao/dianshubao/webhooks"
)

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

func vectorHeader() http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorMsgID)
	h.Set("webhook-timestamp", strconv.Itoa(vectorTimestamp))
	h.Set("webhook-signature", vectorSignature)
	return h
}

func newSecret(t testing.TB) string {
	t.Helper()
	s, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignSpecVector(t *testing.T) {
	got, err := webhooks.Sign(vectorSecret, vectorMsgID, vectorTime, []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorSignature {
		t.Fatalf("Sign = %q, want %q", got, vectorSignature)
	}
	if err := webhooks.VerifyAt(vectorSecret, vectorHeader(), []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("VerifyAt(vector) = %v", err)
	}
	// Without the whsec_ prefix, as the reference libraries also accept.
	bare := strings.TrimPrefix(vectorSecret, webhooks.SecretPrefix)
	if err := webhooks.VerifyAt(bare, vectorHeader(), []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("VerifyAt(vector, unprefixed secret) = %v", err)
	}
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
}

func TestNewSecret(t *testing.T) {
	a, b := newSecret(t), newSecret(t)
	if a == b {
		t.Fatal("two secrets are equal")
	}
	for _, s := range []string{a, b} {
		if !strings.HasPrefix(s, "whsec_") {
			t.Fatalf("secret %q lacks whsec_", s)
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || len(raw) != 32 {
			t.Fatalf("secret %q: %d bytes, err %v", s, len(raw), err)
		}
		key, err := webhooks.DecodeSecret(s)
		if err != nil || string(key) != string(raw) {
			t.Fatalf("DecodeSecret(%q) = %x, %v", s, key, err)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	key24 := b64(make([]byte, 24))
	tests := []struct {
		name   string
		secret string
		ok     bool
	}{
		{"vector", vectorSecret, true},
		{"unprefixed", strings.TrimPrefix(vectorSecret, "whsec_"), true},
		{"64 bytes", "whsec_" + b64(make([]byte, 64)), true},
		{"24 bytes", "whsec_" + key24, true},
		{"empty", "", false},
		{"prefix only", "whsec_", false},
		{"not base64", "whsec_!!!not-base64!!!", false},
		{"url alphabet", "whsec_" + base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe}), false},
		{"missing padding", "whsec_" + base64.RawStdEncoding.EncodeToString(make([]byte, 25)), false},
		{"embedded newline", "whsec_" + key24[:8] + "\n" + key24[8:], false},
		{"trailing space", "whsec_" + key24 + " ", false},
		{"non-canonical last char", "whsec_" + b64(make([]byte, 25))[:32] + "AB==", false},
		{"too short (16 bytes)", "whsec_" + b64(make([]byte, 16)), false},
		{"too long (65 bytes)", "whsec_" + b64(make([]byte, 65)), false},
		{"double prefix", "whsec_whsec_" + key24, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhooks.DecodeSecret(tt.secret)
			if tt.ok && err != nil {
				t.Fatalf("DecodeSecret = %v, want success", err)
			}
			if !tt.ok && !errors.Is(err, webhooks.ErrInvalidSecret) {
				t.Fatalf("DecodeSecret = %v, want ErrInvalidSecret", err)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	body := []byte(vectorBody)
	if _, err := webhooks.Sign("whsec_bad", vectorMsgID, vectorTime, body); !errors.Is(err, webhooks.ErrInvalidSecret) {
		t.Errorf("bad secret: %v", err)
	}
	if _, err := webhooks.Sign(vectorSecret, "", vectorTime, body); err == nil {
		t.Error("empty msgID: no error")
	}
	if _, err := webhooks.Sign(vectorSecret, "evt.1", vectorTime, body); err == nil {
		t.Error("msgID with '.': no error")
	}
	if _, err := webhooks.SignatureHeader(nil, vectorMsgID, vectorTime, body); err == nil {
		t.Error("SignatureHeader without secrets: no error")
	}
	if _, err := webhooks.SignatureHeader([]string{vectorSecret, "nope"}, vectorMsgID, vectorTime, body); err == nil {
		t.Error("SignatureHeader with one bad secret: no error")
	}
	if _, err := webhooks.Headers(nil, vectorMsgID, vectorTime, body); err == nil {
		t.Error("Headers without secrets: no error")
	}
}

func TestRoundTrip(t *testing.T) {
	secret := newSecret(t)
	for _, body := range [][]byte{
		nil,
		[]byte("{}"),
		[]byte(`{"id":"evt_1","type":"complaint.delivered","data":{"complaint":{"title":"仅退款 未到账"}}}`),
		[]byte("not json\x00\xff with . dots . and spaces"),
	} {
		now := time.Now()
		h, err := webhooks.Headers([]string{secret}, "evt_2xYz", now, body)
		if err != nil {
			t.Fatal(err)
		}
		if err := webhooks.Verify(secret, h, body); err != nil {
			t.Errorf("Verify(%q) = %v", body, err)
		}
		if err := webhooks.VerifyAt(secret, h, body, now.Add(time.Minute)); err != nil {
			t.Errorf("VerifyAt(%q, +1m) = %v", body, err)
		}
	}
}

func TestTampered(t *testing.T) {
	secret := newSecret(t)
	body := []byte(`{"id":"evt_1","amount":"199.00"}`)
	now := time.Unix(1767225600, 0)
	base, err := webhooks.Headers([]string{secret}, "evt_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		secret string
		header func(http.Header)
		body   []byte
	}{
		{"body changed", secret, nil, []byte(`{"id":"evt_1","amount":"999.00"}`)},
		{"body re-serialised", secret, nil, []byte(`{"id": "evt_1", "amount": "199.00"}`)},
		{"body truncated", secret, nil, body[:len(body)-1]},
		{"id changed", secret, func(h http.Header) { h.Set("webhook-id", "evt_2") }, body},
		{"timestamp changed", secret, func(h http.Header) { h.Set("webhook-timestamp", strconv.FormatInt(now.Unix()+1, 10)) }, body},
		{"signature bit flipped", secret, func(h http.Header) {
			sig := []byte(h.Get("webhook-signature"))
			sig[5] ^= 0x01
			h.Set("webhook-signature", string(sig))
		}, body},
		{"other secret", newSecret(t), nil, body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := base.Clone()
			if tt.header != nil {
				tt.header(h)
			}
			err := webhooks.VerifyAt(tt.secret, h, tt.body, now)
			if !errors.Is(err, webhooks.ErrNoMatchingSignature) {
				t.Fatalf("VerifyAt = %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	oldSecret, newSec, stranger := newSecret(t), newSecret(t), newSecret(t)
	body := []byte(`{"type":"webhook.test"}`)
	now := time.Unix(1767225600, 0)
	h, err := webhooks.Headers([]string{newSec, oldSecret}, "evt_rot", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(h.Get("webhook-signature"), " ")); n != 2 {
		t.Fatalf("signature header has %d parts, want 2: %q", n, h.Get("webhook-signature"))
	}
	for name, s := range map[string]string{"new": newSec, "old": oldSecret} {
		if err := webhooks.VerifyAt(s, h, body, now); err != nil {
			t.Errorf("%s secret: %v", name, err)
		}
	}
	if err := webhooks.VerifyAt(stranger, h, body, now); !errors.Is(err, webhooks.ErrNoMatchingSignature) {
		t.Errorf("stranger secret: %v", err)
	}
	// Extra whitespace and unknown versions around the valid signature are tolerated.
	sigs := strings.Fields(h.Get("webhook-signature"))
	h.Set("webhook-signature", "v2,AAAA  v1a,bm90LWVkMjU1MTk=  v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "+sigs[1]+" ")
	if err := webhooks.VerifyAt(oldSecret, h, body, now); err != nil {
		t.Errorf("old secret among noise: %v", err)
	}
}

// Decision: a timestamp exactly Tolerance (300 s) away is accepted, in either
// direction; 301 s is refused. The comparison is in whole seconds, so 300.999 s
// (now's fraction is dropped) still passes.
func TestToleranceEdges(t *testing.T) {
	secret := newSecret(t)
	body := []byte(`{}`)
	ts := time.Unix(1767225600, 0)
	h, err := webhooks.Headers([]string{secret}, "evt_tol", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"same second", ts, nil},
		{"5 min old", ts.Add(5 * time.Minute), nil},
		{"5 min 999 ms old", ts.Add(5*time.Minute + 999*time.Millisecond), nil},
		{"5 min 1 s old", ts.Add(5*time.Minute + time.Second), webhooks.ErrMessageTooOld},
		{"a day old", ts.Add(24 * time.Hour), webhooks.ErrMessageTooOld},
		{"5 min ahead", ts.Add(-5 * time.Minute), nil},
		{"5 min 1 s ahead", ts.Add(-5*time.Minute - time.Second), webhooks.ErrMessageTooNew},
		{"a day ahead", ts.Add(-24 * time.Hour), webhooks.ErrMessageTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhooks.VerifyAt(secret, h, body, tt.now)
			if tt.want == nil && err != nil {
				t.Fatalf("VerifyAt = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
	// Old timestamps are refused before the signature is even looked at: a
	// captured request cannot be replayed later.
	if err := webhooks.VerifyAt(secret, h, []byte("tampered"), ts.Add(time.Hour)); !errors.Is(err, webhooks.ErrMessageTooOld) {
		t.Fatalf("old and tampered: %v", err)
	}
}

func TestMalformedHeaders(t *testing.T) {
	body := []byte(vectorBody)
	tests := []struct {
		name   string
		secret string
		edit   func(http.Header)
		want   error
	}{
		{"no headers", vectorSecret, func(h http.Header) { clear(h) }, webhooks.ErrMissingHeaders},
		{"no id", vectorSecret, func(h http.Header) { h.Del("webhook-id") }, webhooks.ErrMissingHeaders},
		{"no timestamp", vectorSecret, func(h http.Header) { h.Del("webhook-timestamp") }, webhooks.ErrMissingHeaders},
		{"no signature", vectorSecret, func(h http.Header) { h.Del("webhook-signature") }, webhooks.ErrMissingHeaders},
		{"empty id", vectorSecret, func(h http.Header) { h.Set("webhook-id", "") }, webhooks.ErrMissingHeaders},
		{"empty signature", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "") }, webhooks.ErrMissingHeaders},
		{"non-numeric timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "yesterday") }, webhooks.ErrInvalidHeaders},
		{"RFC 3339 timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }, webhooks.ErrInvalidHeaders},
		{"fractional timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330.5") }, webhooks.ErrInvalidHeaders},
		{"signed timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "+1614265330") }, webhooks.ErrInvalidHeaders},
		{"negative timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "-1") }, webhooks.ErrInvalidHeaders},
		{"timestamp with space", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330 ") }, webhooks.ErrInvalidHeaders},
		{"huge timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", strings.Repeat("9", 40)) }, webhooks.ErrInvalidHeaders},
		{"max int64 timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "9223372036854775807") }, webhooks.ErrInvalidHeaders},
		{"zero timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "0") }, webhooks.ErrMessageTooOld},
		{"id with dot", vectorSecret, func(h http.Header) { h.Set("webhook-id", "msg.1") }, webhooks.ErrInvalidHeaders},
		{"v2 only", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.Replace(vectorSignature, "v1,", "v2,", 1))
		}, webhooks.ErrNoMatchingSignature},
		{"v1a only", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.Replace(vectorSignature, "v1,", "v1a,", 1))
		}, webhooks.ErrNoMatchingSignature},
		{"no version", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.TrimPrefix(vectorSignature, "v1,"))
		}, webhooks.ErrNoMatchingSignature},
		{"v1 empty", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "v1,") }, webhooks.ErrNoMatchingSignature},
		{"commas only", vectorSecret, func(h http.Header) { h.Set("webhook-signature", ",,, ,") }, webhooks.ErrNoMatchingSignature},
		{"spaces only", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "   ") }, webhooks.ErrNoMatchingSignature},
		{"signature with trailing junk", vectorSecret, func(h http.Header) { h.Set("webhook-signature", vectorSignature+",x") }, webhooks.ErrNoMatchingSignature},
		{"hex signature", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", "v1,8348"+strings.Repeat("0", 60))
		}, webhooks.ErrNoMatchingSignature},
		{"empty secret", "", nil, webhooks.ErrInvalidSecret},
		{"malformed secret", "whsec_%%%", nil, webhooks.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := vectorHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			err := webhooks.VerifyAt(tt.secret, h, body, vectorTime)
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
	if err := webhooks.VerifyAt(vectorSecret, nil, body, vectorTime); !errors.Is(err, webhooks.ErrMissingHeaders) {
		t.Fatalf("nil header: %v", err)
	}
}

func TestHeaderNamesCaseInsensitive(t *testing.T) {
	body := []byte(vectorBody)
	variants := map[string]http.Header{
		"canonical (Header.Set)": vectorHeader(),
		"lower-case map keys": {
			"webhook-id":        {vectorMsgID},
			"webhook-timestamp": {strconv.Itoa(vectorTimestamp)},
			"webhook-signature": {vectorSignature},
		},
		"upper-case map keys": {
			"WEBHOOK-ID":        {vectorMsgID},
			"WEBHOOK-TIMESTAMP": {strconv.Itoa(vectorTimestamp)},
			"WEBHOOK-SIGNATURE": {vectorSignature},
		},
	}
	for name, h := range variants {
		if err := webhooks.VerifyAt(vectorSecret, h, body, vectorTime); err != nil {
			t.Errorf("%s: %v", name, err)
		}
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
		ours, err := webhooks.Sign(secret, "evt_ref", now, body)
		if err != nil || ours != sig {
			t.Fatalf("Sign = %q, %v; reference = %q", ours, err, sig)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add(vectorMsgID, strconv.Itoa(vectorTimestamp), vectorSignature, []byte(vectorBody))
	f.Add("", "", "", []byte(nil))
	f.Add("evt_1", "abc", "v2,xyz v1,", []byte("{}"))
	f.Add("evt.1", "-1", "v1,"+strings.Repeat("A", 44), []byte("\x00\xff"))
	f.Add("evt_1", "99999999999999999999", "  v1,,, ", []byte("."))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		// Arbitrary headers and bodies: any error is fine, a panic is not.
		err := webhooks.VerifyAt(vectorSecret, h, body, vectorTime)
		if err == nil && sig != vectorSignature && !strings.Contains(sig, "v1,") {
			t.Fatalf("accepted a header without a v1 signature: %q", sig)
		}

		// Whatever the body, what Sign produced verifies, and only for that body.
		now := time.Unix(1767225600, 0)
		hdr, err := webhooks.Headers([]string{vectorSecret}, "evt_fuzz", now, body)
		if err != nil {
			t.Fatal(err)
		}
		if err := webhooks.VerifyAt(vectorSecret, hdr, body, now); err != nil {
			t.Fatalf("signed body does not verify: %v", err)
		}
		if err := webhooks.VerifyAt(vectorSecret, hdr, append(bytes.Clone(body), 'x'), now); !errors.Is(err, webhooks.ErrNoMatchingSignature) {
			t.Fatalf("extended body: %v", err)
		}
	})
}
