package service

import (
	"log/slog"

	"github.com/dianshubao/dianshubao/store"
)

// Evidence stores uploaded evidence files and serves them to those allowed to see them.
type Evidence struct {
	st       *store.Store
	clock    Clock
	log      *slog.Logger
	dir      string
	maxBytes int64
}
