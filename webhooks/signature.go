package webhooks

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// Standard Webhooks signing and verification live in the module
// github.com/dianshubao/dianshubao/webhooks/verify, which integrators import
// without this server's dependencies or Go version. This file re-exports it
// for the server, and adds what only the sender needs: SignatureHeader and
// Headers.

// Header names of the Standard Webhooks specification; see package verify.
const (
	HeaderID        = verify.HeaderID
	HeaderTimestamp = verify.HeaderTimestamp
	HeaderSignature = verify.HeaderSignature
)

const (
	// SecretPrefix starts every secret issued by 电诉宝; see verify.SecretPrefix.
	SecretPrefix = verify.SecretPrefix
	// Tolerance is how far webhook-timestamp may be from the receiver's clock;
	// see verify.Tolerance.
	Tolerance = verify.Tolerance
)

// Errors of Verify and VerifyAt: the same values as package verify's, so that
// errors.Is matches either spelling.
var (
	ErrMissingHeaders      = verify.ErrMissingHeaders
	ErrInvalidHeaders      = verify.ErrInvalidHeaders
	ErrMessageTooOld       = verify.ErrMessageTooOld
	ErrMessageTooNew       = verify.ErrMessageTooNew
	ErrNoMatchingSignature = verify.ErrNoMatchingSignature
	ErrInvalidSecret       = verify.ErrInvalidSecret
)

// NewSecret returns a fresh signing secret; see verify.NewSecret.
func NewSecret() (string, error) { return verify.NewSecret() }

// DecodeSecret returns the HMAC key of a secret; see verify.DecodeSecret.
func DecodeSecret(secret string) ([]byte, error) { return verify.DecodeSecret(secret) }

// Sign returns the signature "v1,<base64 HMAC-SHA256>"; see verify.Sign.
func Sign(secret, msgID string, timestamp time.Time, body []byte) (string, error) {
	return verify.Sign(secret, msgID, timestamp, body)
}

// Verify checks a received webhook against the local clock; see verify.Verify.
func Verify(secret string, header http.Header, body []byte) error {
	return verify.Verify(secret, header, body)
}

// VerifyAt is Verify with the current time given; see verify.VerifyAt.
func VerifyAt(secret string, header http.Header, body []byte, now time.Time) error {
	return verify.VerifyAt(secret, header, body, now)
}

// SignatureHeader returns the value of webhook-signature: one signature per
// secret, space-separated. During a secret rotation the sender passes both the
// new and the old secret, so receivers holding either one keep verifying.
func SignatureHeader(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", fmt.Errorf("%w: no secret to sign with", ErrInvalidSecret)
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := verify.Sign(s, msgID, ts, body)
		if err != nil {
			return "", err
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// Headers returns the three Standard Webhooks headers for one delivery attempt:
// webhook-id (msgID, the same on every retry), webhook-timestamp (ts in Unix
// seconds, the time of this attempt) and webhook-signature (see SignatureHeader).
func Headers(secrets []string, msgID string, ts time.Time, body []byte) (http.Header, error) {
	sig, err := SignatureHeader(secrets, msgID, ts, body)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, 3)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return h, nil
}
