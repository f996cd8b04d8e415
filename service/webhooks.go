package service

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
	"github.com/dianshubao/dianshubao/webhooks"
)

// RotationOverlap is how long the previous secret keeps signing after a rotation.
const RotationOverlap = 24 * time.Hour

// Waker is told that jobs were committed (the work-queue runner, and other instances over
// Redis).
type Waker interface{ Wake() }

// Webhooks manages platforms' endpoints and their delivery log, and fans events out to the
// endpoints in the transaction that writes them.
type Webhooks struct {
	st       *store.Store
	clock    Clock
	log      *slog.Logger
	policy   webhooks.URLPolicy
	resolver *net.Resolver
	schedule []time.Duration
	waker    Waker
	cache    *platformCache
	// limits bound the endpoints of a platform.
	limits Limits
}

// EventTypes are the event types endpoints subscribe to: the catalogue's.
var EventTypes = func() []string {
	types := make([]string, len(EventTypeCatalogue))
	for i, e := range EventTypeCatalogue {
		types[i] = e.Type
	}
	return types
}()

// CreateEndpointRequest is the body of POST /platform/webhook-endpoints.
type CreateEndpointRequest struct {
	URL         string   `json:"url" example:"https://api.example.com/dianshubao/webhooks"`
	EventTypes  []string `json:"event_types" example:"complaint.delivered" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed,webhook.test" validate:"optional"`
	Description string   `json:"description,omitempty" example:"生产环境"`
}

// UpdateEndpointRequest is the body of PATCH /platform/webhook-endpoints/{id}; members left
// out stay as they are. Enabling an endpoint clears its disabled_reason.
type UpdateEndpointRequest struct {
	URL         *string   `json:"url,omitempty"`
	EventTypes  *[]string `json:"event_types,omitempty" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed,webhook.test"`
	Description *string   `json:"description,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// EndpointView is an endpoint without its secret.
type EndpointView struct {
	ID             string   `json:"id"`
	URL            string   `json:"url" example:"https://api.example.com/dianshubao/webhooks"`
	Description    string   `json:"description"`
	EventTypes     []string `json:"event_types" example:"complaint.delivered" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed,webhook.test"`
	Enabled        bool     `json:"enabled"`
	DisabledReason *string  `json:"disabled_reason" example:"every delivery failed for 5 days" extensions:"x-nullable"`
	CreatedAt      string   `json:"created_at" format:"date-time"`
	UpdatedAt      string   `json:"updated_at" format:"date-time"`
}

// EndpointWithSecret is shown once, on creation and rotation.
type EndpointWithSecret struct {
	EndpointView
	// Secret signs the webhooks; keep it now, it is not shown again.
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
}

func endpointView(e *models.WebhookEndpoint) EndpointView {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	return EndpointView{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: types, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, CreatedAt: Ts(e.CreatedAt), UpdatedAt: Ts(e.UpdatedAt)}
}

func (ws *Webhooks) checkURL(ctx context.Context, v *models.Validator, raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		v.Add("url", "is required")
		return raw
	}
	if err := ws.policy.CheckURL(ctx, raw, ws.resolver); err != nil {
		v.Add("url", "%s", strings.TrimPrefix(err.Error(), "webhooks: "))
	}
	return raw
}

