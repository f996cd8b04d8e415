// Command webhook-receiver is a platform engineer's first webhook endpoint: it listens on
// -addr, verifies every request with verify.Verify (package webhooks/verify) and the endpoint's secret, prints each
// verified event as one JSON line on standard output and answers 204. A request that does
// not verify is answered 401 and reported on standard error.
//
//	go run ./scripts/webhook-receiver -addr localhost:9000 -secret whsec_…
//
// The secret may come from DSB_WEBHOOK_SECRET instead of -secret. It is for development: the
// service only delivers to an http:// address on this machine when started with
// DSB_WEBHOOK_ALLOW_PRIVATE=true and DSB_WEBHOOK_ALLOW_INSECURE=true.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/webhooks/verify"
)

// maxBody bounds what one request may send; the service's payloads are far smaller.
const maxBody = 1 << 20

func main() {
	addr := flag.String("addr", "localhost:9000", "listen address")
	secret := flag.String("secret", os.Getenv("DSB_WEBHOOK_SECRET"), "the endpoint's signing secret (whsec_…); default $DSB_WEBHOOK_SECRET")
	flag.Parse()
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "webhook-receiver: give the endpoint's secret with -secret or DSB_WEBHOOK_SECRET")
		os.Exit(2)
	}
	logger := log.New(os.Stderr, "webhook-receiver: ", 0)
	srv := &http.Server{
		Addr:              *addr,
		Handler:           newHandler(*secret, os.Stdout, logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
	}
	logger.Printf("listening on %s", *addr)
	logger.Fatal(srv.ListenAndServe())
}

// newHandler verifies each POST and writes its event, compacted to one line, to out.
func newHandler(secret string, out io.Writer, logger *log.Logger) http.Handler {
	var mu sync.Mutex // one line at a time, whole
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "could not read the body", http.StatusBadRequest)
			return
		}
		// Verify before trusting a single byte: signature, and a timestamp within 5 minutes.
		if err := verify.Verify(secret, r.Header, body); err != nil {
			logger.Printf("refused a request from %s (webhook-id %q): %v", r.RemoteAddr, r.Header.Get("webhook-id"), err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var line bytes.Buffer
		if err := json.Compact(&line, body); err != nil {
			logger.Printf("verified %s but its body is not JSON: %v", r.Header.Get("webhook-id"), err)
			http.Error(w, "body is not JSON", http.StatusBadRequest)
			return
		}
		line.WriteByte('\n')
		mu.Lock()
		_, err = out.Write(line.Bytes())
		mu.Unlock()
		if err != nil {
			logger.Printf("write: %v", err)
		}
		// A real receiver would queue the event here (keyed by webhook-id, to skip repeats)
		// and answer at once.
		w.WriteHeader(http.StatusNoContent)
	})
}
