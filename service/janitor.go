package service

import (
	"context"
	"time"
)

// expirer is the part of the database key-value store the janitor needs.
type expirer interface {
	DeleteExpired(ctx context.Context) (int64, error)
}

// RunJanitor deletes expired idempotency records and refresh tokens every ten minutes until
// ctx ends. Deletes are idempotent, so several instances may run it at once.
func (s *Services) RunJanitor(ctx context.Context, kvs expirer) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := kvs.DeleteExpired(ctx); err != nil {
			s.log.WarnContext(ctx, "janitor: expired records", "error", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "janitor: expired records deleted", "count", n)
		}
		if n, err := s.st.DeleteExpiredRefreshTokens(ctx, now(s.clock)); err != nil {
			s.log.WarnContext(ctx, "janitor: refresh tokens", "error", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "janitor: expired refresh tokens deleted", "count", n)
		}
	}
}