func validateEventTypes(v *models.Validator, types []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			v.Add("event_types", "%q is not one of %s", truncate(t, 40), strings.Join(EventTypes, ", "))
			return nil
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// CreateEndpoint adds an endpoint for the calling platform and returns its secret, once.
func (ws *Webhooks) CreateEndpoint(ctx context.Context, p *models.Principal, req CreateEndpointRequest) (*EndpointWithSecret, error) {
	var v models.Validator
	url := ws.checkURL(ctx, &v, req.URL)
	types := validateEventTypes(&v, req.EventTypes)
	v.Text("description", req.Description, 0, 255)
	if err := v.Err(); err != nil {
		return nil, err
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		return nil, err
	}
	t := now(ws.clock)
	e := &models.WebhookEndpoint{ID: models.NewID(), PlatformID: p.PlatformID, URL: url, Description: strings.TrimSpace(req.Description),
		EventTypes: types, Enabled: true, Secret: secret, CreatedAt: t, UpdatedAt: t}
	out, err := command(ctx, ws.st, func(tx *store.Store) (*EndpointWithSecret, error) {
		// The platform's row lock serializes endpoint creation, so that the count stays true
		// until this insert commits.
		if _, err := tx.PlatformForUpdate(ctx, p.PlatformID); err != nil {
			return nil, err
		}
		n, err := tx.CountWebhookEndpoints(ctx, p.PlatformID)
		if err != nil {
			return nil, err
		}
		if err := within(models.LimitWebhookEndpoints, n, ws.limits.WebhookEndpointsPerPlatform); err != nil {
			return nil, err
		}
		if err := tx.CreateWebhookEndpoint(ctx, e); err != nil {
			return nil, err
		}
		// The endpoint may make its platform reachable: its waiting complaints go with this commit.
		if err := tx.EnqueueJobs(ctx, []models.Job{awaitingJob(p.PlatformID, t)}); err != nil {
			return nil, err
		}
		return &EndpointWithSecret{EndpointView: endpointView(e), Secret: secret}, nil
	})
	if err != nil {
		return nil, err
	}
	ws.changed(p.PlatformID, true)
	return out, nil
}

// changed forgets the platform's cached endpoints after a commit, and wakes the runner when
// the commit queued jobs.
func (ws *Webhooks) changed(platformID string, queued bool) {
	ws.cache.Forget(platformID)
	if queued {
		ws.wake()
	}
}

func (ws *Webhooks) endpoint(ctx context.Context, p *models.Principal, id string) (*models.WebhookEndpoint, error) {
	if len(id) > 64 {
		return nil, models.NotFound("webhook endpoint")
	}
	return ws.st.WebhookEndpointByID(ctx, p.PlatformID, id)
}

// GetEndpoint reads one of the caller's endpoints.
func (ws *Webhooks) GetEndpoint(ctx context.Context, p *models.Principal, id string) (*EndpointView, error) {
	e, err := ws.endpoint(ctx, p, id)
	if err != nil {
		return nil, err
	}
	v := endpointView(e)
	return &v, nil
}

// ListEndpoints lists the caller's endpoints, oldest first.
func (ws *Webhooks) ListEndpoints(ctx context.Context, p *models.Principal, page models.Page) ([]EndpointView, string, error) {
	items, next, err := pageByID(page, func(e *models.WebhookEndpoint) string { return e.ID },
		func(after string, limit int) ([]models.WebhookEndpoint, error) {
			return ws.st.ListWebhookEndpoints(ctx, p.PlatformID, after, limit)
		})
	if err != nil {
		return nil, "", err
	}
	out := make([]EndpointView, len(items))
	for i := range items {
		out[i] = endpointView(&items[i])
	}
	return out, next, nil
}

// UpdateEndpoint changes the members present in req, under a row lock so that a concurrent
// rotation or a disabling by the dispatcher is not overwritten.
func (ws *Webhooks) UpdateEndpoint(ctx context.Context, p *models.Principal, id string, req UpdateEndpointRequest) (*EndpointView, error) {
	if len(id) > 64 {
		return nil, models.NotFound("webhook endpoint")
	}
	var v models.Validator
	url := ""
	if req.URL != nil {
		url = ws.checkURL(ctx, &v, *req.URL)
	}
	var types []string
	if req.EventTypes != nil {
		types = validateEventTypes(&v, *req.EventTypes)
	}
	if req.Description != nil {
		v.Text("description", *req.Description, 0, 255)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	queued := false
	view, err := command(ctx, ws.st, func(tx *store.Store) (*EndpointView, error) {
		queued = false
		e, err := tx.WebhookEndpointForUpdate(ctx, p.PlatformID, id)
		if err != nil {
			return nil, err
		}
		if req.URL != nil && url != e.URL {
			// A new destination starts with a clean record.
			e.URL, e.FailingSince = url, nil
		}
		if req.EventTypes != nil {
			e.EventTypes = types
		}
		if req.Description != nil {
			e.Description = strings.TrimSpace(*req.Description)
		}
		if req.Enabled != nil {
			e.Enabled = *req.Enabled
			if e.Enabled {
				e.DisabledReason, e.FailingSince = nil, nil
			}
		}
		e.UpdatedAt = now(ws.clock)
		if err := tx.SaveWebhookEndpoint(ctx, e); err != nil {
			return nil, err
		}
		if e.Enabled {
			// An enabled endpoint may make its platform reachable.
			if err := tx.EnqueueJobs(ctx, []models.Job{awaitingJob(p.PlatformID, e.UpdatedAt)}); err != nil {
				return nil, err
			}
			queued = true
		}
		v := endpointView(e)
		return &v, nil
	})
	if err != nil {
		return nil, err
	}
	ws.changed(p.PlatformID, queued)
	return view, nil
}

// DeleteEndpoint removes one of the caller's endpoints; its pending deliveries fail.
func (ws *Webhooks) DeleteEndpoint(ctx context.Context, p *models.Principal, id string) error {
	if len(id) > 64 {
		return models.NotFound("webhook endpoint")
	}
	err := ws.st.DeleteWebhookEndpoint(ctx, p.PlatformID, id)
	ws.cache.Forget(p.PlatformID)
	return err
}

// RotateSecret gives the endpoint a new secret; the old one signs too for 24 hours, so that the
// receiver can switch without losing a webhook.
func (ws *Webhooks) RotateSecret(ctx context.Context, p *models.Principal, id string) (*EndpointWithSecret, error) {
	if len(id) > 64 {
		return nil, models.NotFound("webhook endpoint")
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		return nil, err
	}
	out, err := command(ctx, ws.st, func(tx *store.Store) (*EndpointWithSecret, error) {
		e, err := tx.WebhookEndpointForUpdate(ctx, p.PlatformID, id)
		if err != nil {
			return nil, err
		}
		t := now(ws.clock)
		prev, until := e.Secret, t.Add(RotationOverlap)
		e.PreviousSecret, e.PreviousSecretExpiresAt = &prev, &until
		e.Secret, e.UpdatedAt = secret, t
		if err := tx.SaveWebhookEndpoint(ctx, e); err != nil {
			return nil, err
		}
		return &EndpointWithSecret{EndpointView: endpointView(e), Secret: secret}, nil
	})
	if err != nil {
		return nil, err
	}
	// The platform cache holds the endpoint with its secrets.
	ws.cache.Forget(p.PlatformID)
	return out, nil
}
