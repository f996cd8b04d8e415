package api

import (
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/internal/openapi"
	"github.com/dianshubao/dianshubao/service"
)

// WebhookEventType is one webhook event type: when it is sent, and the JSON Schema of its body.
type WebhookEventType struct {
	Type        string `json:"type" example:"complaint.delivered" enums:"complaint.delivered,complaint.supplemented,complaint.rated,complaint.withdrawn,complaint.completed,webhook.test"`
	Description string `json:"description"`
	// Body names the body's definition in this document (service.ComplaintEvent or service.TestEvent).
	Body string `json:"body" example:"service.ComplaintEvent" enums:"service.ComplaintEvent,service.TestEvent"`
	// Schema is the body's JSON Schema (draft 2020-12), self-contained: validate a received
	// body against it as it is.
	Schema map[string]any `json:"schema" swaggertype:"object"`
}

// WebhookEventTypeList is the catalogue of event types, with an example body of each kind.
type WebhookEventTypeList struct {
	Data     []WebhookEventType   `json:"data"`
	Examples WebhookEventExamples `json:"examples"`
}

// WebhookEventExamples are example bodies: a complaint event, and a test event.
type WebhookEventExamples struct {
	Complaint service.ComplaintEvent `json:"complaint"`
	Test      service.TestEvent      `json:"test"`
}

var eventTypes struct {
	once sync.Once
	list WebhookEventTypeList
	err  error
}

// eventTypeList builds the catalogue once from the document's definitions.
func eventTypeList() (WebhookEventTypeList, error) {
	eventTypes.once.Do(func() {
		l := WebhookEventTypeList{Examples: WebhookEventExamples{Complaint: service.ExampleComplaintEvent(), Test: service.ExampleTestEvent()}}
		for _, info := range service.EventTypeCatalogue {
			schema, err := openapi.JSONSchema(info.Body)
			if err != nil {
				eventTypes.err = err
				return
			}
			// The body's type member is this type, exactly.
			body := schema["$defs"].(map[string]any)[info.Body].(map[string]any)
			body["properties"].(map[string]any)["type"] = map[string]any{"const": info.Type}
			schema["$id"] = "https://dianshubao.example/webhook-event-types/" + info.Type
			schema["title"] = info.Type
			schema["description"] = info.Description
			l.Data = append(l.Data, WebhookEventType{Type: info.Type, Description: info.Description, Body: info.Body, Schema: schema})
		}
		eventTypes.list = l
	})
	return eventTypes.list, eventTypes.err
}

// listEventTypes godoc
//
//	@Summary		Webhook event types, with the JSON Schema of each body
//	@Description	Every event type an endpoint can subscribe to, when it is sent, and the JSON Schema (draft 2020-12) of its body; the bodies are also the definitions `service.ComplaintEvent` and `service.TestEvent` of this document. Public and cacheable.
//	@Tags			webhooks
//	@ID				listWebhookEventTypes
//	@Produce		json,application/problem+json
//	@Success		200	{object}	WebhookEventTypeList
//	@Success		304	"not modified"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Failure		401	{object}	Problem	"unauthenticated: credentials missing, invalid or expired"
//	@Failure		403	{object}	Problem	"forbidden: these credentials may not do this"
//	@Failure		429	{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Router			/api/v1/webhook-event-types [get]
func listEventTypes(c *gin.Context) {
	l, err := eventTypeList()
	if err != nil {
		writeProblem(c, err)
		return
	}
	writeCacheable(c, l, time.Hour)
}
