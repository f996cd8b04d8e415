package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/dianshubao/dianshubao/models"
)

// jsonShaper is a request member with its own UnmarshalJSON whose JSON has the members of
// another type (a nullable member of a PATCH, say): the member check walks that type.
type jsonShaper interface{ JSONShape() any }

var shaperType = reflect.TypeFor[jsonShaper]()

// checkMembers walks a JSON object against the Go type it is decoded into and refuses what
// encoding/json would let pass: a member named twice (the last would win), a member matching
// a field only in another letter case, an unknown member at any depth (named with its path),
// and null for a member that is not nullable (it would read as left out). Type mismatches are
// left to the decoder.
func checkMembers(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := memberWalker{dec: dec}
	tok, err := dec.Token()
	if err != nil {
		return models.BadRequest("malformed_json", "the body is not valid JSON")
	}
	if err := w.value(tok, t, ""); err != nil {
		return err
	}
	return nil
}

type memberWalker struct{ dec *json.Decoder }

// value checks the value that starts with tok against t.
func (w memberWalker) value(tok json.Token, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(shaperType) {
		t = reflect.TypeOf(reflect.New(t).Interface().(jsonShaper).JSONShape())
	}
	d, isDelim := tok.(json.Delim)
	switch {
	case isDelim && d == '{' && t.Kind() == reflect.Struct:
		return w.object(t, path)
	case isDelim && d == '{' && t.Kind() == reflect.Map:
		return w.each('}', func(key string) (reflect.Type, string, error) { return t.Elem(), join(path, key), nil })
	case isDelim && d == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		i := 0
		for w.dec.More() {
			tok, err := w.dec.Token()
			if err != nil {
				return errMalformed
			}
			if tok == nil {
				return models.Invalid(path+"["+strconv.Itoa(i)+"]", "must not be null")
			}
			if err := w.value(tok, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
			i++
		}
		_, err := w.dec.Token()
		return malformedIf(err)
	case isDelim:
		return w.skip(d) // a shape the decoder will refuse with the member's name
	}
	return nil
}

// object checks the members of an object decoded into the struct type t.
func (w memberWalker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	return w.each('}', func(key string) (reflect.Type, string, error) {
		f, ok := fields[key]
		if !ok {
			name := join(path, key)
			msg := "is not a member of this request; check its spelling"
			for k := range fields {
				if strings.EqualFold(k, key) {
					msg = "is not a member of this request: member names are case-sensitive, did you mean " + strconv.Quote(k) + "?"
				}
			}
			return nil, "", &models.Error{Kind: models.KindValidation, Code: "unknown_field",
				Detail: "the body has a member this endpoint does not take: " + name,
				Fields: []models.FieldError{{Field: name, Message: msg}}}
		}
		if !f.nullable {
			return f.typ, join(path, key), nil
		}
		return nil, join(path, key), nil // nullable: null is a value, anything else is checked
	}, fields)
}

// each walks an object's members; member names where each member's value must be checked and
// against which type (nil: null allowed, other values against the field's type).
func (w memberWalker) each(end json.Delim, member func(key string) (reflect.Type, string, error), fields ...map[string]jsonField) error {
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return errMalformed
		}
		key, _ := tok.(string)
		typ, path, err := member(key)
		if err != nil {
			return err
		}
		if seen[key] {
			return models.Invalid(path, "is given twice; give each member once")
		}
		seen[key] = true
		val, err := w.dec.Token()
		if err != nil {
			return errMalformed
		}
		if val == nil {
			if typ != nil {
				return models.Invalid(path, "must not be null; leave the member out instead")
			}
			continue
		}
		if typ == nil && len(fields) > 0 {
			typ = fields[0][key].typ
		}
		if err := w.value(val, typ, path); err != nil {
			return err
		}
	}
	_, err := w.dec.Token()
	return malformedIf(err)
}

// skip consumes the rest of a value that opened with d.
func (w memberWalker) skip(d json.Delim) error {
	for depth := 1; depth > 0; {
		tok, err := w.dec.Token()
		if err != nil {
			return errMalformed
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

type jsonField struct {
	typ      reflect.Type
	nullable bool
}

// jsonFields are a struct's members by their exact JSON names, embedded structs flattened.
func jsonFields(t reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = jsonField{typ: f.Type, nullable: strings.Contains(f.Tag.Get("extensions"), "x-nullable")}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var errMalformed = models.BadRequest("malformed_json", "the body is not valid JSON")

func malformedIf(err error) error {
	if err != nil {
		return errMalformed
	}
	return nil
}
