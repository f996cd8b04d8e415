package service

import (
	"context"
	"errors"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// TestRequestsRacingAnErasureStoreNothing: a request whose token was checked just before its
// complainant's erasure committed (here: a principal held after it) neither files a complaint
// nor changes an erased one.
func TestRequestsRacingAnErasureStoreNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.file(f.consumer, "TB-RACE-1")
	if _, err := f.svc.Erasures.EraseSelf(ctx, f.consumer); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Complaints.Create(ctx, f.consumer, f.complaintRequest("TB-RACE-2")); !errors.Is(err, models.ErrInvalidToken) {
		t.Fatalf("filing after the erasure: %v", err)
	}
	if _, err := f.svc.Complaints.Supplement(ctx, f.consumer, v.ID, SupplementRequest{Text: "我是张三，电话13800138000"}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("supplement after the erasure: %v", err)
	}
	ids, err := f.st.ComplaintIDsOfComplainant(ctx, f.consumer.UserID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("complaints: %v %v", ids, err)
	}
	c, err := f.st.ComplaintByID(ctx, v.ID)
	if err != nil || len(c.Supplements) != 0 || !c.Erased() || c.Status != models.StatusWithdrawn {
		t.Fatalf("erased complaint: %+v %v", c, err)
	}
}
