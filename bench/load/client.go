package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// newHTTPClient is the load's client: keep-alive connections, at most conns of them to a host.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// api calls the service over its socket. Every POST carries a fresh Idempotency-Key.
type api struct {
	http *http.Client
	base string
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// call sends one request and returns the status and the body.
func (a *api) call(ctx context.Context, method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", randomKey())
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// expect is call for the set-up: any other status than want is an error; out receives the body.
func (a *api) expect(ctx context.Context, method, path, token string, body any, want int, out any) error {
	status, b, err := a.call(ctx, method, path, token, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// pct is the nearest-rank percentile p (0–100); 0 when empty.
func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return percentile(l.d, p)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// statuses counts answers by class: 2xx, 4xx, 5xx and transport errors.
type statuses struct {
	ok, client, server, failed atomic.Int64
	mu                         sync.Mutex
	sample                     string // the first non-2xx answer, for the report
}

func (s *statuses) record(status int, body []byte, err error) {
	switch {
	case err != nil:
		s.failed.Add(1)
		s.note(err.Error())
	case status >= 500:
		s.server.Add(1)
		s.note(fmt.Sprintf("%d %.200s", status, body))
	case status >= 300:
		s.client.Add(1)
		s.note(fmt.Sprintf("%d %.200s", status, body))
	default:
		s.ok.Add(1)
	}
}

func (s *statuses) note(msg string) {
	s.mu.Lock()
	if s.sample == "" {
		s.sample = msg
	}
	s.mu.Unlock()
}

func (s *statuses) total() int64 {
	return s.ok.Load() + s.client.Load() + s.server.Load() + s.failed.Load()
}

func (s *statuses) String() string {
	out := fmt.Sprintf("2xx %d, 3xx/4xx %d, 5xx %d, transport errors %d", s.ok.Load(), s.client.Load(), s.server.Load(), s.failed.Load())
	if s.sample != "" {
		out += fmt.Sprintf(" (first: %s)", s.sample)
	}
	return out
}

// closedLoop runs fn from workers goroutines for d (or until ctx ends) and reports how many
// calls finished, their latencies and their answers.
type loopResult struct {
	n       int64
	elapsed time.Duration
	lat     *latencies
	st      *statuses
}

func (r loopResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func closedLoop(ctx context.Context, name string, workers int, d time.Duration, fn func(ctx context.Context, w int) (int, []byte, error)) loopResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	res := loopResult{lat: &latencies{}, st: &statuses{}}
	var n atomic.Int64
	stop := progress(name, func() string { return fmt.Sprintf("%d requests", n.Load()) })
	defer stop()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				status, body, err := fn(ctx, w)
				if ctx.Err() != nil {
					return // cut off by the end of the run: not a measurement
				}
				res.lat.add(time.Since(t0))
				res.st.record(status, body, err)
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = n.Load()
	return res
}

// progress prints a line on stderr every two seconds until stop is called.
func progress(name string, status func() string) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	start := time.Now()
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(os.Stderr, "  %s: %s (%.0f s)\n", name, status(), time.Since(start).Seconds())
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
}
