package service

import (
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// TestFirstReplyEnqueuesAutoCompletion: the first reply writes the auto_complete job, due
// DSB_AUTO_COMPLETE_AFTER after it, in its own transaction; a later reply adds none.
func TestFirstReplyEnqueuesAutoCompletion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.file(f.consumer, "AC-1")
	if _, err := f.svc.Complaints.Accept(ctx, f.moderator, c.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.svc.Complaints.Reply(ctx, f.platform, c.ID, ReplyRequest{Content: "已为您退款。"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
	}
	var jobs []models.Job
	if err := f.st.DB().Where("kind = ?", models.JobAutoComplete).Find(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	row, err := f.st.ComplaintRow(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("%d auto_complete jobs, want 1", len(jobs))
	}
	j := jobs[0]
	if j.Ref != c.ID || j.Destination != "" || j.State != models.JobAvailable ||
		!j.DueAt.Equal(row.FirstRepliedAt.Add(f.svc.Complaints.autoCompleteAfter)) {
		t.Fatalf("job %+v for first reply at %v", j, row.FirstRepliedAt)
	}
}
