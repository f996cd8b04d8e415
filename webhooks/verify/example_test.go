package verify_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// A platform's receiver: read the raw body, verify it, then act on it.
func ExampleVerify() {
	// The endpoint secret shown once by POST /api/v1/platform/webhook-endpoints;
	// keep it in your secret store, not in code.
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		// Verify the raw bytes, before any JSON decoding.
		if err := verify.Verify(secret, r.Header, body); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate on r.Header.Get("webhook-id"), then handle the event.
		w.WriteHeader(http.StatusNoContent)
	})

	// What 电诉宝 sends (simulated here).
	body := []byte(`{"id":"evt_1","type":"webhook.test","created_at":"2026-11-26T08:00:00Z","data":{}}`)
	now := time.Now()
	sig, err := verify.Sign(secret, "evt_1", now, body)
	if err != nil {
		panic(err)
	}
	send := func(body []byte) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/dianshubao", bytes.NewReader(body))
		req.Header.Set(verify.HeaderID, "evt_1")
		req.Header.Set(verify.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(verify.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Code
	}

	fmt.Println("genuine:", send(body))
	fmt.Println("tampered:", send(bytes.Replace(body, []byte("webhook.test"), []byte("complaint.completed"), 1)))
	// Output:
	// genuine: 204
	// tampered: 401
}

func ExampleSign() {
	sig, err := verify.Sign(
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0),
		[]byte(`{"test": 2432232314}`),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}
