package models

import (
	"encoding/base64"
	"encoding/json"
)

// ErrInvalidCursor is returned for a cursor the service did not issue.
var ErrInvalidCursor = &Error{Kind: KindValidation, Code: "invalid_cursor", Detail: "the cursor is not one this API issued",
	Fields: []FieldError{{Field: "cursor", Message: "is not a cursor this API issued"}}}

// EncodeCursor packs the sort key of the last item of a page into an opaque string.
func EncodeCursor(keys ...string) string {
	b, _ := json.Marshal(keys)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor unpacks a cursor made by EncodeCursor with exactly n keys. The empty string is
// the first page and yields nil.
func DecodeCursor(s string, n int) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 1024 {
		return nil, ErrInvalidCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrInvalidCursor
	}
	var keys []string
	if err := json.Unmarshal(b, &keys); err != nil || len(keys) != n {
		return nil, ErrInvalidCursor
	}
	for _, k := range keys {
		if k == "" || len(k) > 128 || ControlChar(k) {
			return nil, ErrInvalidCursor
		}
	}
	return keys, nil
}

// Page is a request for one page of a listing.
type Page struct {
	Limit  int
	Cursor string
}
