package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// orderSeq numbers the complaints' order numbers: one complainant may not file the same order
// twice against a platform while the first is open.
var orderSeq atomic.Int64

type complaintAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// file files one complaint as consumer w against the platform.
func (f *fixture) file(ctx context.Context, w int, platformID string) (int, []byte, error) {
	c := f.consumers[w%len(f.consumers)]
	return f.api.call(ctx, http.MethodPost, "/api/v1/complaints", c.access, map[string]any{
		"platform_id": platformID, "issue_type": "refund", "title": "商品未发货且拒绝退款",
		"description": "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。",
		"order_no":    fmt.Sprintf("LOAD%09d", orderSeq.Add(1)), "amount": "1999.00", "demands": []string{"refund"},
		"contact_name": "张三", "contact_phone": consumerPhone(w % len(f.consumers)), "evidence_ids": []string{},
		"declaration_accepted": true,
	})
}

// accept accepts a complaint as one of the moderators.
func (f *fixture) accept(ctx context.Context, w int, id string) (int, []byte, error) {
	m := f.moderators[w%len(f.moderators)]
	return f.api.call(ctx, http.MethodPost, "/api/v1/admin/complaints/"+id+"/accept", m.access, nil)
}

func decodeComplaint(status int, body []byte, want int) (complaintAnswer, bool) {
	var c complaintAnswer
	if status != want || json.Unmarshal(body, &c) != nil || c.ID == "" {
		return c, false
	}
	return c, true
}

// stallAfter ends a run in which no request has succeeded for this long (longer than the
// client's timeout): a wedged server must not hold the benchmark for the rest of its bound.
const stallAfter = 45 * time.Second

// runJobs runs job(w, i) for i in [0, n) on workers goroutines, bounded by limit; job reports
// whether its requests succeeded. It reports the wall time and whether the run stalled.
func runJobs(ctx context.Context, name string, n, workers int, limit time.Duration, job func(ctx context.Context, w, i int) bool) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next, done, lastOK atomic.Int64
	var stalled atomic.Bool
	stop := progress(name, func() string { return fmt.Sprintf("%d of %d", done.Load(), n) })
	defer stop()
	start := time.Now()
	lastOK.Store(start.UnixNano())
	watch := make(chan struct{})
	defer close(watch)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-watch:
				return
			case <-t.C:
				if time.Since(time.Unix(0, lastOK.Load())) > stallAfter {
					stalled.Store(true)
					cancel()
					return
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if job(ctx, w, i) {
					lastOK.Store(time.Now().UnixNano())
				}
				done.Add(1)
			}
		}(w)
	}
	wg.Wait()
	return time.Since(start), stalled.Load()
}

// fileMany files n complaints (pending_review) against the platform and returns their ids.
func (f *fixture) fileMany(ctx context.Context, name string, n, workers int, platformID string) ([]string, *statuses, error) {
	ids := make([]string, n)
	st := &statuses{}
	_, stalled := runJobs(ctx, name, n, workers, 5*time.Minute, func(ctx context.Context, w, i int) bool {
		status, body, err := f.file(ctx, w, platformID)
		st.record(status, body, err)
		c, ok := decodeComplaint(status, body, http.StatusCreated)
		if ok {
			ids[i] = c.ID
		}
		return ok
	})
	out := ids[:0]
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	if len(out) < n {
		return out, st, fmt.Errorf("%s: %d of %d complaints filed (stalled: %v; %s)", name, len(out), n, stalled, st)
	}
	return out, st, nil
}

// idleResult is the server's own CPU and allocation while nothing is asked of it.
type idleResult struct {
	cpu      float64 // fraction of one core
	allocBps float64 // bytes allocated per second; negative when /metrics did not answer
	over     time.Duration
}

