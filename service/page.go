package service

import "github.com/dianshubao/dianshubao/models"

// pageByID runs one page of a listing ordered by id: fetch gets the id to continue after (""
// for the first page) and asks for one row more than the page holds, which tells whether
// another page follows.
func pageByID[T any](page models.Page, id func(*T) string, fetch func(after string, limit int) ([]T, error)) ([]T, string, error) {
	keys, err := models.DecodeCursor(page.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	after := ""
	if keys != nil {
		after = keys[0]
	}
	items, err := fetch(after, page.Limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > page.Limit {
		items = items[:page.Limit]
		next = models.EncodeCursor(id(&items[len(items)-1]))
	}
	return items, next, nil
}
