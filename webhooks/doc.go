// Package webhooks owns 电诉宝's outgoing webhooks: Standard Webhooks signing
// (https://www.standardwebhooks.com) and Verify, which integrated platforms
// import to check the requests they receive; the URL guard against server-side
// request forgery (URLPolicy, BlockedIP); and the dispatcher that sends,
// retries and disables endpoints.
//
// # Verifying a webhook (for platform engineers)
//
// Every request carries three headers:
//
//	webhook-id:        evt_… (the event id; the same on every retry)
//	webhook-timestamp: 1767225600 (Unix seconds of this attempt)
//	webhook-signature: v1,<base64 HMAC-SHA256> [v1,<…> during a secret rotation]
//
// The signature covers "<webhook-id>.<webhook-timestamp>.<raw body>", keyed
// with the base64-decoded part of the endpoint secret after "whsec_". Verify
// checks it, and rejects timestamps more than 5 minutes from your clock:
//
//	func handle(w http.ResponseWriter, r *http.Request) {
//		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//		if err != nil {
//			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
//			return
//		}
//		if err := webhooks.Verify(os.Getenv("DSB_WEBHOOK_SECRET"), r.Header, body); err != nil {
//			http.Error(w, "invalid signature", http.StatusUnauthorized)
//			return
//		}
//		// Verified: deduplicate on r.Header.Get("webhook-id"), then decode body.
//		w.WriteHeader(http.StatusNoContent)
//	}
//
// Verify the raw bytes before decoding them: JSON that was decoded and
// re-encoded no longer matches the signature. Answer with any 2xx quickly;
// anything else, or no answer within the timeout, is retried later. Events may
// arrive more than once and out of order: use webhook-id to drop duplicates and
// the complaint's updated_at/version to drop stale events.
//
// Signing and Verify use only the standard library.
package webhooks
