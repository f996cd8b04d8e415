package service

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// AttemptView is one row of the delivery log.
type AttemptView struct {
	ID             string  `json:"id"`
	EventID        string  `json:"event_id"`
	EndpointID     string  `json:"endpoint_id"`
	EventType      string  `json:"event_type" example:"complaint.delivered" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed,webhook.test"`
	Attempt        int     `json:"attempt" example:"1"`
	Trigger        string  `json:"trigger" example:"scheduled" enums:"scheduled,manual"`
	State          string  `json:"state" example:"succeeded" enums:"succeeded,retrying,failed"`
	ResponseStatus *int    `json:"response_status" example:"200" extensions:"x-nullable"`
	ResponseBody   *string `json:"response_body" extensions:"x-nullable"`
	Error          *string `json:"error" extensions:"x-nullable"`
	DurationMS     int64   `json:"duration_ms" example:"42"`
	CreatedAt      string  `json:"created_at" format:"date-time"`
	NextAttemptAt  *string `json:"next_attempt_at" extensions:"x-nullable" format:"date-time"`
}

// RedeliveryView answers a redelivery request.
type RedeliveryView struct {
	EventID    string `json:"event_id"`
	Deliveries int    `json:"deliveries" example:"1"`
}

// AttemptListFilter is the query of the delivery log.
type AttemptListFilter struct {
	EndpointID, EventID, State string
}

// SendTest queues a webhook.test event for one endpoint.
func (ws *Webhooks) SendTest(ctx context.Context, p *models.Principal, id string) (*RedeliveryView, error) {
	e, err := ws.endpoint(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !e.Enabled {
		return nil, &models.Error{Kind: models.KindInvalidState, Code: "endpoint_disabled", Detail: "enable the endpoint before testing it"}
	}
	t := now(ws.clock)
	evID := "evt_" + models.NewID()
	body, err := json.Marshal(TestEvent{ID: evID, Type: models.EventWebhookTest, CreatedAt: Ts(t),
		Data: TestEventData{Message: testEventMessage}})
	if err != nil {
		return nil, err
	}
	out, err := command(ctx, ws.st, func(tx *store.Store) (*RedeliveryView, error) {
		if err := tx.AddWebhookEvent(ctx, &models.WebhookEvent{ID: evID, PlatformID: p.PlatformID, Type: models.EventWebhookTest,
			Payload: body, CreatedAt: t}); err != nil {
			return nil, err
		}
		if err := tx.EnqueueJobs(ctx, []models.Job{ws.deliveryJob(evID, models.EventWebhookTest, e, models.TriggerManual, t)}); err != nil {
			return nil, err
		}
		return &RedeliveryView{EventID: evID, Deliveries: 1}, nil
	})
	if err != nil {
		return nil, err
	}
	ws.wake()
	return out, nil
}

// deliveryJob is the work-queue row that delivers an event to one endpoint, due after the
// schedule's first delay.
func (ws *Webhooks) deliveryJob(eventID, eventType string, e *models.WebhookEndpoint, trigger string, t time.Time) models.Job {
	first := time.Duration(0)
	if len(ws.schedule) > 0 {
		first = ws.schedule[0]
	}
	return models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable, DueAt: t.Add(first),
		Ref: eventID, Destination: e.ID, PlatformID: e.PlatformID, EventType: eventType, Trigger: trigger,
		CreatedAt: t, UpdatedAt: t}
}

// deliveryJobs are the delivery jobs of an event, one per enabled endpoint that subscribes to
// it. The endpoints come from the platform cache; a miss is read through tx, never through
// another pooled connection that a full pool could not give.
func (ws *Webhooks) deliveryJobs(ctx context.Context, tx *store.Store, ev *models.WebhookEvent) ([]models.Job, error) {
	eps, err := ws.cache.EndpointsVia(ctx, tx, ev.PlatformID)
	if err != nil {
		return nil, err
	}
	var jobs []models.Job
	for i := range eps {
		if eps[i].Subscribes(ev.Type) {
			jobs = append(jobs, ws.deliveryJob(ev.ID, ev.Type, &eps[i], models.TriggerScheduled, ev.CreatedAt))
		}
	}
	return jobs, nil
}

