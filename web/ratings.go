package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// A live list may change within 30 s (the API's own max-age); a frozen one never does.
const (
	liveMaxAge   = 30 * time.Second
	frozenMaxAge = 24 * time.Hour
)

// option is one choice of a picker.
type option struct {
	Value, Label string
	Selected     bool
}

// optGroup is a labelled group of a picker's choices.
type optGroup struct {
	Label   string
	Options []option
}

// ratingsView is the data of the rating-list page.
type ratingsView struct {
	List     *service.RatingList
	Periods  []optGroup
	Sectors  []option
	Channels []option
	CSVHref  string
}

// ratingList reads a list through the API's rendered cache: one cache read when it is hot.
func (s *site) ratingList(c *gin.Context, q service.RatingQuery) (*service.RenderedList, *service.RatingList, error) {
	r, err := s.svc.Ratings.Rendered(c.Request.Context(), q)
	if err != nil {
		return nil, nil, err
	}
	var l service.RatingList
	if err := json.Unmarshal(r.Body, &l); err != nil {
		return nil, nil, err
	}
	return r, &l, nil
}

func maxAgeOf(frozen bool) time.Duration {
	if frozen {
		return frozenMaxAge
	}
	return liveMaxAge
}

func ratingQuery(c *gin.Context) service.RatingQuery {
	return service.RatingQuery{Period: c.Query("period"), Sector: c.Query("sector"), Channel: c.Query("channel")}
}

// ratings is the full list with its pickers and the formula (数据生成标准).
func (s *site) ratings(c *gin.Context) {
	q := ratingQuery(c)
	// The rendering's key names the list's own ETag, so a changed list is a new page at once.
	r, err := s.svc.Ratings.Rendered(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	month := models.PeriodContaining(s.now(), models.PeriodMonth).String()
	key := "ratings|" + r.ETag + "|" + q.Period + "|" + q.Sector + "|" + q.Channel + "|" + month
	s.cached(c, key, maxAgeOf(r.Frozen), htmlType, func() ([]byte, error) {
		_, l, err := s.ratingList(c, q)
		if err != nil {
			return nil, err
		}
		sector := ""
		if l.Sector != nil {
			sector = *l.Sector
		}
		v := ratingsView{List: l, Periods: s.periodOptions(l.Period), Sectors: sectorOptions(sector),
			Channels: channelOptions(l.Channel), CSVHref: csvHref(l)}
		title := "消费评级榜 · " + periodLabel(l.Period)
		return renderPage("ratings", &Page{Title: title, Nav: NavRatings, Data: v})
	})
}

// periodOptions offers the recent periods of each type, and the selected one wherever it is.
func (s *site) periodOptions(selected string) []optGroup {
	now := s.now()
	groups := []struct {
		label string
		typ   models.PeriodType
		n     int
	}{{"月度", models.PeriodMonth, 12}, {"季度", models.PeriodQuarter, 8}, {"半年度", models.PeriodHalf, 4}, {"年度", models.PeriodYear, 3}}
	out := make([]optGroup, 0, len(groups)+1)
	found := false
	for _, g := range groups {
		og := optGroup{Label: g.label}
		for _, p := range models.LastPeriods(now, g.typ, g.n) {
			sel := p.String() == selected
			found = found || sel
			og.Options = append(og.Options, option{Value: p.String(), Label: periodLabel(p.String()), Selected: sel})
		}
		out = append(out, og)
	}
	if !found {
		out = append(out, optGroup{Label: "所选期间", Options: []option{{Value: selected, Label: periodLabel(selected), Selected: true}}})
	}
	return out
}

func sectorOptions(selected string) []option {
	out := []option{{Value: "", Label: "全部行业", Selected: selected == ""}}
	keys := make([]string, 0, len(models.SectorLabels))
	for s := range models.SectorLabels {
		keys = append(keys, string(s))
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, option{Value: k, Label: sectorLabel(k), Selected: k == selected})
	}
	return out
}

func channelOptions(selected string) []option {
	return []option{
		{Value: string(models.ChannelConsumer), Label: "消费者投诉", Selected: selected == string(models.ChannelConsumer)},
		{Value: string(models.ChannelRefundOnly), Label: "商家“仅退款”投诉", Selected: selected == string(models.ChannelRefundOnly)},
	}
}

func listQuery(l *service.RatingList) url.Values {
	v := url.Values{"period": {l.Period}}
	if l.Sector != nil {
		v.Set("sector", *l.Sector)
	}
	if l.Channel != string(models.ChannelConsumer) {
		v.Set("channel", l.Channel)
	}
	return v
}

func csvHref(l *service.RatingList) string { return "/ratings.csv?" + listQuery(l).Encode() }

// ratingsCSV is the list as a CSV file: UTF-8 with a byte-order mark so that Excel reads the
// Chinese, one line per platform, the figures as the page shows them.
func (s *site) ratingsCSV(c *gin.Context) {
	r, l, err := s.ratingList(c, ratingQuery(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	name := "rating-" + l.Period + "-" + l.Channel
	if l.Sector != nil {
		name += "-" + *l.Sector
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	s.cached(c, "ratings.csv|"+r.ETag+"|"+name, maxAgeOf(r.Frozen), "text/csv; charset=utf-8", func() ([]byte, error) {
		return ratingsCSVBytes(l)
	})
}

func ratingsCSVBytes(l *service.RatingList) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"期间", "排名", "平台", "行业", "投诉量", "已回复", "已评分", "回复率", "回复时效性", "用户满意度", "综合指数", "评级", "公式版本"})
	for _, it := range l.Items {
		_ = w.Write([]string{l.Period, strconv.Itoa(it.Rank), csvText(it.Platform.Name), sectorLabel(it.Platform.Sector),
			strconv.FormatInt(it.ComplaintCount, 10), strconv.FormatInt(it.RepliedCount, 10), strconv.FormatInt(it.RatedCount, 10),
			strconv.FormatFloat(it.ReplyRate, 'f', 4, 64), strconv.FormatFloat(it.Timeliness, 'f', 4, 64),
			scoreText(it.Satisfaction), indexText(it.Index), it.GradeLabel, l.FormulaVersion})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvText keeps a text cell from being read as a formula by a spreadsheet: a cell that begins
// with = + - @, a tab or a carriage return gets a leading apostrophe (OWASP's advice).
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
