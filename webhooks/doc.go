// Package webhooks owns 电诉宝's outgoing webhooks: Standard Webhooks signing
// (https://www.standardwebhooks.com); the URL guard against server-side
// request forgery (URLPolicy, BlockedIP); and, in package dispatch, the
// dispatcher that sends, retries and disables endpoints.
//
// # Verifying a webhook (for platform engineers)
//
// Do not import this package to verify what you receive: it belongs to the
// server module, whose Go version and dependencies would become yours. Import
// github.com/dianshubao/dianshubao/webhooks/verify instead, its own module
// with no dependency beyond the standard library (Go 1.22 or newer):
//
//	go get github.com/dianshubao/dianshubao/webhooks/verify
//
//	if err := verify.Verify(os.Getenv("DSB_WEBHOOK_SECRET"), r.Header, body); err != nil {
//		http.Error(w, "invalid signature", http.StatusUnauthorized)
//		return
//	}
//
// Its package documentation has a complete receiver. Sign, Verify, VerifyAt,
// NewSecret, DecodeSecret, the header names and the errors here are that
// package's, re-exported for the server; SignatureHeader and Headers, which
// only the sender needs, are built on them.
package webhooks
