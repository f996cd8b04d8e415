package web

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// rankingTags are the sub-sectors the complaint rankings are published for (投诉榜: 二手电商、
// 跨境电商、生鲜电商、移动出行、物流科技、在线票务).
var rankingTags = []string{"二手电商", "跨境电商", "生鲜电商", "移动出行", "物流科技", "在线票务"}

// rankingsView is the data of the complaint rankings' page.
type rankingsView struct {
	List       *service.RankingList
	Periods    []optGroup
	Sectors    []option
	Tags       []option
	IssueTypes []option
	Channels   []option
}

// rankings is the complaint rankings (投诉榜): platforms by complaints filed in a period, with
// the same filters as GET /api/v1/rankings, read through its rendered cache.
func (s *site) rankings(c *gin.Context) {
	q := service.RankingQuery{Period: c.Query("period"), Sector: c.Query("sector"), Tag: c.Query("tag"),
		IssueType: c.Query("issue_type"), Channel: c.Query("channel")}
	r, err := s.svc.Rankings.Rendered(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	month := models.PeriodContaining(s.now(), models.PeriodMonth).String()
	key := "rankings|" + r.ETag + "|" + q.Period + "|" + q.Sector + "|" + q.Tag + "|" + q.IssueType + "|" + q.Channel + "|" + month
	if q.Tag != "" && !slices.Contains(rankingTags, q.Tag) {
		key = "" // a tag the visitor typed, not one the page offers: built each time, not kept
	}
	s.cached(c, key, maxAgeOf(r.Frozen), htmlType, func() ([]byte, error) {
		var l service.RankingList
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return nil, err
		}
		v := rankingsView{List: &l, Periods: s.periodOptions(l.Period), Sectors: sectorOptions(deref(l.Sector)),
			Tags: tagOptions(deref(l.Tag)), IssueTypes: issueTypeOptions(deref(l.IssueType)), Channels: anyChannelOptions(deref(l.Channel))}
		return renderPage("rankings", &Page{Title: "投诉榜 · " + periodLabel(l.Period), Nav: NavRankings, Data: v})
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func tagOptions(selected string) []option {
	out := []option{{Value: "", Label: "全部细分赛道", Selected: selected == ""}}
	for _, t := range rankingTags {
		out = append(out, option{Value: t, Label: t, Selected: t == selected})
	}
	if selected != "" && !slices.Contains(rankingTags, selected) {
		out = append(out, option{Value: selected, Label: selected, Selected: true})
	}
	return out
}

func issueTypeOptions(selected string) []option {
	out := []option{{Value: "", Label: "全部问题类型", Selected: selected == ""}}
	keys := make([]string, 0, len(models.IssueTypeLabels))
	for k := range models.IssueTypeLabels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, option{Value: k, Label: models.IssueTypeLabels[k], Selected: k == selected})
	}
	return out
}

func anyChannelOptions(selected string) []option {
	return append([]option{{Value: "", Label: "全部渠道", Selected: selected == ""}}, channelOptions(selected)...)
}

// rankChange shows a line's move since the period before: ↑2, ↓1, 持平 or 新上榜.
func rankChange(it service.RankingItem) string {
	switch {
	case it.RankChange == nil:
		return "新上榜"
	case *it.RankChange > 0:
		return "↑" + strconv.Itoa(*it.RankChange)
	case *it.RankChange < 0:
		return "↓" + strconv.Itoa(-*it.RankChange)
	}
	return "持平"
}

// signed shows a count change with its sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
