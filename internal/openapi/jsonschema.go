package openapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// JSONSchemaDialect is the JSON Schema version of JSONSchema's results.
const JSONSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

const componentPrefix = "#/components/schemas/"

// JSONSchema returns a component of the OpenAPI 3 document as a self-contained JSON Schema
// (draft 2020-12): every component it refers to is under $defs, references point there, and
// OpenAPI's `nullable` becomes a "null" type. The result is the caller's to change.
func JSONSchema(component string) (map[string]any, error) {
	raw, err := V3JSON()
	if err != nil {
		return nil, err
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	all := doc.Components.Schemas
	if _, ok := all[component]; !ok {
		return nil, fmt.Errorf("openapi: no component %q", component)
	}
	defs := map[string]any{}
	pending := []string{component}
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		if _, done := defs[name]; done {
			continue
		}
		s, ok := all[name]
		if !ok {
			return nil, fmt.Errorf("openapi: %q refers to the missing component %q", component, name)
		}
		var refs []string
		defs[name] = toJSONSchema(s, &refs)
		sort.Strings(refs)
		pending = append(pending, refs...)
	}
	root := map[string]any{"$schema": JSONSchemaDialect, "$ref": "#/$defs/" + component, "$defs": defs}
	return root, nil
}

// toJSONSchema converts one OpenAPI 3.0 schema, collecting the components it refers to.
func toJSONSchema(v any, refs *[]string) any {
	switch n := v.(type) {
	case []any:
		out := make([]any, len(n))
		for i, e := range n {
			out[i] = toJSONSchema(e, refs)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, e := range n {
			switch k {
			case "$ref":
				ref, _ := e.(string)
				name := strings.TrimPrefix(ref, componentPrefix)
				*refs = append(*refs, name)
				out[k] = "#/$defs/" + name
			case "nullable", "example":
			case "properties":
				props := map[string]any{}
				for name, p := range e.(map[string]any) {
					props[name] = toJSONSchema(p, refs)
				}
				out[k] = props
			default:
				out[k] = toJSONSchema(e, refs)
			}
		}
		if ex, ok := n["example"]; ok {
			out["examples"] = []any{ex}
		}
		if nullable, _ := n["nullable"].(bool); nullable {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
				if enum, ok := out["enum"].([]any); ok {
					out["enum"] = append(enum, nil)
				}
			} else {
				return map[string]any{"anyOf": []any{out, map[string]any{"type": "null"}}}
			}
		}
		return out
	}
	return v
}