func (f *fixture) idle(ctx context.Context, srv *server, rcv *receiver, d time.Duration) (idleResult, error) {
	status, body, err := f.file(ctx, 0, f.a.id)
	c, ok := decodeComplaint(status, body, http.StatusCreated)
	if err != nil || !ok {
		return idleResult{}, fmt.Errorf("idle: filing: %d %v %.200s", status, err, body)
	}
	if status, body, err = f.accept(ctx, 0, c.ID); err != nil || status != http.StatusOK {
		return idleResult{}, fmt.Errorf("idle: accept: %d %v %.200s", status, err, body)
	}
	if rcv.waitDelivered(ctx, "idle: first event", []string{c.ID}, 60*time.Second) > 0 {
		return idleResult{}, errors.New("idle: the first complaint.delivered event did not arrive within 60 s")
	}
	time.Sleep(2 * time.Second) // let the request and the delivery finish their bookkeeping
	cpu0, err := srv.cpuTime()
	if err != nil {
		return idleResult{}, err
	}
	alloc0, aerr := srv.allocated(ctx)
	start := time.Now()
	stop := progress("idle", func() string { return "measuring the server's CPU" })
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	stop()
	over := time.Since(start)
	cpu1, err := srv.cpuTime()
	if err != nil {
		return idleResult{}, err
	}
	res := idleResult{cpu: (cpu1 - cpu0).Seconds() / over.Seconds(), allocBps: -1, over: over}
	if alloc1, err := srv.allocated(ctx); aerr == nil && err == nil {
		res.allocBps = (alloc1 - alloc0) / over.Seconds()
	}
	return res, ctx.Err()
}

// intakeResult is complaints filed and accepted by workers at once.
type intakeResult struct {
	n, delivered   int
	stalled        bool
	elapsed        time.Duration
	create, accept *latencies
	st             *statuses
	ids            []string // accepted and delivered
}

func (r intakeResult) rate() float64 { return float64(r.delivered) / r.elapsed.Seconds() }

func (f *fixture) intake(ctx context.Context, n, workers int) intakeResult {
	res := intakeResult{n: n, create: &latencies{}, accept: &latencies{}, st: &statuses{}}
	ids := make([]string, n)
	res.elapsed, res.stalled = runJobs(ctx, "intake", n, workers, 5*time.Minute, func(ctx context.Context, w, i int) bool {
		t0 := time.Now()
		status, body, err := f.file(ctx, w, f.a.id)
		res.create.add(time.Since(t0))
		res.st.record(status, body, err)
		c, ok := decodeComplaint(status, body, http.StatusCreated)
		if !ok {
			return false
		}
		t1 := time.Now()
		status, body, err = f.accept(ctx, w, c.ID)
		res.accept.add(time.Since(t1))
		res.st.record(status, body, err)
		if c, ok := decodeComplaint(status, body, http.StatusOK); ok && c.Status == "delivered" {
			ids[i] = c.ID
			return true
		}
		return false
	})
	for _, id := range ids {
		if id != "" {
			res.ids = append(res.ids, id)
		}
	}
	res.delivered = len(res.ids)
	return res
}

// burstResult is a backlog of accepted complaints delivered to the receiver.
type burstResult struct {
	n, accepted, received int
	stalled               bool
	acceptFor, endToEnd   time.Duration
	st                    *statuses
}

func (r burstResult) rate() float64 {
	if r.endToEnd <= 0 {
		return 0
	}
	return float64(r.received) / r.endToEnd.Seconds()
}

// burst accepts every pending complaint at once and waits for the last complaint.delivered.
func (f *fixture) burst(ctx context.Context, rcv *receiver, ids []string, workers int, drain time.Duration) burstResult {
	res := burstResult{n: len(ids), st: &statuses{}}
	ok := make([]bool, len(ids))
	start := time.Now()
	res.acceptFor, res.stalled = runJobs(ctx, "burst: accepts", len(ids), workers, 5*time.Minute, func(ctx context.Context, w, i int) bool {
		status, body, err := f.accept(ctx, w, ids[i])
		res.st.record(status, body, err)
		ok[i] = status == http.StatusOK
		return ok[i]
	})
	var accepted []string
	for i, id := range ids {
		if ok[i] {
			accepted = append(accepted, id)
		}
	}
	res.accepted = len(accepted)
	missing := rcv.waitDelivered(ctx, "burst: deliveries", accepted, drain)
	res.received = len(accepted) - missing
	if _, last := rcv.span(accepted); !last.IsZero() {
		res.endToEnd = last.Sub(start)
	}
	return res
}

// randomID picks one of ids.
func randomID(ids []string) string { return ids[rand.IntN(len(ids))] }
