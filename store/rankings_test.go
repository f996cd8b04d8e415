package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TestRankingCountsUseTheCoveringIndex: the rankings' aggregate is planned over
// idx_complaints_ranking on both databases (MariaDB: EXPLAIN's key; SQLite: a covering index
// scan), so that a year over a million complaints stays an index-only range scan.
func TestRankingCountsUseTheCoveringIndex(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	pl := models.Platform{ID: models.NewID(), Name: "甲平台", Slug: "jia", Sector: models.SectorDigitalRetail, Tags: []string{},
		CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	pl.SetName(pl.Name)
	db := st.DB().WithContext(st.Keyed(ctx))
	if err := db.Create(&pl).Error; err != nil {
		t.Fatal(err)
	}
	// Enough rows over two years that a plan reading the whole table would cost more.
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]models.Complaint, 0, 2000)
	statuses := models.AllStatuses
	for i := range 2000 {
		at := start.Add(time.Duration(i) * 8 * time.Hour)
		issue := []string{"refund", "quality", "delivery"}[i%3]
		rows = append(rows, models.Complaint{ID: models.NewID(), Number: fmt.Sprintf("T%08d", i), Channel: models.ChannelConsumer,
			ComplainantType: models.RoleConsumer, ComplainantID: "c", PlatformID: pl.ID, Status: statuses[i%len(statuses)],
			IssueType: &issue, Description: "x", ContactName: "张三", ContactPhone: "13800000000", ContentHash: "h",
			CreatedAt: at, UpdatedAt: at, Version: 1})
	}
	if err := db.CreateInBatches(rows, 25).Error; err != nil {
		t.Fatal(err)
	}
	if st.Driver() == "mysql" {
		if err := db.Exec("ANALYZE TABLE complaints").Error; err != nil {
			t.Fatal(err)
		}
	}
	year := models.Period{Type: models.PeriodYear, Year: 2025}
	plan, err := st.ExplainRankingCounts(ctx, year.Start(), year.End())
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(plan)
	switch st.Driver() {
	case "mysql":
		if len(plan) != 1 || fmt.Sprint(plan[0]["key"]) != store.RankingIndex || !strings.Contains(fmt.Sprint(plan[0]["Extra"]), "Using index") {
			t.Fatalf("plan does not read %s alone: %s", store.RankingIndex, text)
		}
	default:
		if !strings.Contains(text, "COVERING INDEX "+store.RankingIndex) {
			t.Fatalf("plan does not read %s alone: %s", store.RankingIndex, text)
		}
	}
	got, err := st.RankingCounts(ctx, year.Start(), year.End())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range got {
		n += r.N
	}
	want := int64(0)
	for _, c := range rows {
		if year.Contains(c.CreatedAt) && c.Status != models.StatusRejected && c.Status != models.StatusWithdrawn {
			want++
		}
	}
	if n != want || want == 0 {
		t.Fatalf("counted %d complaints, want %d", n, want)
	}
}
