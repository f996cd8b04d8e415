package service

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Rankings computes the complaint rankings (投诉榜): platforms ordered by the complaints filed
// against them in a period. Periods, time zone, caching and freezing are the rating lists':
// a period stays live (computed again at most every liveRatingTTL) until the freeze delay after
// its end, then one snapshot of it is served for ever after.
type Rankings struct {
	st          *store.Store
	clock       Clock
	log         *slog.Logger
	cache       kv.Store
	freezeDelay time.Duration
	flight      singleflight.Group
}

// RankingPlatform names a platform in a ranking, as it was when the ranking was computed.
type RankingPlatform struct {
	ID     string   `json:"id"`
	Name   string   `json:"name" example:"淘宝"`
	Slug   string   `json:"slug" example:"taobao"`
	Sector string   `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tags   []string `json:"tags" example:"二手电商"`
}

// RankingIssue is one issue type's complaints of a platform in a ranking.
type RankingIssue struct {
	IssueType string `json:"issue_type" example:"refund" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Label     string `json:"label" example:"退款问题"`
	Count     int64  `json:"count" example:"412"`
}

// RankingItem is one platform's line of a ranking.
type RankingItem struct {
	Rank           int             `json:"rank" example:"1"`
	Platform       RankingPlatform `json:"platform"`
	ComplaintCount int64           `json:"complaint_count" example:"1280"`
	// complaint_count ÷ the complaint_count of every platform of the same sector in this list
	// (filters applied), rounded to 4 decimals, half away from zero
	Share         float64        `json:"share" example:"0.2315"`
	TopIssueTypes []RankingIssue `json:"top_issue_types"`
	PreviousRank  *int           `json:"previous_rank" example:"3" extensions:"x-nullable"`
	RankChange    *int           `json:"rank_change" example:"2" extensions:"x-nullable"`
	PreviousCount int64          `json:"previous_count" example:"1104"`
	CountChange   int64          `json:"count_change" example:"176"`
}

