package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// loader batches the reads of concurrent attempts: the requests that arrive while a read is in
// flight are served together by the next one, two statements for all of them instead of two
// each (the reads, not the requests, bounded the throughput of one busy endpoint). A batch is
// at most the attempts in flight, and each complaint event is bounded (512 KiB,
// service.EventPayloadMaxBytes), so a read holds no more than the sends it serves will.
type loader struct {
	st      *store.Store
	timeout time.Duration

	mu      sync.Mutex
	pending []*loadReq
	leading bool
}

type loadReq struct {
	eventID, endpointID string
	ev                  *models.WebhookEvent
	ep                  *models.WebhookEndpoint
	err                 error
	done                chan struct{}
}

// load reads an event and an endpoint; either is nil when it no longer exists.
func (l *loader) load(ctx context.Context, eventID, endpointID string) (*models.WebhookEvent, *models.WebhookEndpoint, error) {
	req := &loadReq{eventID: eventID, endpointID: endpointID, done: make(chan struct{})}
	l.mu.Lock()
	l.pending = append(l.pending, req)
	if !l.leading {
		l.leading = true
		l.mu.Unlock()
		l.lead()
	} else {
		l.mu.Unlock()
	}
	select {
	case <-req.done:
		return req.ev, req.ep, req.err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// lead serves one batch; if more requests queued meanwhile, another goroutine serves them,
// so that no caller waits for batches after its own.
func (l *loader) lead() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	evIDs, epIDs := make([]string, len(batch)), make([]string, len(batch))
	for i, r := range batch {
		evIDs[i], epIDs[i] = r.eventID, r.endpointID
	}
	evs, err := l.st.WebhookEventsByIDs(ctx, evIDs)
	var eps []models.WebhookEndpoint
	if err == nil {
		eps, err = l.st.WebhookEndpointsByIDs(ctx, epIDs)
	}
	cancel()
	events := make(map[string]*models.WebhookEvent, len(evs))
	for i := range evs {
		events[evs[i].ID] = &evs[i]
	}
	endpoints := make(map[string]*models.WebhookEndpoint, len(eps))
	for i := range eps {
		endpoints[eps[i].ID] = &eps[i]
	}
	for _, r := range batch {
		if r.err = err; err == nil {
			// Each attempt gets its own copy of the endpoint: settle reads it later.
			r.ev = events[r.eventID]
			if ep := endpoints[r.endpointID]; ep != nil {
				c := *ep
				r.ep = &c
			}
		}
		close(r.done)
	}

	l.mu.Lock()
	if len(l.pending) == 0 {
		l.leading = false
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	go l.lead()
}
