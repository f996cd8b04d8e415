package store_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func openWithTxTimeout(t *testing.T, d time.Duration) *store.Store {
	t.Helper()
	driver, dsn := testkit.StoreDSN(t)
	st, err := store.Open(context.Background(), driver, dsn, store.Options{Logger: slog.New(slog.DiscardHandler), TxTimeout: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func kvCount(t *testing.T, st *store.Store, key string) int64 {
	t.Helper()
	var n int64
	if err := st.DB().Model(&models.KVEntry{}).Where("id = ?", key).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A transaction still open at its deadline is rolled back, never committed late, and says why.
func TestTxPastDeadlineRollsBack(t *testing.T) {
	st := openWithTxTimeout(t, 300*time.Millisecond)
	start := time.Now()
	err := st.Tx(context.Background(), func(tx *store.Store) error {
		if err := tx.DB().Create(&models.KVEntry{Key: "late", Value: []byte("x"), ExpiresAt: time.Now().Add(time.Hour)}).Error; err != nil {
			return err
		}
		time.Sleep(600 * time.Millisecond)
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Tx past its deadline returned %v, want context.DeadlineExceeded", err)
	}
	if n := kvCount(t, st, "late"); n != 0 {
		t.Fatalf("the late transaction committed %d rows", n)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Tx took %v", el)
	}
}

// A transaction waiting for a lock another holds gives up by its deadline instead of waiting
// for the database's own lock timeout (50 s on MariaDB), with an error that says "retry later".
func TestTxWaitingForALockStopsAtDeadline(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("lock waits inside a transaction exist on MariaDB/MySQL (set DSB_TEST_MYSQL_DSN); an SQLite writer queues for the write lock before its transaction begins")
	}
	st := openWithTxTimeout(t, 300*time.Millisecond)
	if err := st.DB().Create(&models.KVEntry{Key: "row", Value: []byte("0"), ExpiresAt: time.Now().Add(time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	db, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlTx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlTx.Exec("UPDATE kv_entries SET value = ? WHERE id = ?", []byte("1"), "row"); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	start := time.Now()
	err = st.Tx(context.Background(), func(tx *store.Store) error {
		return tx.DB().Exec("UPDATE kv_entries SET value = ? WHERE id = ?", []byte("2"), "row").Error
	})
	el := time.Since(start)
	if !store.IsUnavailable(err) {
		t.Fatalf("Tx blocked on a lock returned %v after %v, want an unavailable error", err, el)
	}
	if el > 2*time.Second {
		t.Fatalf("Tx blocked on a lock took %v", el)
	}
}

// Sessions on MariaDB/MySQL are READ COMMITTED, whichever name the server gives the variable.
func TestMySQLSessionsAreReadCommitted(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("isolation levels of MariaDB/MySQL: set DSB_TEST_MYSQL_DSN")
	}
	st := testkit.Store(t)
	db, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxIdleConns(0) // every query below dials a new pooled connection
	for range 3 {
		var level string
		if err := db.QueryRow("SELECT @@SESSION.tx_isolation").Scan(&level); err != nil {
			if err := db.QueryRow("SELECT @@SESSION.transaction_isolation").Scan(&level); err != nil {
				t.Fatal(err)
			}
		}
		if level != "READ-COMMITTED" {
			t.Fatalf("session isolation %q, want READ-COMMITTED", level)
		}
	}
}
