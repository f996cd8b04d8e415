package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// job is one accept scheduled at an offset from the start of an open-loop run.
type job struct {
	at time.Duration
	id string
}

// openResult is accepts sent on a schedule, whatever the answers' pace.
type openResult struct {
	scheduled, accepted int
	unsent, cut         int           // not sent before the time limit; in flight when it struck
	elapsed             time.Duration // first scheduled accept to the last answer
	answered            []time.Time   // per job: when the accept's answer arrived (zero: failed)
	st                  *statuses
}

func (r openResult) rate() float64 { return float64(r.accepted) / r.elapsed.Seconds() }

// openLoop sends each job's accept at its time from workers goroutines; when every worker is
// busy the schedule falls behind, which the achieved rate shows. It stops by itself after the
// last job or at limit.
func (f *fixture) openLoop(ctx context.Context, name string, jobs []job, workers int, limit time.Duration) openResult {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	res := openResult{scheduled: len(jobs), answered: make([]time.Time, len(jobs)), st: &statuses{}}
	queue := make(chan int)
	var wg sync.WaitGroup
	var done, sent, cut atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range queue {
				sent.Add(1)
				status, body, err := f.accept(ctx, w, jobs[i].id)
				if err != nil && ctx.Err() != nil {
					cut.Add(1) // cut off by the time limit: not an answer of the service
					continue
				}
				if status == http.StatusOK {
					res.answered[i] = time.Now()
				}
				res.st.record(status, body, err)
				done.Add(1)
			}
		}(w)
	}
	stop := progress(name, func() string { return fmt.Sprintf("%d of %d accepts answered", done.Load(), len(jobs)) })
	start := time.Now()
schedule:
	for i, j := range jobs {
		if wait := time.Until(start.Add(j.at)); wait > 0 {
			select {
			case <-ctx.Done():
				break schedule
			case <-time.After(wait):
			}
		}
		select {
		case queue <- i:
		case <-ctx.Done():
			break schedule
		}
	}
	close(queue)
	wg.Wait()
	stop()
	res.unsent, res.cut = len(jobs)-int(sent.Load()), int(cut.Load())
	var last time.Time
	for _, t := range res.answered {
		if !t.IsZero() {
			res.accepted++
			if t.After(last) {
				last = t
			}
		}
	}
	res.elapsed = last.Sub(start)
	return res
}

// evenly spreads ids at rate per second.
func evenly(ids []string, rate float64) []job {
	jobs := make([]job, len(ids))
	for i, id := range ids {
		jobs[i] = job{at: time.Duration(float64(i) / rate * float64(time.Second)), id: id}
	}
	return jobs
}

// merge interleaves schedules by time.
func merge(a, b []job) []job {
	out := append(append([]job(nil), a...), b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// latencyResult is accept answer → receipt of the complaint.delivered event. An event that
// never came counts with the time it had been awaited when the wait ended, so that the
// percentiles are then lower bounds.
type latencyResult struct {
	lat               *latencies
	signed            *latencies // receipt − answer, negative when the event came first
	received, missing int
	early             int // events that arrived before the accept's answer (counted as 0)
}

// at is the percentile p, as text; "≥" when events never came.
func (l *latencyResult) at(p float64) string {
	if l.missing > 0 {
		return "≥ " + ms(l.lat.pct(p))
	}
	return ms(l.lat.pct(p))
}

func commitToReceipt(ctx context.Context, rcv *receiver, name string, jobs []job, res openResult, only map[string]bool, drain time.Duration) latencyResult {
	var ids []string
	var idx []int
	for i, j := range jobs {
		if !res.answered[i].IsZero() && (only == nil || only[j.id]) {
			ids = append(ids, j.id)
			idx = append(idx, i)
		}
	}
	out := latencyResult{lat: &latencies{}, signed: &latencies{}}
	out.missing = rcv.waitDelivered(ctx, name, ids, drain)
	gaveUp := time.Now()
	for k, id := range ids {
		t, ok := rcv.receipt(id)
		if !ok {
			out.lat.add(gaveUp.Sub(res.answered[idx[k]]))
			continue
		}
		out.received++
		d := t.Sub(res.answered[idx[k]])
		out.signed.add(d)
		if d < 0 {
			out.early++
			d = 0
		}
		out.lat.add(d)
	}
	return out
}
