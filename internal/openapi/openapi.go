// Package openapi serves the service's API description: the Swagger 2.0 document swag
// generates from the handlers' annotations, and the same document converted to OpenAPI 3.
package openapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dianshubao/dianshubao/docs"
)

var (
	once    sync.Once
	swagger []byte
	v3      *openapi3.T
	v3JSON  []byte
	loadErr error
)

func load() {
	var doc map[string]any
	if loadErr = json.Unmarshal([]byte(docs.SwaggerInfo.ReadDoc()), &doc); loadErr != nil {
		loadErr = fmt.Errorf("openapi: the generated document is not JSON: %w", loadErr)
		return
	}
	// The document is served from wherever the service runs: an empty host is not a valid
	// host, so there is none, and clients use the address they fetched the document from.
	if h, ok := doc["host"].(string); ok && h == "" {
		delete(doc, "host")
	}
	if s, ok := doc["schemes"].([]any); ok && len(s) == 0 {
		delete(doc, "schemes")
	}
	addMoneyPattern(doc)
	if swagger, loadErr = json.MarshalIndent(doc, "", "  "); loadErr != nil {
		return
	}
	var v2 openapi2.T
	if loadErr = json.Unmarshal(swagger, &v2); loadErr != nil {
		loadErr = fmt.Errorf("openapi: reading the Swagger 2.0 document: %w", loadErr)
		return
	}
	if v3, loadErr = openapi2conv.ToV3(&v2); loadErr != nil {
		loadErr = fmt.Errorf("openapi: converting to OpenAPI 3: %w", loadErr)
		return
	}
	splitMediaTypes(v3)
	v3JSON, loadErr = json.MarshalIndent(v3, "", "  ")
}

// binaryType reports whether a response of the media type is a document's bytes, not JSON.
func binaryType(mt string) bool { return mt == "application/pdf" }

// problemType is the media type of every error of the API.
const problemType = "application/problem+json"

// splitMediaTypes gives each response of the OpenAPI 3 document the media types it is really
// sent with: Swagger 2.0 has one `produces` list per operation, so the conversion lists every
// type on every status; a success is never a problem document, and an error is only one.
func splitMediaTypes(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || r.Value == nil || r.Value.Content == nil || r.Value.Content.Get(problemType) == nil {
					continue
				}
				for mt, c := range r.Value.Content {
					if (status >= 400) != (mt == problemType) {
						delete(r.Value.Content, mt)
					} else if binaryType(mt) && c.Schema != nil && c.Schema.Ref != "" {
						// An operation that answers JSON or a document (a report as JSON or
						// PDF) has one schema in Swagger 2.0: the document's bytes are not it.
						c.Schema = openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithFormat("binary"))
					}
				}
			}
		}
	}
}

// Swagger is the Swagger 2.0 document as served at /swagger/doc.json.
func Swagger() ([]byte, error) {
	once.Do(load)
	return swagger, loadErr
}

// V3 is the document converted to OpenAPI 3.0, as served at /openapi.json. Callers must not
// change it.
func V3() (*openapi3.T, error) {
	once.Do(load)
	return v3, loadErr
}

// V3JSON is V3 as JSON.
func V3JSON() ([]byte, error) {
	once.Do(load)
	return v3JSON, loadErr
}

// MoneyPattern is what a money member holds: yuan with at most two decimals, no sign, no
// leading zero, at most 99999999.99 (the service answers with exactly two decimals).
const MoneyPattern = `^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$`

// addMoneyPattern gives every string of format "money" its pattern: swag's annotations can
// name a format but not a pattern.
func addMoneyPattern(v any) {
	switch n := v.(type) {
	case map[string]any:
		if n["format"] == "money" && n["type"] == "string" {
			n["pattern"] = MoneyPattern
		}
		for _, e := range n {
			addMoneyPattern(e)
		}
	case []any:
		for _, e := range n {
			addMoneyPattern(e)
		}
	}
}
