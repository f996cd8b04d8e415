package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/service"
)

type webhooksHandler struct {
	svc *service.Webhooks
}

// createEndpoint godoc
//
//	@Summary		Add a webhook endpoint
//	@Description	`url` must be absolute `https://` without credentials, and must not resolve to a loopback, private, link-local, multicast, unspecified or carrier-grade-NAT address (checked now and again on every connection). An empty `event_types` subscribes to every type: complaint.delivered, complaint.supplemented, complaint.rated, complaint.withdrawn, complaint.completed, webhook.test. The response's `secret` (`whsec_…`) is shown only here: it signs every request per the Standard Webhooks specification. An enabled endpoint makes an onboarded platform reachable, so complaints waiting for it are delivered. A platform has at most 20 endpoints, enabled or not (DSB_MAX_WEBHOOK_ENDPOINTS_PER_PLATFORM, 20 by default): one more is 409 `limit_reached` with `limit` {"name":"webhook_endpoints_per_platform","max":20}; delete one first.
//	@Tags			webhooks
//	@ID				createWebhookEndpoint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			body			body		service.CreateEndpointRequest	true	"the endpoint"
//	@Param			Idempotency-Key	header		string							false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	service.EndpointWithSecret
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		409				{object}	Problem	"limit_reached (webhook_endpoints_per_platform); idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"url refused, unknown event type; idempotency_key_reused"
//	@Failure		429				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-endpoints [post]
func (h *webhooksHandler) create(c *gin.Context) {
	var req service.CreateEndpointRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*service.EndpointWithSecret, error) {
		return h.svc.CreateEndpoint(ctx, principal(c), req)
	}, same)
}

// list godoc
//
//	@Summary	The calling platform's webhook endpoints
//	@Tags		webhooks
//	@ID			listWebhookEndpoints
//	@Produce	json,application/problem+json
//	@Security	APIKeyAuth
//	@Param		limit	query		int		false	"page size, 1–100"	default(20)
//	@Param		cursor	query		string	false	"next_cursor of the previous page"
//	@Success	200		{object}	ListResponse[service.EndpointView]
//	@Failure	401		{object}	Problem
//	@Failure	422		{object}	Problem
//	@Failure	403		{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure	429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/platform/webhook-endpoints [get]
func (h *webhooksHandler) list(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	items, next, err := h.svc.ListEndpoints(c.Request.Context(), principal(c), page)
	respond(c, http.StatusOK, listOf(items, next), err)
}

// get godoc
//
//	@Summary	One webhook endpoint
//	@Tags		webhooks
//	@ID			getWebhookEndpoint
//	@Produce	json,application/problem+json
//	@Security	APIKeyAuth
//	@Param		id	path		string	true	"endpoint id"
//	@Success	200	{object}	service.EndpointView
//	@Failure	401	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure	429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure	503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure	500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router		/api/v1/platform/webhook-endpoints/{id} [get]
func (h *webhooksHandler) get(c *gin.Context) {
	v, err := h.svc.GetEndpoint(c.Request.Context(), principal(c), c.Param("id"))
	respond(c, http.StatusOK, v, err)
}

// update godoc
//
//	@Summary		Change a webhook endpoint
//	@Description	Change `url`, `event_types`, `description` or `enabled`. `"enabled":true` re-enables an endpoint the service disabled (410 Gone, or 5 days of failures) and clears `disabled_reason`.
//	@Tags			webhooks
//	@ID				updateWebhookEndpoint
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id		path		string							true	"endpoint id"
//	@Param			body	body		service.UpdateEndpointRequest	true	"the members to change"
//	@Success		200		{object}	service.EndpointView
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		422		{object}	Problem
//	@Failure		403		{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408		{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413		{object}	Problem	"body_too_large"
//	@Failure		415		{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429		{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503		{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500		{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-endpoints/{id} [patch]
func (h *webhooksHandler) update(c *gin.Context) {
	var req service.UpdateEndpointRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	v, err := h.svc.UpdateEndpoint(c.Request.Context(), principal(c), c.Param("id"), req)
	respond(c, http.StatusOK, v, err)
}

