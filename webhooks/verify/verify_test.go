package verify_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// The published test vector of the Standard Webhooks reference libraries
// (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go,
// TestWebhookSign; the same values appear in the other languages' tests).
// They are literals here so that this module needs no dependency to check them.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

	// A well-formed v1 signature that matches nothing, used by the reference
	// tests as the "invalid signature".
	foreignSignature = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
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
	s, err := verify.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedHeader builds the headers a sender puts on a request: one signature
// per secret, space-separated, as during a secret rotation.
func signedHeader(t testing.TB, secrets []string, msgID string, ts time.Time, body []byte) http.Header {
	t.Helper()
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := verify.Sign(s, msgID, ts, body)
		if err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(verify.HeaderID, msgID)
	h.Set(verify.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(verify.HeaderSignature, strings.Join(sigs, " "))
	return h
}

func TestSignSpecVector(t *testing.T) {
	got, err := verify.Sign(vectorSecret, vectorMsgID, vectorTime, []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorSignature {
		t.Fatalf("Sign = %q, want %q", got, vectorSignature)
	}
	if err := verify.VerifyAt(vectorSecret, vectorHeader(), []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("VerifyAt(vector) = %v", err)
	}
	// Without the whsec_ prefix, as the reference libraries also accept
	// (TestWebhookPrefix).
	bare := strings.TrimPrefix(vectorSecret, verify.SecretPrefix)
	if bare != "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" {
		t.Fatalf("unprefixed vector secret = %q", bare)
	}
	if err := verify.VerifyAt(bare, vectorHeader(), []byte(vectorBody), vectorTime); err != nil {
		t.Fatalf("VerifyAt(vector, unprefixed secret) = %v", err)
	}
	if got, err := verify.Sign(bare, vectorMsgID, vectorTime, []byte(vectorBody)); err != nil || got != vectorSignature {
		t.Fatalf("Sign(unprefixed) = %q, %v", got, err)
	}
}

// The cases of the reference libraries' TestWebhook, on the spec vector and a
// fixed clock instead of the real one.
func TestSpecCases(t *testing.T) {
	body := []byte(vectorBody)
	tests := []struct {
		name string
		edit func(http.Header)
		now  time.Time
		want error
	}{
		{"valid signature is valid", nil, vectorTime, nil},
		{"missing id", func(h http.Header) { h.Del("webhook-id") }, vectorTime, verify.ErrMissingHeaders},
		{"missing timestamp", func(h http.Header) { h.Del("webhook-timestamp") }, vectorTime, verify.ErrMissingHeaders},
		{"missing signature", func(h http.Header) { h.Del("webhook-signature") }, vectorTime, verify.ErrMissingHeaders},
		{"invalid signature", func(h http.Header) { h.Set("webhook-signature", foreignSignature) }, vectorTime, verify.ErrNoMatchingSignature},
		{"partial signature", func(h http.Header) { h.Set("webhook-signature", "v1,") }, vectorTime, verify.ErrNoMatchingSignature},
		{"old timestamp", nil, vectorTime.Add(verify.Tolerance + time.Second), verify.ErrMessageTooOld},
		{"new timestamp", nil, vectorTime.Add(-verify.Tolerance - time.Second), verify.ErrMessageTooNew},
		{"valid multi sig", func(h http.Header) {
			h.Set("webhook-signature", strings.Join([]string{
				foreignSignature,
				"v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
				vectorSignature,
				foreignSignature,
			}, " "))
		}, vectorTime, nil},
		{"timestamp of 2000-01-01", func(h http.Header) { h.Set("webhook-timestamp", "946684800") }, vectorTime, verify.ErrMessageTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := vectorHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			err := verify.VerifyAt(vectorSecret, h, body, tt.now)
			if tt.want == nil && err != nil {
				t.Fatalf("VerifyAt = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
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
		key, err := verify.DecodeSecret(s)
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
		{"23 bytes", "whsec_" + b64(make([]byte, 23)), false},
		{"too long (65 bytes)", "whsec_" + b64(make([]byte, 65)), false},
		{"double prefix", "whsec_whsec_" + key24, false},
		{"upper-case prefix", "WHSEC_" + key24, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.DecodeSecret(tt.secret)
			if tt.ok && err != nil {
				t.Fatalf("DecodeSecret = %v, want success", err)
			}
			if !tt.ok && !errors.Is(err, verify.ErrInvalidSecret) {
				t.Fatalf("DecodeSecret = %v, want ErrInvalidSecret", err)
			}
			// Verify and Sign refuse the same secrets, before looking at anything else.
			if !tt.ok {
				if err := verify.VerifyAt(tt.secret, vectorHeader(), []byte(vectorBody), vectorTime); !errors.Is(err, verify.ErrInvalidSecret) {
					t.Fatalf("VerifyAt = %v, want ErrInvalidSecret", err)
				}
				if _, err := verify.Sign(tt.secret, vectorMsgID, vectorTime, []byte(vectorBody)); !errors.Is(err, verify.ErrInvalidSecret) {
					t.Fatalf("Sign = %v, want ErrInvalidSecret", err)
				}
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	body := []byte(vectorBody)
	if _, err := verify.Sign("whsec_bad", vectorMsgID, vectorTime, body); !errors.Is(err, verify.ErrInvalidSecret) {
		t.Errorf("bad secret: %v", err)
	}
	if _, err := verify.Sign(vectorSecret, "", vectorTime, body); !errors.Is(err, verify.ErrMissingHeaders) {
		t.Errorf("empty msgID: %v", err)
	}
	if _, err := verify.Sign(vectorSecret, "evt.1", vectorTime, body); !errors.Is(err, verify.ErrInvalidHeaders) {
		t.Errorf("msgID with '.': %v", err)
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
		h := signedHeader(t, []string{secret}, "evt_2xYz", now, body)
		if err := verify.Verify(secret, h, body); err != nil {
			t.Errorf("Verify(%q) = %v", body, err)
		}
		if err := verify.VerifyAt(secret, h, body, now.Add(time.Minute)); err != nil {
			t.Errorf("VerifyAt(%q, +1m) = %v", body, err)
		}
	}
}

func TestTampered(t *testing.T) {
	secret := newSecret(t)
	body := []byte(`{"id":"evt_1","amount":"199.00"}`)
	now := time.Unix(1767225600, 0)
	base := signedHeader(t, []string{secret}, "evt_1", now, body)
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
			err := verify.VerifyAt(tt.secret, h, tt.body, now)
			if !errors.Is(err, verify.ErrNoMatchingSignature) {
				t.Fatalf("VerifyAt = %v, want ErrNoMatchingSignature", err)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	oldSecret, newSec, third, stranger := newSecret(t), newSecret(t), newSecret(t), newSecret(t)
	body := []byte(`{"type":"webhook.test"}`)
	now := time.Unix(1767225600, 0)
	h := signedHeader(t, []string{newSec, oldSecret, third}, "evt_rot", now, body)
	if n := len(strings.Split(h.Get("webhook-signature"), " ")); n != 3 {
		t.Fatalf("signature header has %d parts, want 3: %q", n, h.Get("webhook-signature"))
	}
	for name, s := range map[string]string{"new": newSec, "old": oldSecret, "third": third} {
		if err := verify.VerifyAt(s, h, body, now); err != nil {
			t.Errorf("%s secret: %v", name, err)
		}
	}
	if err := verify.VerifyAt(stranger, h, body, now); !errors.Is(err, verify.ErrNoMatchingSignature) {
		t.Errorf("stranger secret: %v", err)
	}
	// Extra whitespace and unknown versions around the valid signature are tolerated.
	sigs := strings.Fields(h.Get("webhook-signature"))
	h.Set("webhook-signature", "v2,AAAA  v1a,bm90LWVkMjU1MTk=  "+foreignSignature+" "+sigs[1]+" ")
	if err := verify.VerifyAt(oldSecret, h, body, now); err != nil {
		t.Errorf("old secret among noise: %v", err)
	}
	if err := verify.VerifyAt(newSec, h, body, now); !errors.Is(err, verify.ErrNoMatchingSignature) {
		t.Errorf("new secret, its signature removed: %v", err)
	}
	// Tabs separate signatures too (strings.Fields).
	h.Set("webhook-signature", foreignSignature+"\t"+sigs[0])
	if err := verify.VerifyAt(newSec, h, body, now); err != nil {
		t.Errorf("tab-separated: %v", err)
	}
}

// The error values must stay distinct: receivers switch on them.
func TestErrorsDistinct(t *testing.T) {
	errs := []error{
		verify.ErrMissingHeaders, verify.ErrInvalidHeaders, verify.ErrMessageTooOld,
		verify.ErrMessageTooNew, verify.ErrNoMatchingSignature, verify.ErrInvalidSecret,
	}
	for i, a := range errs {
		for j, b := range errs {
			if i != j && errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v)", a, b)
			}
		}
	}
	if verify.Tolerance != 5*time.Minute {
		t.Errorf("Tolerance = %v, want 5m", verify.Tolerance)
	}
	if verify.HeaderID != "webhook-id" || verify.HeaderTimestamp != "webhook-timestamp" || verify.HeaderSignature != "webhook-signature" {
		t.Errorf("header names: %q %q %q", verify.HeaderID, verify.HeaderTimestamp, verify.HeaderSignature)
	}
}
