package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// eventSchemas compiles, once, the JSON Schema the catalogue serves for each event type.
var eventSchemas struct {
	once    sync.Once
	byType  map[string]*jsonschema.Schema
	catalog map[string]any
	err     error
}

func compiledEventSchemas(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	eventSchemas.once.Do(func() {
		a := newApp(t)
		r := a.do(req{method: "GET", path: "/api/v1/webhook-event-types"})
		if r.Code != 200 {
			eventSchemas.err = fmt.Errorf("catalogue: %d %s", r.Code, r.Body)
			return
		}
		cat := r.JSON(t)
		eventSchemas.catalog = cat
		eventSchemas.byType = map[string]*jsonschema.Schema{}
		for _, e := range cat["data"].([]any) {
			e := e.(map[string]any)
			typ := e["type"].(string)
			raw, _ := json.Marshal(e["schema"])
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				eventSchemas.err = err
				return
			}
			c := jsonschema.NewCompiler()
			c.AssertFormat()
			url := "mem://" + typ + ".json"
			if err := c.AddResource(url, doc); err != nil {
				eventSchemas.err = err
				return
			}
			if eventSchemas.byType[typ], err = c.Compile(url); err != nil {
				eventSchemas.err = fmt.Errorf("%s: the served schema does not compile: %w", typ, err)
				return
			}
		}
	})
	if eventSchemas.err != nil {
		t.Fatal(eventSchemas.err)
	}
	return eventSchemas.byType
}

// checkEventPayload validates one webhook body against its type's served schema.
func checkEventPayload(t testing.TB, typ string, body []byte) {
	t.Helper()
	s, ok := compiledEventSchemas(t)[typ]
	if !ok {
		t.Errorf("event type %q is not in the catalogue", typ)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v", typ, err)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: the body does not match the served schema: %v\n%s", typ, err, body)
	}
}

// checkStoredEvents validates every webhook event an app stored: whatever a test did, each
// body matches the schema the catalogue publishes for its type.
func (a *testApp) checkStoredEvents() {
	var events []models.WebhookEvent
	if err := a.st.DB().Order("id").Find(&events).Error; err != nil {
		if !strings.Contains(err.Error(), "database is closed") { // a test of an outage closes it
			a.t.Errorf("reading webhook events: %v", err)
		}
		return
	}
	for _, e := range events {
		if e.PayloadEmptied {
			continue // retention emptied it
		}
		checkEventPayload(a.t, e.Type, e.Payload)
	}
}

func TestWebhookEventTypeCatalogue(t *testing.T) {
	schemas := compiledEventSchemas(t)
	cat := eventSchemas.catalog
	var types []string
	for _, e := range cat["data"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	if !slices.Equal(types, service.EventTypes) {
		t.Fatalf("catalogue types %v, want the subscribable types %v", types, service.EventTypes)
	}
	// The examples match their schemas; a body of one type does not pass as another.
	ex := cat["examples"].(map[string]any)
	complaintEx, _ := json.Marshal(ex["complaint"])
	testEx, _ := json.Marshal(ex["test"])
	checkEventPayload(t, "complaint.delivered", complaintEx)
	checkEventPayload(t, "webhook.test", testEx)
	for _, wrong := range []struct{ typ, body string }{
		{"complaint.rated", string(complaintEx)},
		{"webhook.test", string(complaintEx)},
		{"complaint.delivered", strings.Replace(string(complaintEx), `"status":"delivered"`, `"status":"lost"`, 1)},
		{"complaint.delivered", strings.Replace(string(complaintEx), `"created_at":"2026-11-26T09:30:00Z"`, `"created_at":"yesterday"`, 1)},
		{"complaint.delivered", strings.Replace(string(complaintEx), `"rating":null,`, ``, 1)},
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(wrong.body))
		if err := schemas[wrong.typ].Validate(v); err == nil {
			t.Errorf("%s's schema accepts a body it must refuse: %.200s", wrong.typ, wrong.body)
		}
	}

	// The README's table is the catalogue.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z]+\\.[a-z]+)` \\| (.*) \\|$")
	var rows, want []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		rows = append(rows, m[1]+" "+m[2])
	}
	for _, e := range service.EventTypeCatalogue {
		want = append(want, e.Type+" "+e.Description)
	}
	if !slices.Equal(rows, want) {
		t.Errorf("README's event table:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}
