// Package verify checks the signatures of the webhooks 电诉宝 sends, as the
// Standard Webhooks specification (https://www.standardwebhooks.com) defines
// them. It is its own module, imports only the standard library and needs Go
// 1.22 or newer:
//
//	go get github.com/dianshubao/dianshubao/webhooks/verify
//
// Every request carries three headers:
//
//	webhook-id:        evt_… (the event id; the same on every retry)
//	webhook-timestamp: 1767225600 (Unix seconds of this attempt)
//	webhook-signature: v1,<base64 HMAC-SHA256> [v1,<…> during a secret rotation]
//
// The signature covers "<webhook-id>.<webhook-timestamp>.<raw body>", keyed
// with the base64-decoded part of the endpoint secret after "whsec_". Verify
// checks it, and rejects timestamps more than 5 minutes (Tolerance) from your
// clock.
//
// A complete receiver:
//
//	package main
//
//	import (
//		"io"
//		"log"
//		"net/http"
//		"os"
//
//		"github.com/dianshubao/dianshubao/webhooks/verify"
//	)
//
//	func main() {
//		secret := os.Getenv("DSB_WEBHOOK_SECRET") // "whsec_…", shown once at endpoint creation
//		http.HandleFunc("/dianshubao/webhooks", func(w http.ResponseWriter, r *http.Request) {
//			if r.Method != http.MethodPost {
//				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
//				return
//			}
//			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//			if err != nil {
//				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
//				return
//			}
//			if err := verify.Verify(secret, r.Header, body); err != nil {
//				http.Error(w, "invalid signature", http.StatusUnauthorized)
//				return
//			}
//			// Verified: skip it if r.Header.Get(verify.HeaderID) was already
//			// processed, otherwise queue body for processing, then answer quickly.
//			w.WriteHeader(http.StatusNoContent)
//		})
//		log.Fatal(http.ListenAndServe(":8080", nil))
//	}
//
// Verify the raw bytes before decoding them: JSON that was decoded and
// re-encoded no longer matches the signature. Answer with any 2xx quickly;
// anything else, or no answer within the timeout, is retried later. Events may
// arrive more than once and out of order: use webhook-id to drop duplicates and
// the complaint's updated_at/version to drop stale events.
//
// During a secret rotation both the old and the new secret sign each request,
// so a receiver holding either one keeps verifying.
package verify
