package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// The one-statement children loader gives exactly what gorm's three preloads give.
func TestLoadChildrenMatchesPreload(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 8, 0, 0, 123e6, time.UTC)
	delivered := models.StatusDelivered
	var ids []string
	for i, id := range []string{"c1", "c2", "c3"} {
		c := models.Complaint{ID: id, Number: "DSB20261126" + id, Channel: models.ChannelConsumer, ComplainantType: models.RoleConsumer,
			ComplainantID: "u1", PlatformID: "p1", Status: delivered, Description: "d", ContactName: "张三", ContactPhone: "13800138000",
			ContentHash: id, CreatedAt: at, UpdatedAt: at, Version: 1}
		must(t, st.DB().Create(&c).Error)
		ids = append(ids, id)
		for j := range i + 1 {
			n := string(rune('a' + j))
			must(t, st.DB().Create(&models.Supplement{ID: id + "s" + n, ComplaintID: id, Text: "补充" + n,
				EvidenceIDs: []string{"e" + n}, CreatedAt: at.Add(time.Duration(j) * time.Second)}).Error)
			must(t, st.DB().Create(&models.TimelineItem{ID: id + "t" + n, ComplaintID: id, At: at.Add(time.Duration(j) * time.Minute),
				From: &delivered, To: models.StatusReplied, ActorType: models.ActorPlatform, Note: "note " + n}).Error)
		}
		if i != 1 {
			must(t, st.DB().Create(&models.Reply{ID: id + "r", ComplaintID: id, PlatformID: "p1", Content: "已处理",
				CreatedAt: at.Add(time.Hour)}).Error)
		}
	}
	must(t, st.DB().Create(&models.TimelineItem{ID: "c1t0", ComplaintID: "c1", At: at, To: models.StatusPendingReview,
		ActorType: models.ActorConsumer, Note: ""}).Error)

	var want []models.Complaint
	order := func(db *gorm.DB) *gorm.DB { return db.Order("id") }
	must(t, st.DB().Preload("Supplements", order).Preload("Replies", order).Preload("Timeline", order).
		Where("id IN ?", ids).Order("id").Find(&want).Error)
	var got []models.Complaint
	must(t, st.DB().Where("id IN ?", ids).Order("id").Find(&got).Error)
	ptrs := []*models.Complaint{&got[0], &got[1], &got[2]}
	must(t, st.LoadChildren(ctx, ptrs, true))
	for i := range want {
		normalise(&want[i])
		normalise(&got[i])
		if !reflect.DeepEqual(want[i], got[i]) {
			t.Fatalf("complaint %s:\nwant %+v\n got %+v", want[i].ID, want[i], got[i])
		}
	}
	// Without the timeline, none is loaded.
	one, err := st.ComplaintRow(ctx, "c1")
	must(t, err)
	must(t, st.LoadChildren(ctx, []*models.Complaint{one}, false))
	if len(one.Timeline) != 0 || len(one.Supplements) != 1 || len(one.Replies) != 1 {
		t.Fatalf("without timeline: %d timeline, %d supplements, %d replies", len(one.Timeline), len(one.Supplements), len(one.Replies))
	}
}

// normalise puts times in UTC and treats an empty child list as none.
func normalise(c *models.Complaint) {
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if len(c.Supplements) == 0 {
		c.Supplements = nil
	}
	if len(c.Replies) == 0 {
		c.Replies = nil
	}
	if len(c.Timeline) == 0 {
		c.Timeline = nil
	}
	for i := range c.Supplements {
		c.Supplements[i].CreatedAt = c.Supplements[i].CreatedAt.UTC()
	}
	for i := range c.Replies {
		c.Replies[i].CreatedAt = c.Replies[i].CreatedAt.UTC()
		if len(c.Replies[i].EvidenceIDs) == 0 {
			c.Replies[i].EvidenceIDs = nil
		}
	}
	for i := range c.Timeline {
		c.Timeline[i].At = c.Timeline[i].At.UTC()
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
