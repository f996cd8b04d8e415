package openapi_test

import (
	"regexp"

	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dianshubao/dianshubao/internal/openapi"
)

// TestSwaggerDocumentIsValid validates the served document and docs/swagger.json against the
// Swagger 2.0 specification's own JSON Schema (what swagger-cli validate checks first).
func TestSwaggerDocumentIsValid(t *testing.T) {
	f, err := os.Open("testdata/swagger-2.0.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	meta, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("http://swagger.io/v2/schema.json", meta); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("http://swagger.io/v2/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	served, err := openapi.Swagger()
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../../docs/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"served": served, "docs/swagger.json": file} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s is not valid Swagger 2.0: %v", name, err)
		}
	}
	if bytes.Contains(served, []byte(`"host": ""`)) {
		t.Error(`the served document has "host": ""`)
	}
}

// TestOpenAPI3DocumentIsValid: the conversion is a valid OpenAPI 3.0 document.
func TestOpenAPI3DocumentIsValid(t *testing.T) {
	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("not valid OpenAPI 3: %v", err)
	}
	if doc.Paths.Find("/metrics") == nil || doc.Paths.Find("/openapi.json") == nil {
		t.Error("/metrics and /openapi.json are not in the document")
	}
}

// TestEveryOperationIsComplete: every operation of the API has an id, a summary and a tag,
// answers its errors as problem documents of the Problem schema, declares 503, and describes
// each success with a schema or as empty.
func TestEveryOperationIsComplete(t *testing.T) {
	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s: operationId, summary and tags are required", where)
			}
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is also %s's", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			if !strings.HasPrefix(path, "/api/") {
				continue
			}
			// The event-type catalogue is built from the document alone and never reads the database.
			if op.Responses.Status(503) == nil && op.OperationID != "listWebhookEventTypes" {
				t.Errorf("%s: 503 service_unavailable is not declared", where)
			}
			for code, r := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					t.Errorf("%s: response %q is not a status", where, code)
					continue
				}
				if status < 400 {
					continue
				}
				mt := r.Value.Content.Get("application/problem+json")
				if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/api.Problem" {
					b, _ := json.Marshal(r.Value.Content)
					t.Errorf("%s %d: not an application/problem+json Problem: %s", where, status, b)
				}
			}
		}
	}
}

// TestMoneyPattern: the document's money pattern accepts exactly what the service parses, and
// every money member carries it.
func TestMoneyPattern(t *testing.T) {
	re := regexp.MustCompile(openapi.MoneyPattern)
	for _, s := range []string{"0", "0.5", "199", "199.5", "199.00", "99999999.99", "00", "01.00", "1.", ".5", "1.234",
		"-1", "+1", "1e3", " 1", "1,00", "100000000", "１"} {
		_, ok := models.ParseMoney(s)
		if re.MatchString(s) != ok {
			t.Errorf("%q: pattern matches %v, ParseMoney accepts %v", s, re.MatchString(s), ok)
		}
	}
	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	for def, props := range map[string][]string{"service.ComplaintView": {"amount", "refund_amount"},
		"service.CreateComplaintRequest": {"amount"}, "service.CreateRefundOnlyRequest": {"refund_amount"}} {
		for _, p := range props {
			s := doc.Components.Schemas[def].Value.Properties[p]
			if s == nil || s.Value.Pattern != openapi.MoneyPattern {
				t.Errorf("%s.%s has no money pattern", def, p)
			}
		}
	}
}

// TestResponsesHaveTheirOwnMediaTypes: in the OpenAPI 3 document a success of the API is never
// declared as a problem document and an error only as one (/readyz's 503 is its JSON report).
func TestResponsesHaveTheirOwnMediaTypes(t *testing.T) {
	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				status, _ := strconv.Atoi(code)
				for mt := range r.Value.Content {
					if (status >= 400) != (mt == "application/problem+json") {
						t.Errorf("%s %s %s is declared as %s", method, path, code, mt)
					}
				}
			}
		}
	}
}
