package verify_test

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// Decision: a timestamp exactly Tolerance (300 s) away is accepted, in either
// direction; 301 s is refused. The comparison is in whole seconds, so 300.999 s
// (now's fraction is dropped) still passes.
func TestToleranceEdges(t *testing.T) {
	secret := newSecret(t)
	body := []byte(`{}`)
	ts := time.Unix(1767225600, 0)
	h := signedHeader(t, []string{secret}, "evt_tol", ts, body)
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"same second", ts, nil},
		{"5 min old", ts.Add(5 * time.Minute), nil},
		{"5 min 999 ms old", ts.Add(5*time.Minute + 999*time.Millisecond), nil},
		{"5 min 1 s old", ts.Add(5*time.Minute + time.Second), verify.ErrMessageTooOld},
		{"a day old", ts.Add(24 * time.Hour), verify.ErrMessageTooOld},
		{"5 min ahead", ts.Add(-5 * time.Minute), nil},
		{"5 min ahead, now 1 ns past the second", ts.Add(-5*time.Minute + time.Nanosecond), nil},
		{"5 min 1 s ahead", ts.Add(-5*time.Minute - time.Second), verify.ErrMessageTooNew},
		{"a day ahead", ts.Add(-24 * time.Hour), verify.ErrMessageTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verify.VerifyAt(secret, h, body, tt.now)
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
	if err := verify.VerifyAt(secret, h, []byte("tampered"), ts.Add(time.Hour)); !errors.Is(err, verify.ErrMessageTooOld) {
		t.Fatalf("old and tampered: %v", err)
	}
	// The spec vector, 300 s and 301 s either side of its own timestamp.
	for _, tt := range []struct {
		offset time.Duration
		want   error
	}{
		{300 * time.Second, nil},
		{301 * time.Second, verify.ErrMessageTooOld},
		{-300 * time.Second, nil},
		{-301 * time.Second, verify.ErrMessageTooNew},
	} {
		err := verify.VerifyAt(vectorSecret, vectorHeader(), []byte(vectorBody), vectorTime.Add(tt.offset))
		if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("vector at %+v: %v, want %v", tt.offset, err, tt.want)
		}
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
		{"no headers", vectorSecret, func(h http.Header) { clear(h) }, verify.ErrMissingHeaders},
		{"no id", vectorSecret, func(h http.Header) { h.Del("webhook-id") }, verify.ErrMissingHeaders},
		{"no timestamp", vectorSecret, func(h http.Header) { h.Del("webhook-timestamp") }, verify.ErrMissingHeaders},
		{"no signature", vectorSecret, func(h http.Header) { h.Del("webhook-signature") }, verify.ErrMissingHeaders},
		{"empty id", vectorSecret, func(h http.Header) { h.Set("webhook-id", "") }, verify.ErrMissingHeaders},
		{"empty timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "") }, verify.ErrMissingHeaders},
		{"empty signature", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "") }, verify.ErrMissingHeaders},
		{"non-numeric timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "yesterday") }, verify.ErrInvalidHeaders},
		{"RFC 3339 timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }, verify.ErrInvalidHeaders},
		{"fractional timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330.5") }, verify.ErrInvalidHeaders},
		{"millisecond timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330000") }, verify.ErrMessageTooNew},
		{"signed timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "+1614265330") }, verify.ErrInvalidHeaders},
		{"negative timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "-1") }, verify.ErrInvalidHeaders},
		{"timestamp with space", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "1614265330 ") }, verify.ErrInvalidHeaders},
		{"hex timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "0x603793f2") }, verify.ErrInvalidHeaders},
		{"huge timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", strings.Repeat("9", 40)) }, verify.ErrInvalidHeaders},
		{"max int64 timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "9223372036854775807") }, verify.ErrInvalidHeaders},
		{"zero timestamp", vectorSecret, func(h http.Header) { h.Set("webhook-timestamp", "0") }, verify.ErrMessageTooOld},
		{"id with dot", vectorSecret, func(h http.Header) { h.Set("webhook-id", "msg.1") }, verify.ErrInvalidHeaders},
		{"v2 only", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.Replace(vectorSignature, "v1,", "v2,", 1))
		}, verify.ErrNoMatchingSignature},
		{"v1a only", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.Replace(vectorSignature, "v1,", "v1a,", 1))
		}, verify.ErrNoMatchingSignature},
		{"upper-case version", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.Replace(vectorSignature, "v1,", "V1,", 1))
		}, verify.ErrNoMatchingSignature},
		{"no version", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", strings.TrimPrefix(vectorSignature, "v1,"))
		}, verify.ErrNoMatchingSignature},
		{"v1 empty", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "v1,") }, verify.ErrNoMatchingSignature},
		{"commas only", vectorSecret, func(h http.Header) { h.Set("webhook-signature", ",,, ,") }, verify.ErrNoMatchingSignature},
		{"spaces only", vectorSecret, func(h http.Header) { h.Set("webhook-signature", "   ") }, verify.ErrNoMatchingSignature},
		{"comma-separated list", vectorSecret, func(h http.Header) { h.Set("webhook-signature", foreignSignature+","+vectorSignature) }, verify.ErrNoMatchingSignature},
		{"signature with trailing junk", vectorSecret, func(h http.Header) { h.Set("webhook-signature", vectorSignature+",x") }, verify.ErrNoMatchingSignature},
		{"signature without padding", vectorSecret, func(h http.Header) { h.Set("webhook-signature", strings.TrimSuffix(vectorSignature, "=")) }, verify.ErrNoMatchingSignature},
		{"hex signature", vectorSecret, func(h http.Header) {
			h.Set("webhook-signature", "v1,8348"+strings.Repeat("0", 60))
		}, verify.ErrNoMatchingSignature},
		{"empty secret", "", nil, verify.ErrInvalidSecret},
		{"malformed secret", "whsec_%%%", nil, verify.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := vectorHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			err := verify.VerifyAt(tt.secret, h, body, vectorTime)
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
	if err := verify.VerifyAt(vectorSecret, nil, body, vectorTime); !errors.Is(err, verify.ErrMissingHeaders) {
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
		if err := verify.VerifyAt(vectorSecret, h, body, vectorTime); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
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
		err := verify.VerifyAt(vectorSecret, h, body, vectorTime)
		if err == nil && sig != vectorSignature && !strings.Contains(sig, "v1,") {
			t.Fatalf("accepted a header without a v1 signature: %q", sig)
		}

		// Whatever the body, what Sign produced verifies, and only for that body.
		now := time.Unix(1767225600, 0)
		hdr := signedHeader(t, []string{vectorSecret}, "evt_fuzz", now, body)
		if err := verify.VerifyAt(vectorSecret, hdr, body, now); err != nil {
			t.Fatalf("signed body does not verify: %v", err)
		}
		if err := verify.VerifyAt(vectorSecret, hdr, append(bytes.Clone(body), 'x'), now); !errors.Is(err, verify.ErrNoMatchingSignature) {
			t.Fatalf("extended body: %v", err)
		}
	})
}
