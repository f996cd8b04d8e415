package service

import (
	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/store"
)

// IsUnavailable reports whether err means a backing store (the database, Redis, evidence
// storage) could not be reached or did not answer in time, so that the caller may retry shortly
// (503), rather than a fault of the service (500).
func IsUnavailable(err error) bool { return store.IsUnavailable(err) || blob.IsUnavailable(err) }
