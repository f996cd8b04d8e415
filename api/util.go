package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// pageParams reads ?limit= (default 20, at most 100) and ?cursor=.
func pageParams(c *gin.Context) (models.Page, error) {
	p := models.Page{Limit: 20, Cursor: c.Query("cursor")}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return p, models.Invalid("limit", "must be an integer from 1 to 100")
		}
		p.Limit = n
	}
	return p, nil
}

// ListResponse is the envelope of every listing.
type ListResponse[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor" extensions:"x-nullable"`
}

func listOf[T any](items []T, next string) ListResponse[T] {
	if items == nil {
		items = []T{}
	}
	r := ListResponse[T]{Data: items}
	if next != "" {
		r.NextCursor = &next
	}
	return r
}
