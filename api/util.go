package api

import (
	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// pageParams reads ?limit= (default 20, at most 100) and ?cursor=.
func pageParams(c *gin.Context) (models.Page, error) {
	return models.ParsePage(c.Query("limit"), c.Query("cursor"))
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
