package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks"
)

func TestReceiverPrintsVerifiedEventsAndRefusesOthers(t *testing.T) {
	secret, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h := newHandler(secret, &out, log.New(io.Discard, "", 0))
	body := []byte("{\n  \"id\": \"evt_1\", \"type\": \"webhook.test\", \"data\": {}\n}")

	send := func(header http.Header, method string) int {
		req := httptest.NewRequest(method, "/webhooks", bytes.NewReader(body))
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	signed, err := webhooks.Headers([]string{secret}, "evt_1", time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	if code := send(signed, http.MethodPost); code != http.StatusNoContent {
		t.Fatalf("signed event: %d, want 204", code)
	}
	if got, want := out.String(), `{"id":"evt_1","type":"webhook.test","data":{}}`+"\n"; got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}

	other, _ := webhooks.NewSecret()
	forged, err := webhooks.Headers([]string{other}, "evt_2", time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := webhooks.Headers([]string{secret}, "evt_3", time.Now().Add(-time.Hour), body)
	if err != nil {
		t.Fatal(err)
	}
	for name, hdr := range map[string]http.Header{"unsigned": {}, "another secret": forged, "an hour old": stale} {
		if code := send(hdr, http.MethodPost); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if code := send(signed, http.MethodGet); code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", code)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("only the verified event should be printed; got %q", out.String())
	}
}
