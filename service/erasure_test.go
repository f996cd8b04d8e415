package service

import (
	"context"
	"errors"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// TestRequestsRacingAnErasure: a request whose token was checked just before its
// complainant's erasure committed (here: a principal held after it) cannot change an erased
// complaint, and what a filing stored meanwhile — it takes no lock on its complainant — is
// erased by the second sweep, which adds it to the record.
func TestRequestsRacingAnErasure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.file(f.consumer, "TB-RACE-1")
	if _, err := f.svc.Complaints.Accept(ctx, f.moderator, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Complaints.Reply(ctx, f.platform, v.ID, ReplyRequest{Content: "您好，已处理。"}); err != nil {
		t.Fatal(err)
	}
	rec, err := f.svc.Erasures.EraseSelf(ctx, f.consumer)
	if err != nil || rec.Complaints != 1 || rec.Withdrawn != 0 {
		t.Fatalf("erasure: %+v %v", rec, err)
	}
	// The replied complaint stays replied, and takes nothing more from its complainant.
	if _, err := f.svc.Complaints.Supplement(ctx, f.consumer, v.ID, SupplementRequest{Text: "我是张三，电话13800138000"}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("supplement after the erasure: %v", err)
	}
	raced, err := f.svc.Complaints.Create(ctx, f.consumer, f.complaintRequest("TB-RACE-2"))
	if err != nil {
		t.Fatal(err)
	}

	var sweeps []models.Job
	if err := f.st.DB().Where("kind = ? AND ref = ?", models.JobEraseSweep, f.consumer.UserID).Find(&sweeps).Error; err != nil || len(sweeps) != 1 {
		t.Fatalf("sweep jobs: %v %v", sweeps, err)
	}
	if !sweeps[0].DueAt.After(rec.CreatedAt) {
		t.Fatalf("the sweep is due at %v, the erasure was at %v", sweeps[0].DueAt, rec.CreatedAt)
	}
	if res := f.svc.Erasures.eraseSweepJob(ctx, &sweeps[0]); res.State != models.JobCompleted {
		t.Fatalf("sweep: %+v", res)
	}
	for id, want := range map[string]models.Status{v.ID: models.StatusReplied, raced.ID: models.StatusWithdrawn} {
		c, err := f.st.ComplaintByID(ctx, id)
		if err != nil || !c.Erased() || c.ContactName != models.ErasedText || c.Status != want || len(c.Supplements) != 0 {
			t.Fatalf("complaint %s after the sweep: %+v %v", id, c, err)
		}
	}
	after, err := f.st.ErasureOfUser(ctx, f.consumer.UserID)
	if err != nil || after.ID != rec.ID || after.Complaints != 2 || after.Withdrawn != 1 {
		t.Fatalf("record after the sweep: %+v %v", after, err)
	}
	// A sweep with nothing left changes nothing.
	if res := f.svc.Erasures.eraseSweepJob(ctx, &sweeps[0]); res.State != models.JobCompleted {
		t.Fatalf("second sweep: %+v", res)
	}
	if again, _ := f.st.ErasureOfUser(ctx, f.consumer.UserID); *again != *after {
		t.Fatalf("a sweep with nothing to do changed the record: %+v", again)
	}
}
