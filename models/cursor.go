package models

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
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

// The page size of a listing: DefaultPageLimit unless chosen, at most MaxPageLimit.
const DefaultPageLimit, MaxPageLimit = 20, 100

// ParsePage reads a listing's requested page: limit as sent (empty for the default) and the
// cursor of the previous page. A limit that is not a whole number from 1 to MaxPageLimit is a
// validation error of "limit"; the page returned then has the default size.
func ParsePage(limit, cursor string) (Page, error) {
	p := Page{Limit: DefaultPageLimit, Cursor: cursor}
	if limit == "" {
		return p, nil
	}
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 || n > MaxPageLimit {
		return p, Invalid("limit", fmt.Sprintf("must be an integer from 1 to %d", MaxPageLimit))
	}
	p.Limit = n
	return p, nil
}
