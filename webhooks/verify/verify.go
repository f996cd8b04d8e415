package verify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks specification. HTTP header names are
// case-insensitive; Verify finds them whatever their spelling.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

const (
	// SecretPrefix starts every secret issued by 电诉宝; the rest is standard base64.
	SecretPrefix = "whsec_"

	// Tolerance is how far webhook-timestamp may be from the receiver's clock,
	// in either direction. A timestamp exactly Tolerance away is still accepted;
	// the comparison is made in whole seconds, the resolution of the header.
	Tolerance = 5 * time.Minute

	// Secrets are 24 to 64 random bytes (192 to 512 bits), as the specification
	// asks; NewSecret issues 32.
	minSecretBytes = 24
	maxSecretBytes = 64
	newSecretBytes = 32

	signatureVersion = "v1"
)

// Errors returned by Verify and VerifyAt (and, for ErrInvalidSecret,
// ErrMissingHeaders and ErrInvalidHeaders, by DecodeSecret and Sign). Compare
// with errors.Is: they may be wrapped with detail.
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or webhook-signature is
	// absent or empty.
	ErrMissingHeaders = errors.New("webhooks: missing webhook-id, webhook-timestamp or webhook-signature header")
	// ErrInvalidHeaders: a header is present but malformed (a timestamp that is
	// not Unix seconds, or a webhook-id containing '.').
	ErrInvalidHeaders = errors.New("webhooks: malformed webhook headers")
	// ErrMessageTooOld: webhook-timestamp is more than Tolerance in the past
	// (a replay, or a receiver clock far ahead).
	ErrMessageTooOld = errors.New("webhooks: message timestamp too old")
	// ErrMessageTooNew: webhook-timestamp is more than Tolerance in the future
	// (a receiver clock far behind).
	ErrMessageTooNew = errors.New("webhooks: message timestamp too new")
	// ErrNoMatchingSignature: no v1 signature in webhook-signature matches the
	// body under this secret (wrong secret, or the body, id or timestamp were
	// changed — often by re-serialising JSON before verifying).
	ErrNoMatchingSignature = errors.New("webhooks: no matching signature")
	// ErrInvalidSecret: the secret is not "whsec_" followed by standard base64
	// of 24 to 64 bytes. This is a configuration error on the receiver's side.
	ErrInvalidSecret = errors.New("webhooks: invalid webhook secret")
)

// NewSecret returns a fresh signing secret: "whsec_" followed by the standard
// base64 encoding of 32 random bytes.
func NewSecret() (string, error) {
	key := make([]byte, newSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhooks: generating secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// DecodeSecret returns the HMAC key of a secret: the base64-decoded part after
// "whsec_". The prefix may be omitted, as other Standard Webhooks libraries
// allow. Anything else malformed (non-canonical base64, whitespace, a key
// shorter than 24 or longer than 64 bytes) is an error wrapping ErrInvalidSecret.
func DecodeSecret(secret string) ([]byte, error) {
	enc := strings.TrimPrefix(secret, SecretPrefix)
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64 after %q", ErrInvalidSecret, SecretPrefix)
	}
	// DecodeString skips \r and \n; re-encoding catches those and any other
	// non-canonical form, so that one key has exactly one spelling.
	if base64.StdEncoding.EncodeToString(key) != enc {
		return nil, fmt.Errorf("%w: not canonical base64", ErrInvalidSecret)
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d to %d", ErrInvalidSecret, len(key), minSecretBytes, maxSecretBytes)
	}
	return key, nil
}

// Sign returns the signature "v1,<base64 HMAC-SHA256>" of
// msgID + "." + <Unix seconds of timestamp> + "." + body under secret.
// msgID must be non-empty and contain no '.', so that the three parts cannot
// be re-split differently (which would let a replay choose its timestamp).
//
// Receivers need only Verify; Sign is for building test requests, and is what
// 电诉宝 uses to sign what it sends.
func Sign(secret, msgID string, timestamp time.Time, body []byte) (string, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	if err := checkMsgID(msgID); err != nil {
		return "", err
	}
	return signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(key, msgID, timestamp.Unix(), body)), nil
}

// Verify checks that body, received with header, was sent by 电诉宝 with the
// endpoint's secret ("whsec_…", shown once when the endpoint was created or
// its secret rotated), and that webhook-timestamp is within Tolerance (5
// minutes either way) of the local clock.
//
// Pass the raw request body, byte for byte as received: re-encoded JSON does
// not verify. It returns nil on success; otherwise an error for which
// errors.Is matches ErrInvalidSecret, ErrMissingHeaders, ErrInvalidHeaders,
// ErrMessageTooOld, ErrMessageTooNew or ErrNoMatchingSignature. Answer a failed
// verification with 400 or 401 and do not act on the body.
//
// Every space-separated "v1,…" signature is compared in constant time; other
// versions are ignored. After verifying, use webhook-id as an idempotency key:
// retries of one event carry the same id.
func Verify(secret string, header http.Header, body []byte) error {
	return VerifyAt(secret, header, body, time.Now())
}

// VerifyAt is Verify with the current time given, for tests and for receivers
// with their own clock.
func VerifyAt(secret string, header http.Header, body []byte, now time.Time) error {
	key, err := DecodeSecret(secret)
	if err != nil {
		return err
	}
	msgID := headerValue(header, HeaderID)
	tsRaw := headerValue(header, HeaderTimestamp)
	sigs := headerValue(header, HeaderSignature)
	if msgID == "" || tsRaw == "" || sigs == "" {
		return ErrMissingHeaders
	}
	if err := checkMsgID(msgID); err != nil {
		return err
	}
	ts, err := parseTimestamp(tsRaw)
	if err != nil {
		return err
	}
	// Whole seconds on both sides: the header has no finer resolution.
	tol := int64(Tolerance / time.Second)
	switch nowSec := now.Unix(); {
	case nowSec-ts > tol:
		return ErrMessageTooOld
	case ts-nowSec > tol:
		return ErrMessageTooNew
	}

	expected := []byte(base64.StdEncoding.EncodeToString(mac(key, msgID, ts, body)))
	for _, vs := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(vs, ",")
		if !ok || version != signatureVersion {
			continue
		}
		if hmac.Equal([]byte(sig), expected) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}

func mac(key []byte, msgID string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

func checkMsgID(msgID string) error {
	if msgID == "" {
		return fmt.Errorf("%w: empty webhook-id", ErrMissingHeaders)
	}
	if strings.Contains(msgID, ".") {
		return fmt.Errorf("%w: webhook-id contains '.'", ErrInvalidHeaders)
	}
	return nil
}

// parseTimestamp accepts only decimal digits (no sign, no spaces), at most 18
// of them so that the tolerance arithmetic cannot overflow.
func parseTimestamp(s string) (int64, error) {
	if len(s) > 18 {
		return 0, fmt.Errorf("%w: webhook-timestamp is not Unix seconds", ErrInvalidHeaders)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: webhook-timestamp is not Unix seconds", ErrInvalidHeaders)
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// headerValue is http.Header.Get, falling back to a case-insensitive scan for
// maps built by hand with non-canonical keys (e.g. "webhook-id").
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if len(vs) > 0 && strings.EqualFold(k, name) {
			return vs[0]
		}
	}
	return ""
}
