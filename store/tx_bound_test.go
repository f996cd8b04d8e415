package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TestTxDeadlineBoundsStoreMethods: a repository method called inside Tx with the request's
// own context (no deadline) still runs under Tx's bound: its lock wait ends at the deadline.
func TestTxDeadlineBoundsStoreMethods(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("lock waits inside a transaction exist on MariaDB/MySQL: set DSB_TEST_MYSQL_DSN")
	}
	st := openWithTxTimeout(t, 300*time.Millisecond)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := &models.Platform{ID: models.NewID(), Name: "p", Slug: "p" + models.NewID()[:8], Sector: "digital_retail", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePlatform(ctx, p); err != nil {
		t.Fatal(err)
	}
	db, _ := st.DB().DB()
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	if _, err := sqlTx.Exec("SELECT id FROM platforms WHERE id = ? FOR UPDATE", p.ID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = st.Tx(ctx, func(tx *store.Store) error {
		_, err := tx.PlatformForUpdate(ctx, p.ID) // as Platforms.Update does, with the request's ctx
		return err
	})
	el := time.Since(start)
	t.Logf("Tx with a 300ms bound returned after %v: %v", el, err)
	if el > 2*time.Second {
		t.Fatalf("Tx bounded at 300ms waited %v on a lock", el)
	}
}
