package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// The computation of the periodic reports (月报/季报/半年报/年报): aggregate queries over the
// complaints and the period's rating list, by the published formula. Serving, caching and
// freezing are in reports_serve.go.

// periodFigures are the raw aggregates of one period and channel.
type periodFigures struct {
	filings []store.FilingRow
	rows    []store.RatingRow
}

func (rs *Reports) figures(ctx context.Context, p models.Period, ch models.Channel, live time.Time) (*periodFigures, error) {
	filings, err := rs.st.FilingCounts(ctx, ch, p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	var pendingAfter time.Time
	if !live.IsZero() {
		pendingAfter = live.Add(-replyWindow)
	}
	rows, err := rs.st.RatingCounts(ctx, ch, p.Start(), p.End(), pendingAfter)
	if err != nil {
		return nil, err
	}
	return &periodFigures{filings: filings, rows: rows}, nil
}

// sumCounts adds rating rows up into one population's counts.
func sumCounts(rows []store.RatingRow) models.RatingCounts {
	var c models.RatingCounts
	for _, r := range rows {
		c.ComplaintCount += r.ComplaintCount
		c.RepliedCount += r.RepliedCount
		c.RatedCount += r.RatedCount
		c.TimelinessSum += r.TimelinessSum
		c.ScoreSum += r.ScoreSum
	}
	return c
}

// summary is a period's headline figures.
func (f *periodFigures) summary(p models.Period) models.ReportSummary {
	s := models.ReportSummary{Period: p.String(), PeriodLabel: models.PeriodLabel(p)}
	for _, r := range f.filings {
		s.Received += r.N
		if r.Accepted {
			s.Accepted += r.N
		}
	}
	c := sumCounts(f.rows)
	res := models.ComputeRating(c, false)
	s.Delivered, s.Replied = c.ComplaintCount, c.RepliedCount
	s.ReplyRate, s.Timeliness, s.Satisfaction = res.ReplyRate, res.Timeliness, res.Satisfaction
	return s
}

// compute builds a period's report. live is the moment a live report describes; zero for the
// frozen one, computed after every reply window of the period.
func (rs *Reports) compute(ctx context.Context, p models.Period, kind models.ReportKind, live time.Time) (*models.Report, error) {
	ch := kind.Channel()
	f, err := rs.figures(ctx, p, ch, live)
	if err != nil {
		return nil, err
	}
	list, err := rs.ratings.list(ctx, p, ch, "")
	if err != nil {
		return nil, err
	}
	r := &models.Report{Period: p.String(), PeriodType: string(p.Type), Kind: string(kind), Channel: string(ch),
		Title: models.ReportTitle(p, kind), PeriodLabel: models.PeriodLabel(p), Version: models.ReportVersion,
		FormulaVersion: list.FormulaVersion, GeneratedAt: Ts(now(rs.clock))}
	cur := f.summary(p)
	r.Received, r.Accepted, r.Delivered, r.Replied = cur.Received, cur.Accepted, cur.Delivered, cur.Replied
	r.ReplyRate, r.Timeliness, r.Satisfaction = cur.ReplyRate, cur.Timeliness, cur.Satisfaction
	r.Rated = sumCounts(f.rows).RatedCount
	rs.filingParts(r, f.filings)
	if err := rs.sectorParts(ctx, r, f.rows, list.Items); err != nil {
		return nil, err
	}
	listParts(r, list.Items)

	r.Trend = make([]models.ReportSummary, models.ReportTrendLength)
	r.Trend[len(r.Trend)-1] = cur
	q := p
	for i := len(r.Trend) - 2; i >= 0; i-- {
		q = q.Prev()
		if r.Trend[i], err = rs.summaryOf(ctx, q, kind); err != nil {
			return nil, err
		}
	}
	r.Previous = r.Trend[len(r.Trend)-2]
	r.Change = models.ChangeBetween(cur, r.Previous)
	if err := rs.links(ctx, r, p, ch); err != nil {
		return nil, err
	}
	return r, nil
}

// summaryOf is an earlier period's summary: the one its frozen report holds, or computed now.
func (rs *Reports) summaryOf(ctx context.Context, p models.Period, kind models.ReportKind) (models.ReportSummary, error) {
	now := rs.clock.Now().UTC()
	live := now
	if !now.Before(p.End().Add(rs.freezeDelay)) {
		live = time.Time{}
		snap, err := rs.st.ReportSnapshotOf(ctx, p.String(), string(kind))
		if err == nil {
			var stored models.Report
			if err := json.Unmarshal(snap.Body, &stored); err != nil {
				return models.ReportSummary{}, err
			}
			return stored.Trend[len(stored.Trend)-1], nil
		} else if !errors.Is(err, models.ErrNotFound) {
			return models.ReportSummary{}, err
		}
	}
	f, err := rs.figures(ctx, p, kind.Channel(), live)
	if err != nil {
		return models.ReportSummary{}, err
	}
	return f.summary(p), nil
}

// sortCounts orders counts largest first, then by code, and drops the empty ones.
func sortCounts(m map[string]int64, label func(string) string) []models.ReportCount {
	out := make([]models.ReportCount, 0, len(m))
	for code, n := range m {
		if n > 0 {
			out = append(out, models.ReportCount{Code: code, Label: label(code), Count: n})
		}
	}
	slices.SortFunc(out, func(a, b models.ReportCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	return out
}

func labelFrom(labels map[string]string) func(string) string {
	return func(code string) string {
		if l, ok := labels[code]; ok {
			return l
		}
		return code
	}
}

// filingParts counts the period's filings: rejected by reason, accepted by issue type and by
// demand (a complaint with several demands counts once for each).
func (rs *Reports) filingParts(r *models.Report, filings []store.FilingRow) {
	reasons, issues, demands := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, f := range filings {
		if f.Status == models.StatusRejected {
			r.Rejected += f.N
			reason := string(models.RejectOther)
			if f.RejectionReason != nil {
				reason = *f.RejectionReason
			}
			reasons[reason] += f.N
		}
		if !f.Accepted {
			continue
		}
		if f.IssueType != nil {
			issues[*f.IssueType] += f.N
		}
		if f.Demands != nil {
			var ds []string
			if err := json.Unmarshal([]byte(*f.Demands), &ds); err != nil {
				rs.log.Warn("report: a complaint's demands do not parse", "demands", *f.Demands)
				continue
			}
			for _, d := range slices.Compact(slices.Sorted(slices.Values(ds))) {
				demands[d] += f.N
			}
		}
	}
	r.RejectedByReason = sortCounts(reasons, func(code string) string {
		if l, ok := models.RejectionReasonLabels[models.RejectionReason(code)]; ok {
			return l
		}
		return code
	})
	r.ByIssueType = sortCounts(issues, labelFrom(models.IssueTypeLabels))
	r.ByDemand = sortCounts(demands, labelFrom(models.DemandLabels))
}

// gradeCounts counts items per grade, every grade present.
func gradeCounts(items []RatingItem, keep func(*RatingItem) bool) []models.ReportCount {
	out := make([]models.ReportCount, len(models.Grades))
	for i, g := range models.Grades {
		out[i] = models.ReportCount{Code: g, Label: models.GradeLabels[g]}
		for j := range items {
			if items[j].Grade == g && keep(&items[j]) {
				out[i].Count++
			}
		}
	}
	return out
}

// sectorParts splits the rating population by the sector of each complaint's platform.
func (rs *Reports) sectorParts(ctx context.Context, r *models.Report, rows []store.RatingRow, items []RatingItem) error {
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].PlatformID
	}
	platforms, err := rs.st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	sectorOf := make(map[string]models.Sector, len(platforms))
	for i := range platforms {
		sectorOf[platforms[i].ID] = platforms[i].Sector
	}
	bySector := map[models.Sector][]store.RatingRow{}
	for _, row := range rows {
		s := sectorOf[row.PlatformID]
		bySector[s] = append(bySector[s], row)
	}
	r.BySector = make([]models.ReportSector, len(models.Sectors))
	for i, s := range models.Sectors {
		c := sumCounts(bySector[s])
		res := models.ComputeRating(c, false)
		r.BySector[i] = models.ReportSector{Sector: string(s), Label: models.SectorLabels[s],
			Delivered: c.ComplaintCount, Replied: c.RepliedCount, Rated: c.RatedCount,
			ReplyRate: res.ReplyRate, Timeliness: res.Timeliness, Satisfaction: res.Satisfaction,
			Grades: gradeCounts(items, func(it *RatingItem) bool { return it.Platform.Sector == string(s) })}
	}
	return nil
}

// listParts takes the top platforms, the reply-rate distribution and the grades from the
// period's rating list.
func listParts(r *models.Report, items []RatingItem) {
	r.TopPlatforms = []models.ReportPlatform{}
	for i := range items[:min(len(items), models.ReportTopPlatforms)] {
		it := &items[i]
		r.TopPlatforms = append(r.TopPlatforms, models.ReportPlatform{Rank: it.Rank, ID: it.Platform.ID, Name: it.Platform.Name,
			Sector: it.Platform.Sector, SectorLabel: models.SectorLabels[models.Sector(it.Platform.Sector)],
			ComplaintCount: it.ComplaintCount, ReplyRate: it.ReplyRate, Index: it.Index, Grade: it.Grade, GradeLabel: it.GradeLabel})
	}
	r.ReplyRateDistribution = make([]models.ReportBin, 10)
	for i := range r.ReplyRateDistribution {
		r.ReplyRateDistribution[i] = models.ReportBin{From: float64(i) / 10, To: float64(i+1) / 10}
	}
	for i := range items {
		// The rate has 4 decimals: its bin is read from the whole number of ten-thousandths.
		bin := min(int(models.RoundTo(items[i].ReplyRate*10000, 0))/1000, 9)
		r.ReplyRateDistribution[bin].Count++
	}
	r.Grades = gradeCounts(items, func(*RatingItem) bool { return true })
}
