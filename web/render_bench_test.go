package web

import (
	"strconv"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
)

// BenchmarkRenderRatingsPage measures executing the rating-list template alone for a list of
// 200 platforms: what a page-cache miss costs on top of reading the list.
//
//	go test ./web/ -run '^$' -bench RenderRatingsPage
func BenchmarkRenderRatingsPage(b *testing.B) {
	l := &service.RatingList{Period: "2026-06", PeriodType: "month", Channel: "consumer", FormulaVersion: "2024.2",
		GeneratedAt: "2026-06-20T04:00:00Z"}
	for i := range 200 {
		idx, sat := 0.3+float64(i%70)/100, 6.5
		l.Items = append(l.Items, service.RatingItem{Rank: i + 1, ComplaintCount: int64(1000 - i), ReplyRate: 0.8, Timeliness: 0.7,
			Satisfaction: &sat, Index: &idx, Grade: "caution", GradeLabel: "谨慎下单",
			Platform: service.RatingPlatform{ID: strconv.Itoa(i), Name: "平台" + strconv.Itoa(i), Slug: "p" + strconv.Itoa(i), Sector: "digital_retail"}})
	}
	s := &site{now: func() time.Time { return time.Date(2026, 6, 20, 4, 0, 0, 0, time.UTC) }}
	v := ratingsView{List: l, Periods: s.periodOptions(l.Period), Sectors: sectorOptions(""), Channels: channelOptions(l.Channel), CSVHref: csvHref(l)}
	for b.Loop() {
		if _, err := renderPage("ratings", &Page{Title: "消费评级榜", Nav: NavRatings, Data: v}); err != nil {
			b.Fatal(err)
		}
	}
}
