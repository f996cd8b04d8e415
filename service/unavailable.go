package service

import (
	"errors"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/store"
)

// IsUnavailable reports whether err means a backing store (the database, Redis, evidence
// storage) could not be reached or did not answer in time, so that the caller may retry shortly
// (503), rather than a fault of the service (500). Evidence bytes missing under a row that
// names them are such a fault, not an outage: retrying will not bring them back.
func IsUnavailable(err error) bool {
	if errors.Is(err, blob.ErrNotExist) {
		return false
	}
	return store.IsUnavailable(err) || blob.IsUnavailable(err)
}
