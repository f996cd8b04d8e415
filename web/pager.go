package web

import (
	"net/url"
	"regexp"
	"strings"
)

// pageLinks are a console list's paging links under its filters: the next page, the previous
// one and the first ("" where there is none). Cursors only go forward, so the way back travels
// in the links themselves: each next link carries, in "back", the cursors of the pages before
// it (at most maxBack of them; "~" stands for the first page).
type pageLinks struct {
	Next, Prev, First string
}

const (
	maxBack   = 20
	firstMark = "~"
)

// backCursor is what a cursor of the trail may look like (EncodeCursor writes base64url).
var backCursor = regexp.MustCompile(`^(?:~|[A-Za-z0-9_-]{1,512})$`)

// links builds the paging links of path with filters, on the page of cursor (its trail in
// back), whose next page is next. A trail that is not one these links wrote is dropped.
func links(path string, filters url.Values, cursor, next, back string) pageLinks {
	href := func(cur string, trail []string) string {
		q := url.Values{}
		for k, vs := range filters {
			if len(vs) > 0 && vs[0] != "" {
				q.Set(k, vs[0])
			}
		}
		if cur != "" && cur != firstMark {
			q.Set("cursor", cur)
		}
		if len(trail) > 0 {
			q.Set("back", strings.Join(trail, ","))
		}
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	var trail []string
	if back != "" {
		trail = strings.Split(back, ",")
		for _, c := range trail {
			if !backCursor.MatchString(c) {
				trail = nil
				break
			}
		}
	}
	if len(trail) > maxBack {
		trail = trail[len(trail)-maxBack:]
	}
	l := pageLinks{First: href("", nil)}
	if len(trail) > 0 {
		l.Prev = href(trail[len(trail)-1], trail[:len(trail)-1])
	}
	if next != "" {
		here := cursor
		if here == "" {
			here = firstMark
		}
		forward := append(append([]string{}, trail...), here)
		if len(forward) > maxBack {
			forward = forward[len(forward)-maxBack:]
		}
		l.Next = href(next, forward)
	}
	return l
}
