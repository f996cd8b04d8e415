package seed

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The seed fills the six campaigns of 2024, tags the complaints their rules select, and gives
// the 仅退款 investigation its two answered questionnaires and its report frozen on 4
// September; seeding again adds none twice.
func TestRunSeedsTheCampaignsOf2024(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	opts := Options{Platforms: 5, Complaints: 400, Consumers: 30, Merchants: 25, Seed: 7, From: month(t, "2024-07"), To: month(t, "2024-09"),
		AsOf: time.Date(2024, 9, 30, 12, 0, 0, 0, models.ChinaTime), BcryptCost: bcrypt.MinCost}
	sum, err := Run(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	var campaigns []models.Campaign
	if err := st.DB().Order("id").Find(&campaigns).Error; err != nil {
		t.Fatal(err)
	}
	if sum.Campaigns != 6 || len(campaigns) != 6 {
		t.Fatalf("%d campaigns seeded (summary %d), want 6", len(campaigns), sum.Campaigns)
	}
	var refundOnly *models.Campaign
	for i := range campaigns {
		if campaigns[i].Title == "电商平台“仅退款”调查行动" {
			refundOnly = &campaigns[i]
		} else if campaigns[i].Status != models.CampaignClosed || campaigns[i].Report != nil {
			t.Errorf("%s: %s with a report %v, want closed without", campaigns[i].Title, campaigns[i].Status, campaigns[i].Report != nil)
		}
	}
	if refundOnly == nil || refundOnly.Status != models.CampaignReported || refundOnly.Report == nil ||
		!refundOnly.ReportedAt.Equal(time.Date(2024, 9, 4, 2, 0, 0, 0, time.UTC)) || refundOnly.StartsOn != "2024-07-23" {
		t.Fatalf("仅退款 campaign: %+v", refundOnly)
	}
	var tagged, inWindow int64
	st.DB().Table("campaign_complaints").Where("campaign_id = ?", refundOnly.ID).Count(&tagged)
	st.DB().Table("complaints").Where("channel = ? AND created_at >= ? AND created_at < ?", models.ChannelRefundOnly,
		time.Date(2024, 7, 22, 16, 0, 0, 0, time.UTC), time.Date(2024, 9, 4, 16, 0, 0, 0, time.UTC)).Count(&inWindow)
	if inWindow == 0 || tagged < inWindow {
		t.Fatalf("%d complaints tagged into the 仅退款 campaign, %d refund-only complaints in its window", tagged, inWindow)
	}

	svc := service.New(st, nil, service.Options{BcryptCost: bcrypt.MinCost})
	r, err := svc.Campaigns.Report(ctx, refundOnly.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Frozen || r.ComplaintCount != tagged || len(r.Platforms) == 0 || len(r.Questionnaires) != 2 {
		t.Fatalf("report: %+v", r)
	}
	for _, q := range r.Questionnaires {
		if q.Responses != 20 || q.Questions[0].Answered != 20 || q.Questions[0].Options[0].Count == 0 {
			t.Errorf("%s: %+v", q.Title, q)
		}
	}

	opts.Append, opts.Complaints = true, 10
	again, err := Run(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	st.DB().Model(&models.Campaign{}).Count(&n)
	if again.Campaigns != 0 || n != 6 {
		t.Fatalf("seeding again added %d campaigns (%d in all)", again.Campaigns, n)
	}
}