// delete godoc
//
//	@Summary		Delete a webhook endpoint
//	@Description	Deliveries still queued for it fail with the error "endpoint was deleted".
//	@Tags			webhooks
//	@ID				deleteWebhookEndpoint
//	@Security		APIKeyAuth
//	@Param			id	path	string	true	"endpoint id"
//	@Produce		json,application/problem+json
//	@Success		204	"deleted"
//	@Failure		401	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		400	{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		408	{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413	{object}	Problem	"body_too_large"
//	@Failure		415	{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422	{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-endpoints/{id} [delete]
func (h *webhooksHandler) delete(c *gin.Context) {
	if err := h.svc.DeleteEndpoint(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		writeProblem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// rotate godoc
//
//	@Summary		Rotate an endpoint's signing secret
//	@Description	Returns the new secret, once. For 24 hours every request is signed with both the new and the old secret (two space-separated signatures in `webhook-signature`), so that receivers can switch without missing a webhook.
//	@Tags			webhooks
//	@ID				rotateWebhookSecret
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id				path		string	true	"endpoint id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		200				{object}	service.EndpointWithSecret
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-endpoints/{id}/rotate-secret [post]
func (h *webhooksHandler) rotate(c *gin.Context) {
	respondCommand(c, http.StatusOK, func(ctx context.Context) (*service.EndpointWithSecret, error) {
		return h.svc.RotateSecret(ctx, principal(c), c.Param("id"))
	}, same)
}

// test godoc
//
//	@Summary		Send a test event
//	@Description	Queues a `webhook.test` event for this endpoint; follow it in the delivery log with the returned `event_id`.
//	@Tags			webhooks
//	@ID				testWebhookEndpoint
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id				path		string	true	"endpoint id"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		202				{object}	service.RedeliveryView
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"endpoint_disabled; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-endpoints/{id}/test [post]
func (h *webhooksHandler) test(c *gin.Context) {
	respondCommand(c, http.StatusAccepted, func(ctx context.Context) (*service.RedeliveryView, error) {
		return h.svc.SendTest(ctx, principal(c), c.Param("id"))
	}, same)
}

// deliveries godoc
//
//	@Summary		Delivery log
//	@Description	One row per attempt, newest first. `state`: `succeeded`; `retrying` (failed, another attempt due at `next_attempt_at`); `failed` (failed, none left: redeliver the event). `response_body` holds the first 2 KiB of the answer. Retries follow `DSB_WEBHOOK_RETRY_SCHEDULE` (by default 0s, 5s, 5m, 30m, 2h, 5h, 10h, 10h) with ±20 % jitter; a 429 or 503 with `Retry-After` waits at least that long; a 410 Gone disables the endpoint.
//	@Tags			webhooks
//	@ID				listWebhookDeliveries
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			endpoint_id	query		string	false	"only this endpoint"
//	@Param			event_id	query		string	false	"only this event"
//	@Param			state		query		string	false	"only this state"	Enums(succeeded,retrying,failed)
//	@Param			limit		query		int		false	"page size, 1–100"	default(20)
//	@Param			cursor		query		string	false	"next_cursor of the previous page"
//	@Success		200			{object}	ListResponse[service.AttemptView]
//	@Failure		401			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Failure		403			{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		429			{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503			{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500			{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-deliveries [get]
func (h *webhooksHandler) deliveries(c *gin.Context) {
	page, err := pageParams(c)
	if err != nil {
		writeProblem(c, err)
		return
	}
	f := service.AttemptListFilter{EndpointID: c.Query("endpoint_id"), EventID: c.Query("event_id"), State: c.Query("state")}
	items, next, err := h.svc.Attempts(c.Request.Context(), principal(c), f, page)
	respond(c, http.StatusOK, listOf(items, next), err)
}

// redeliver godoc
//
//	@Summary		Redeliver an event
//	@Description	Queues the event again, with a fresh retry schedule, for every enabled endpoint that subscribes to its type; the new attempts have `trigger` `manual`. An event's payload is kept for `DSB_RETAIN_EVENT_PAYLOAD_DAYS` (30) after its last attempt; after that the event is 410 `event_expired`.
//	@Tags			webhooks
//	@ID				redeliverWebhookEvent
//	@Produce		json,application/problem+json
//	@Security		APIKeyAuth
//	@Param			id				path		string	true	"event id (evt_…)"
//	@Param			Idempotency-Key	header		string	false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		202				{object}	service.RedeliveryView
//	@Failure		401				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		409				{object}	Problem	"no_endpoint; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		410				{object}	Problem	"event_expired: the payload was emptied by retention (DSB_RETAIN_EVENT_PAYLOAD_DAYS after the event's last attempt)"
//	@Failure		422				{object}	Problem	"idempotency_key_reused"
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		403				{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/platform/webhook-events/{id}/redeliver [post]
func (h *webhooksHandler) redeliver(c *gin.Context) {
	respondCommand(c, http.StatusAccepted, func(ctx context.Context) (*service.RedeliveryView, error) {
		return h.svc.Redeliver(ctx, principal(c), c.Param("id"))
	}, same)
}
