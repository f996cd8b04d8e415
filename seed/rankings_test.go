package seed

import (
	"context"
	"slices"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// checkRankings: the seeded complaints fill the complaint rankings of every period type of
// the seeded range, each over exactly the complaints filed in it and neither rejected nor
// withdrawn, and each sub-sector the rankings are shown for has a platform carrying it and a
// non-empty ranking.
func checkRankings(t *testing.T, svc *service.Services, cs []models.Complaint, pls []models.Platform) {
	t.Helper()
	ctx := context.Background()
	for _, period := range []string{"2026-04", "2026-Q2", "2026-H1", "2026"} {
		l, err := svc.Rankings.List(ctx, service.RankingQuery{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		p := month(t, period)
		var want int64
		for i := range cs {
			if p.Contains(cs[i].CreatedAt) && cs[i].Status != models.StatusRejected && cs[i].Status != models.StatusWithdrawn {
				want++
			}
		}
		if len(l.Items) == 0 || l.Total != want {
			t.Errorf("ranking %s: %d platforms over %d complaints, want a non-empty list over %d", period, len(l.Items), l.Total, want)
		}
	}
	for _, rt := range rankingTags {
		if !slices.ContainsFunc(pls, func(p models.Platform) bool { return slices.Contains(p.Tags, rt.tag) }) {
			t.Errorf("no seeded platform is tagged %s", rt.tag)
			continue
		}
		l, err := svc.Rankings.List(ctx, service.RankingQuery{Period: "2026-H1", Tag: rt.tag})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) == 0 {
			t.Errorf("the ranking of %s is empty", rt.tag)
		}
	}
}
