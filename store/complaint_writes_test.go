package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func testComplaint(id string, status models.Status, orderNo *string, created time.Time) *models.Complaint {
	return &models.Complaint{ID: id, Number: "DSB20261126" + id, Channel: models.ChannelConsumer, ComplainantType: models.RoleConsumer,
		ComplainantID: "u1", PlatformID: "p1", Status: status, Description: "描述", OrderNo: orderNo, Demands: []string{"refund"},
		ContactName: "张三", ContactPhone: "13800138000", ContentHash: "hash-" + id, CreatedAt: created, UpdatedAt: created, Version: 1}
}

// TestUpdateComplaintWritesChangedColumns: only the columns that differ are written, and only
// over the version that was read.
func TestUpdateComplaintWritesChangedColumns(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	c := testComplaint("c1", models.StatusPendingReview, nil, now)
	if err := st.CreateComplaint(ctx, c); err != nil {
		t.Fatal(err)
	}
	before := *c
	// A column the change does not touch, changed behind its back, stays as it is.
	if err := st.DB().Exec("UPDATE complaints SET description = ? WHERE id = ?", "改过的描述", c.ID).Error; err != nil {
		t.Fatal(err)
	}
	after := before
	at := now.Add(time.Minute)
	after.Status, after.DeliveredAt, after.UpdatedAt, after.Version = models.StatusDelivered, &at, at, 2
	if err := st.UpdateComplaint(ctx, &before, &after); err != nil {
		t.Fatal(err)
	}
	got, err := st.ComplaintRow(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.StatusDelivered || got.Version != 2 || got.DeliveredAt == nil || !got.DeliveredAt.Equal(at) ||
		got.Description != "改过的描述" {
		t.Fatalf("row after update: %+v", got)
	}
	// A second writer from the same version finds it moved on.
	late := before
	late.Status, late.Version = models.StatusRejected, 2
	if err := st.UpdateComplaint(ctx, &before, &late); !errors.Is(err, store.ErrComplaintChanged) {
		t.Fatalf("stale update: %v", err)
	}
}

// TestClaimsBackfilledOnUpgrade: when the claims table first appears, the complaints open at
// that moment get their duplicate keys.
func TestClaimsBackfilledOnUpgrade(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	order := func(s string) *string { return &s }
	cs := []*models.Complaint{
		testComplaint("open-order", models.StatusDelivered, order("A"), now.Add(-72*time.Hour)),
		testComplaint("done-order", models.StatusCompleted, order("B"), now.Add(-72*time.Hour)),
		testComplaint("recent-text", models.StatusPendingReview, nil, now.Add(-time.Hour)),
		testComplaint("old-text", models.StatusPendingReview, nil, now.Add(-25*time.Hour)),
		testComplaint("withdrawn-text", models.StatusWithdrawn, nil, now.Add(-time.Hour)),
	}
	for _, c := range cs {
		if err := st.CreateComplaint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DB().Migrator().DropTable(&models.ComplaintClaim{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var claims []models.ComplaintClaim
	if err := st.DB().Order("complaint_id").Find(&claims).Error; err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || claims[0].ComplaintID != "open-order" || claims[1].ComplaintID != "recent-text" {
		t.Fatalf("claims after upgrade: %+v", claims)
	}
	key, _, _ := cs[0].DuplicateClaim()
	if claims[0].Key != key || claims[0].ExpiresAt != nil || claims[1].ExpiresAt == nil {
		t.Fatalf("claims after upgrade: %+v", claims)
	}
}
