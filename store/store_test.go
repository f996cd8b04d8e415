package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TestTxRetriesDeadlockVictims makes two transactions lock two rows in opposite orders, so that
// MariaDB/MySQL must kill one as a deadlock victim; Tx runs the victim again and both succeed.
func TestTxRetriesDeadlockVictims(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("deadlocks need row locks: set DSB_TEST_MYSQL_DSN")
	}
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range []string{"a", "b"} {
		if err := st.CreatePlatform(ctx, &models.Platform{ID: id, Name: id, Slug: id, Sector: models.SectorLogistics,
			CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	var runs atomic.Int64
	both := make(chan struct{})
	var once sync.Once
	var arrived atomic.Int64
	lockInOrder := func(first, second string) error {
		return st.Tx(ctx, func(tx *store.Store) error {
			runs.Add(1)
			if _, err := tx.PlatformForUpdate(ctx, first); err != nil {
				return err
			}
			// Both transactions hold their first row before either asks for its second.
			if arrived.Add(1) == 2 {
				once.Do(func() { close(both) })
			}
			select {
			case <-both:
			case <-time.After(5 * time.Second):
			}
			_, err := tx.PlatformForUpdate(ctx, second)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- lockInOrder("a", "b") }()
	go func() { errs <- lockInOrder("b", "a") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a transaction failed despite the retry: %v", err)
		}
	}
	if runs.Load() < 3 {
		t.Fatalf("%d runs: no transaction was retried, so no deadlock happened", runs.Load())
	}
}
