package dispatch

import (
	"context"
	"time"

	"github.com/dianshubao/dianshubao/internal/batch"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// delivery names what an attempt reads: its event and its endpoint.
type delivery struct{ eventID, endpointID string }

// loaded is what was read for a delivery; either is nil when it no longer exists.
type loaded struct {
	ev *models.WebhookEvent
	ep *models.WebhookEndpoint
}

// newLoader batches the reads of concurrent attempts, two statements for all of them instead
// of two each (the reads, not the requests, bounded the throughput of one busy endpoint). Each
// complaint event is bounded (512 KiB, service.EventPayloadMaxBytes), so a read holds no more
// than the sends it serves will.
func newLoader(st *store.Store, timeout time.Duration) *batch.Loader[delivery, loaded] {
	return &batch.Loader[delivery, loaded]{Timeout: timeout, Fetch: func(ctx context.Context, ds []delivery) (map[delivery]loaded, error) {
		evIDs, epIDs := make([]string, len(ds)), make([]string, len(ds))
		for i, d := range ds {
			evIDs[i], epIDs[i] = d.eventID, d.endpointID
		}
		evs, err := st.WebhookEventsByIDs(ctx, evIDs)
		if err != nil {
			return nil, err
		}
		eps, err := st.WebhookEndpointsByIDs(ctx, epIDs)
		if err != nil {
			return nil, err
		}
		events := make(map[string]*models.WebhookEvent, len(evs))
		for i := range evs {
			events[evs[i].ID] = &evs[i]
		}
		endpoints := make(map[string]*models.WebhookEndpoint, len(eps))
		for i := range eps {
			endpoints[eps[i].ID] = &eps[i]
		}
		out := make(map[delivery]loaded, len(ds))
		for _, d := range ds {
			out[d] = loaded{ev: events[d.eventID], ep: endpoints[d.endpointID]}
		}
		return out, nil
	}}
}
