package web

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// tableData is what the rating table renders: a list and the items of it to show.
type tableData struct {
	List  *service.RatingList
	Items []service.RatingItem
}

// funcs are the templates' formatting helpers.
var funcs = template.FuncMap{
	"pct":         pct,
	"signedPct":   signedPct,
	"signedScore": signedScore,
	"idx":         indexText,
	"deref":       func(s *string) string { return *s },
	"table": func(l *service.RatingList, items []service.RatingItem) tableData {
		return tableData{List: l, Items: items}
	},
	"score":           scoreText,
	"sectorLabel":     sectorLabel,
	"gradeClass":      gradeClass,
	"periodLabel":     periodLabel,
	"dateTime":        dateTime,
	"rankChange":      rankChange,
	"signed":          signed,
	"isCurrent":       func(p *Page, key string) bool { return p.Nav == key },
	"statusLabel":     func(s string) string { return models.Status(s).Label() },
	"deref2":          func(t *[]service.TimelineView) []service.TimelineView { return *t },
	"scores":          func() []int { return []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1} },
	"consoleSections": func() []ConsoleSection { return ConsoleSections },
	"deref3":          func(s *[]string) []string { return *s },
	"channelLabel":    channelLabel,
	"flagLabel":       func(f string) string { return label(flagLabels, f) },
	"actorLabel":      func(a string) string { return label(actorLabels, a) },
	"hitField":        hitField,
}

// pct shows a ratio as a percentage with two decimals.
func pct(r float64) string { return strconv.FormatFloat(r*100, 'f', 2, 64) + "%" }

// signedPct is a change of a ratio, in percentage points with its sign.
func signedPct(r float64) string {
	if r > 0 {
		return "+" + pct(r)
	}
	return pct(r)
}

// signedScore is a change of a satisfaction score with its sign.
func signedScore(s *float64) string {
	if s != nil && *s > 0 {
		return "+" + scoreText(s)
	}
	return scoreText(s)
}

// indexText shows a composite index to 4 decimals, or a dash for an unrated platform.
func indexText(i *float64) string {
	if i == nil {
		return "—"
	}
	return strconv.FormatFloat(*i, 'f', 4, 64)
}

// scoreText shows a satisfaction score (out of 10), or a dash when nobody rated.
func scoreText(s *float64) string {
	if s == nil {
		return "—"
	}
	return strconv.FormatFloat(*s, 'f', 2, 64)
}

func sectorLabel(s string) string {
	if l, ok := models.SectorLabels[models.Sector(s)]; ok {
		return l
	}
	return s
}

// gradeClass is the CSS class of a grade; the label is always shown beside the colour.
func gradeClass(g string) string {
	switch g {
	case models.GradeRecommended, models.GradeCaution, models.GradeNotRecommended:
		return "grade grade-" + g
	}
	return "grade grade-unrated"
}

// periodLabel names a period in Chinese: 2026年11月, 2026年第4季度, 2026年下半年, 2026年度.
func periodLabel(s string) string {
	p, err := models.ParsePeriod(s)
	if err != nil {
		return s
	}
	switch p.Type {
	case models.PeriodMonth:
		return fmt.Sprintf("%d年%d月", p.Year, p.N)
	case models.PeriodQuarter:
		return fmt.Sprintf("%d年第%d季度", p.Year, p.N)
	case models.PeriodHalf:
		if p.N == 1 {
			return fmt.Sprintf("%d年上半年", p.Year)
		}
		return fmt.Sprintf("%d年下半年", p.Year)
	}
	return fmt.Sprintf("%d年度", p.Year)
}

// dateTime shows an RFC 3339 instant in China time.
func dateTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(models.ChinaTime).Format("2006-01-02 15:04")
}

// label is v's Chinese name in labels, or v itself for one not named yet.
func label(labels map[string]string, v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}
