package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// receiver is the platforms' webhook endpoint: /hook/<platform>. It checks no signature (that
// costs the load CPU and is tested elsewhere); it records when each event first arrived, and
// for complaint.delivered the complaint it carries.
type receiver struct {
	srv  *http.Server
	addr string

	mu        sync.Mutex
	events    map[string]struct{}  // event ids seen
	delivered map[string]time.Time // complaint id → first complaint.delivered receipt
	requests  atomic.Int64
	repeats   atomic.Int64

	// While hanging is set, requests to /hook/<hanging> block for hangFor, until release is
	// closed or the server gives up on them.
	hanging  atomic.Value // string
	hangFor  time.Duration
	release  chan struct{}
	relOnce  sync.Once
	hangSeen atomic.Int64
}

type hookBody struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		Complaint struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"complaint"`
	} `json:"data"`
}

func startReceiver(hangFor time.Duration) (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{addr: ln.Addr().String(), events: map[string]struct{}{}, delivered: map[string]time.Time{},
		hangFor: hangFor, release: make(chan struct{})}
	r.hanging.Store("")
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) url(platform string) string { return "http://" + r.addr + "/hook/" + platform }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	r.requests.Add(1)
	platform := req.URL.Path[len("/hook/"):]
	if h := r.hanging.Load().(string); h != "" && platform == h {
		r.hangSeen.Add(1)
		t := time.NewTimer(r.hangFor)
		select {
		case <-t.C:
		case <-r.release:
		case <-req.Context().Done():
		}
		t.Stop()
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var body hookBody
	_ = json.Unmarshal(b, &body)
	id := req.Header.Get("webhook-id")
	if id == "" {
		id = body.ID
	}
	r.mu.Lock()
	if _, ok := r.events[id]; ok {
		r.repeats.Add(1)
	} else {
		r.events[id] = struct{}{}
		if body.Type == "complaint.delivered" && body.Data.Complaint.ID != "" {
			if _, ok := r.delivered[body.Data.Complaint.ID]; !ok {
				r.delivered[body.Data.Complaint.ID] = at
			}
		}
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// hang makes the platform's endpoint block; releaseHanging lets every blocked request go.
func (r *receiver) hang(platform string) { r.hanging.Store(platform) }

func (r *receiver) releaseHanging() {
	r.hanging.Store("")
	r.relOnce.Do(func() { close(r.release) })
}

// receipt is when the complaint's complaint.delivered event first arrived.
func (r *receiver) receipt(complaintID string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.delivered[complaintID]
	return t, ok
}

// missing counts the complaints whose complaint.delivered event has not arrived.
func (r *receiver) missing(ids []string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := r.delivered[id]; !ok {
			n++
		}
	}
	return n
}

// waitDelivered waits until every complaint's event has arrived, ctx ends or timeout passes,
// and returns how many are still missing.
func (r *receiver) waitDelivered(ctx context.Context, name string, ids []string, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	left := r.missing(ids)
	stop := progress(name, func() string {
		return strconv.Itoa(len(ids)-left) + " of " + strconv.Itoa(len(ids)) + " events received"
	})
	defer stop()
	for left > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		left = r.missing(ids)
	}
	return left
}

// lastReceipt is the latest first receipt among ids, and the first.
func (r *receiver) span(ids []string) (first, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		t, ok := r.delivered[id]
		if !ok {
			continue
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return first, last
}

func (r *receiver) close() {
	r.releaseHanging()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}