// RankingList is a whole ranking.
type RankingList struct {
	Period         string  `json:"period" example:"2026-11"`
	PeriodType     string  `json:"period_type" example:"month" enums:"month,quarter,half,year"`
	PeriodStart    string  `json:"period_start" format:"date-time" example:"2026-10-31T16:00:00Z"`
	PeriodEnd      string  `json:"period_end" format:"date-time" example:"2026-11-30T16:00:00Z"`
	PreviousPeriod string  `json:"previous_period" example:"2026-10"`
	Sector         *string `json:"sector" example:"digital_retail" extensions:"x-nullable" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Tag            *string `json:"tag" example:"二手电商" extensions:"x-nullable"`
	IssueType      *string `json:"issue_type" example:"refund" extensions:"x-nullable" enums:"refund,quality,false_advertising,unfair_terms,delivery,after_sales,privacy,fraud,other"`
	Channel        *string `json:"channel" example:"consumer" extensions:"x-nullable" enums:"consumer,refund_only"`
	Frozen         bool    `json:"frozen"`
	ComputedAt     string  `json:"computed_at" format:"date-time"`
	// the complaints of every platform in the list
	Total int64         `json:"total" example:"5230"`
	Items []RankingItem `json:"items"`
}

// RankingQuery selects a ranking; empty members take their defaults (the current month, every
// sector, tag, issue type and channel).
type RankingQuery struct {
	Period, Sector, Tag, IssueType, Channel string
}

// rankingFilter is a parsed RankingQuery's filters; "" keeps everything.
type rankingFilter struct {
	sector    models.Sector
	tag       string
	issueType string
	channel   models.Channel
}

// maxTagLen bounds a tag filter, as long as any stored tag can usefully be.
const maxTagLen = 64

func (rk *Rankings) parse(q RankingQuery) (models.Period, rankingFilter, error) {
	var v models.Validator
	var p models.Period
	if q.Period == "" {
		p = models.PeriodContaining(rk.clock.Now(), models.PeriodMonth)
	} else {
		var err error
		if p, err = models.ParsePeriod(q.Period); err != nil {
			return p, rankingFilter{}, err
		}
	}
	if p.Start().After(rk.clock.Now()) {
		v.Add("period", "has not begun yet")
	}
	f := rankingFilter{sector: models.Sector(q.Sector), tag: strings.TrimSpace(q.Tag), issueType: q.IssueType, channel: models.Channel(q.Channel)}
	if f.sector != "" && !f.sector.Valid() {
		v.Add("sector", "must be one of digital_retail, digital_life, digital_health, digital_education, cross_border, industrial, logistics")
	}
	if utf8.RuneCountInString(f.tag) > maxTagLen || !utf8.ValidString(f.tag) {
		v.Add("tag", "must be a tag of at most 64 characters")
	}
	if _, ok := models.IssueTypeLabels[f.issueType]; f.issueType != "" && !ok {
		v.Add("issue_type", "must be one of refund, quality, false_advertising, unfair_terms, delivery, after_sales, privacy, fraud, other")
	}
	if f.channel != "" && !f.channel.Valid() {
		v.Add("channel", "must be consumer or refund_only")
	}
	return p, f, v.Err()
}

// List is the ranking of a period with its filters, each line compared with the same
// filters' ranking of the period before.
func (rk *Rankings) List(ctx context.Context, q RankingQuery) (*RankingList, error) {
	p, f, err := rk.parse(q)
	if err != nil {
		return nil, err
	}
	l, _, err := rk.list(ctx, p, f)
	return l, err
}

// list also returns the oldest moment any live counts it used describe (zero when both
// periods are frozen), which bounds how long the list may be cached.
func (rk *Rankings) list(ctx context.Context, p models.Period, f rankingFilter) (*RankingList, time.Time, error) {
	// The period and the one before are counted at the same time: two queries, one wait.
	type result struct {
		pc  *periodCounts
		err error
	}
	prevc := make(chan result, 1)
	go func() {
		pc, err := rk.counts(ctx, p.Prev())
		prevc <- result{pc, err}
	}()
	cur, err := rk.counts(ctx, p)
	prev := <-prevc
	if err == nil {
		err = prev.err
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	var oldest time.Time
	for _, pc := range []*periodCounts{cur, prev.pc} {
		if !pc.Frozen && (oldest.IsZero() || pc.ComputedAt.Before(oldest)) {
			oldest = pc.ComputedAt
		}
	}
	items := rankCounts(cur, f)
	before := make(map[string]RankingItem)
	for _, it := range rankCounts(prev.pc, f) {
		before[it.Platform.ID] = it
	}
	l := &RankingList{Period: p.String(), PeriodType: string(p.Type), PeriodStart: Ts(p.Start()), PeriodEnd: Ts(p.End()),
		PreviousPeriod: p.Prev().String(), Frozen: cur.Frozen, ComputedAt: Ts(cur.ComputedAt), Items: items,
		Sector: optional(string(f.sector)), Tag: optional(f.tag), IssueType: optional(f.issueType), Channel: optional(string(f.channel))}
	for i := range items {
		it := &items[i]
		l.Total += it.ComplaintCount
		it.CountChange = it.ComplaintCount
		if b, ok := before[it.Platform.ID]; ok {
			rank, change := b.Rank, b.Rank-it.Rank
			it.PreviousRank, it.RankChange = &rank, &change
			it.PreviousCount, it.CountChange = b.ComplaintCount, it.ComplaintCount-b.ComplaintCount
		}
	}
	return l, oldest, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// rankCounts cuts a filtered ranking from a period's counts: each platform's complaints that
// pass the filters, ordered by count (most first), then name, then id, so that ties rank the
// same way every time; ranks are 1, 2, 3 … without gaps or shared places.
func rankCounts(pc *periodCounts, f rankingFilter) []RankingItem {
	type acc struct {
		n      int64
		issues map[string]int64
	}
	by := map[string]*acc{}
	for _, c := range pc.Counts {
		if (f.channel != "" && c.Channel != string(f.channel)) || (f.issueType != "" && c.IssueType != f.issueType) {
			continue
		}
		pl, ok := pc.Platforms[c.PlatformID]
		if !ok || (f.sector != "" && pl.Sector != string(f.sector)) || (f.tag != "" && !slices.Contains(pl.Tags, f.tag)) {
			continue
		}
		a := by[c.PlatformID]
		if a == nil {
			a = &acc{issues: map[string]int64{}}
			by[c.PlatformID] = a
		}
		a.n += c.N
		if c.IssueType != "" {
			a.issues[c.IssueType] += c.N
		}
	}
	items := make([]RankingItem, 0, len(by))
	sectorTotal := map[string]int64{}
	for id, a := range by {
		pl := pc.Platforms[id]
		sectorTotal[pl.Sector] += a.n
		items = append(items, RankingItem{Platform: pl, ComplaintCount: a.n, TopIssueTypes: topRankingIssues(a.issues, 3)})
	}
	slices.SortFunc(items, func(a, b RankingItem) int {
		return cmp.Or(cmp.Compare(b.ComplaintCount, a.ComplaintCount), cmp.Compare(a.Platform.Name, b.Platform.Name),
			cmp.Compare(a.Platform.ID, b.Platform.ID))
	})
	for i := range items {
		items[i].Rank = i + 1
		items[i].Share = models.RankingShare(items[i].ComplaintCount, sectorTotal[items[i].Platform.Sector])
	}
	return items
}

// topRankingIssues is the n issue types with the most complaints, ties by code.
func topRankingIssues(issues map[string]int64, n int) []RankingIssue {
	out := make([]RankingIssue, 0, len(issues))
	for code, c := range issues {
		out = append(out, RankingIssue{IssueType: code, Label: models.IssueTypeLabels[code], Count: c})
	}
	return topByCount(out, func(l *RankingIssue) (int64, string) { return l.Count, l.IssueType }, n)
}