func (ws *Webhooks) wake() {
	if ws.waker != nil {
		ws.waker.Wake()
	}
}

// ErrEventExpired is a redelivery of an event whose payload retention emptied.
var ErrEventExpired = &models.Error{Kind: models.KindGone, Code: "event_expired",
	Detail: "the event is older than the retention of event payloads; its payload is no longer kept and it cannot be delivered again"}

// Redeliver queues an event of the caller's again for its endpoints: those it was delivered
// to that still exist and are enabled, or, for an event that never had one, every enabled
// endpoint that subscribes to it now.
func (ws *Webhooks) Redeliver(ctx context.Context, p *models.Principal, eventID string) (*RedeliveryView, error) {
	if len(eventID) > 64 {
		return nil, models.NotFound("webhook event")
	}
	ev, err := ws.st.WebhookEventByID(ctx, p.PlatformID, eventID)
	if err != nil {
		return nil, err
	}
	if ev.PayloadEmptied {
		return nil, ErrEventExpired
	}
	eps, err := ws.cache.Endpoints(ctx, p.PlatformID)
	if err != nil {
		return nil, err
	}
	own, err := ws.st.EndpointIDsOfEvent(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	t := now(ws.clock)
	var jobs []models.Job
	for i := range eps {
		if (len(own) == 0 && eps[i].Subscribes(ev.Type)) || slices.Contains(own, eps[i].ID) {
			jobs = append(jobs, ws.deliveryJob(ev.ID, ev.Type, &eps[i], models.TriggerManual, t))
		}
	}
	if len(jobs) == 0 {
		return nil, &models.Error{Kind: models.KindInvalidState, Code: "no_endpoint", Detail: "no enabled endpoint subscribes to this event"}
	}
	out, err := command(ctx, ws.st, func(tx *store.Store) (*RedeliveryView, error) {
		if err := tx.EnqueueJobs(ctx, jobs); err != nil {
			return nil, err
		}
		return &RedeliveryView{EventID: ev.ID, Deliveries: len(jobs)}, nil
	})
	if err != nil {
		return nil, err
	}
	ws.wake()
	return out, nil
}

// Attempts is the caller's delivery log, newest first.
func (ws *Webhooks) Attempts(ctx context.Context, p *models.Principal, f AttemptListFilter, page models.Page) ([]AttemptView, string, error) {
	var v models.Validator
	switch f.State {
	case "", models.DeliverySucceeded, models.DeliveryRetrying, models.DeliveryFailed:
	default:
		v.Add("state", "must be succeeded, retrying or failed")
	}
	for field, val := range map[string]string{"endpoint_id": f.EndpointID, "event_id": f.EventID} {
		if len(val) > 64 {
			v.Add(field, "is too long")
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	items, next, err := pageByID(page, func(a *models.WebhookAttempt) string { return a.ID },
		func(before string, limit int) ([]models.WebhookAttempt, error) {
			return ws.st.ListWebhookAttempts(ctx, store.AttemptFilter{PlatformID: p.PlatformID, EndpointID: f.EndpointID,
				EventID: f.EventID, State: f.State, BeforeID: before, Limit: limit})
		})
	if err != nil {
		return nil, "", err
	}
	out := make([]AttemptView, len(items))
	for i, a := range items {
		out[i] = AttemptView{ID: a.ID, EventID: a.EventID, EndpointID: a.EndpointID, EventType: a.EventType, Attempt: a.Attempt,
			Trigger: a.Trigger, State: a.State, ResponseStatus: a.ResponseStatus, ResponseBody: a.ResponseBody, Error: a.Error,
			DurationMS: a.DurationMS, CreatedAt: Ts(a.CreatedAt), NextAttemptAt: TsPtr(a.NextAttemptAt)}
	}
	return out, next, nil
}
