package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
)

// TestOwnPoolIsNotHeldUpByAFullSharedPool: with every connection of the shared pool held (as
// requests in their transactions hold them under load), the work queue's own pool still claims
// at once.
func TestOwnPoolIsNotHeldUpByAFullSharedPool(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("a second pool exists on MariaDB/MySQL only (SQLite is one file with one writer): set DSB_TEST_MYSQL_DSN")
	}
	st := testkit.Store(t)
	qst, err := st.OwnPool(2)
	if err != nil {
		t.Fatal(err)
	}
	defer qst.Close()
	db, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var held []*sql.Tx
	defer func() {
		for _, tx := range held {
			_ = tx.Rollback()
		}
	}()
	for range db.Stats().MaxOpenConnections {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, tx)
	}
	// The shared pool is exhausted: a claim through it would wait.
	busy, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := st.ClaimJobs(busy, "shared", time.Now(), time.Now().Add(time.Minute), 10); err == nil {
		t.Fatal("a claim through the exhausted shared pool went through; the test holds nothing")
	}
	start := time.Now()
	if _, err := qst.ClaimJobs(ctx, "own", time.Now(), time.Now().Add(time.Minute), 10); err != nil {
		t.Fatalf("claim through the queue's own pool: %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("the own pool's claim took %v", el)
	}
}
