package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// liveRatingTTL is how long a live list is served from the cache: a change shows within it.
const liveRatingTTL = 30 * time.Second

// Ratings computes the consumer rating lists (消费评级榜) by the published formula of models,
// serves live periods from a short cache and closed ones from frozen snapshots. Nothing writes
// a rating by hand (不受任何人工因素影响).
type Ratings struct {
	st          *store.Store
	clock       Clock
	log         *slog.Logger
	cache       kv.Store
	freezeDelay time.Duration
	hot         sync.Map // rendering key → *hotRendering
	hotCount    atomic.Int64
	flight      singleflight.Group
}

// RatingPlatform names a platform in a list.
type RatingPlatform struct {
	ID     string `json:"id"`
	Name   string `json:"name" example:"淘宝"`
	Slug   string `json:"slug" example:"taobao"`
	Sector string `json:"sector" example:"digital_retail" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
}

// RatingItem is one platform's line of a list.
type RatingItem struct {
	Rank           int            `json:"rank" example:"1"`
	Platform       RatingPlatform `json:"platform"`
	ComplaintCount int64          `json:"complaint_count" example:"1280"`
	RepliedCount   int64          `json:"replied_count" example:"1102"`
	RatedCount     int64          `json:"rated_count" example:"415"`
	ReplyRate      float64        `json:"reply_rate" example:"0.8609"`
	Timeliness     float64        `json:"timeliness" example:"0.7734"`
	Satisfaction   *float64       `json:"satisfaction" example:"6.82" extensions:"x-nullable"`
	Index          *float64       `json:"index" example:"0.8033" extensions:"x-nullable"`
	Grade          string         `json:"grade" example:"recommended" enums:"recommended,caution,not_recommended,unrated"`
	GradeLabel     string         `json:"grade_label" example:"建议下单"`
}

// RatingList is a whole list (API.md section 7).
type RatingList struct {
	Period         string       `json:"period" example:"2026-11"`
	PeriodType     string       `json:"period_type" example:"month" enums:"month,quarter,half,year"`
	Channel        string       `json:"channel" example:"consumer" enums:"consumer,refund_only"`
	Sector         *string      `json:"sector" example:"digital_retail" extensions:"x-nullable" enums:"digital_retail,digital_life,digital_health,digital_education,cross_border,industrial,logistics"`
	Frozen         bool         `json:"frozen"`
	FormulaVersion string       `json:"formula_version" example:"2024.2"`
	GeneratedAt    string       `json:"generated_at" format:"date-time"`
	Items          []RatingItem `json:"items"`
}

// RatingEntry is one platform's line of one period's list.
type RatingEntry struct {
	Period         string      `json:"period" example:"2026-11"`
	PeriodType     string      `json:"period_type" example:"month" enums:"month,quarter,half,year"`
	Channel        string      `json:"channel" example:"consumer" enums:"consumer,refund_only"`
	Frozen         bool        `json:"frozen"`
	FormulaVersion string      `json:"formula_version" example:"2024.2"`
	GeneratedAt    string      `json:"generated_at" format:"date-time"`
	Item           *RatingItem `json:"item" extensions:"x-nullable"`
}

// RatingHistory is a list of entries, newest period first.
type RatingHistory struct {
	Data []RatingEntry `json:"data"`
}

// RatingQuery selects a list; empty members take their defaults (the current month, the
// consumer channel, every sector).
type RatingQuery struct {
	Period, Sector, Channel string
}

func (rs *Ratings) parse(q RatingQuery) (models.Period, models.Channel, models.Sector, error) {
	var v models.Validator
	var p models.Period
	if q.Period == "" {
		p = models.PeriodContaining(rs.clock.Now(), models.PeriodMonth)
	} else {
		var err error
		if p, err = models.ParsePeriod(q.Period); err != nil {
			return p, "", "", err
		}
	}
	if p.Valid() && p.Start().After(rs.clock.Now()) {
		v.Add("period", "has not begun yet")
	}
	ch := models.ChannelConsumer
	if q.Channel != "" {
		ch = models.Channel(q.Channel)
		if !ch.Valid() {
			v.Add("channel", "must be consumer or refund_only")
		}
	}
	sec := models.Sector(q.Sector)
	if q.Sector != "" && !sec.Valid() {
		v.Add("sector", "must be one of digital_retail, digital_life, digital_health, digital_education, cross_border, industrial, logistics")
	}
	return p, ch, sec, v.Err()
}

// List is the rating list of a period, channel and (optionally) sector.
func (rs *Ratings) List(ctx context.Context, q RatingQuery) (*RatingList, error) {
	p, ch, sec, err := rs.parse(q)
	if err != nil {
		return nil, err
	}
	return rs.list(ctx, p, ch, sec)
}

func (rs *Ratings) list(ctx context.Context, p models.Period, ch models.Channel, sec models.Sector) (*RatingList, error) {
	now := rs.clock.Now().UTC()
	if !now.Before(p.End().Add(rs.freezeDelay)) {
		return rs.frozen(ctx, p, ch, sec)
	}
	// One cached computation per period and channel serves every sector: a sector's list is
	// the whole list filtered, ranked again.
	key := "rating:" + models.RatingFormulaVersion + ":" + p.String() + ":" + string(ch)
	var all *RatingList
	if raw, err := rs.cache.Get(ctx, key); err == nil {
		var l RatingList
		if json.Unmarshal(raw, &l) == nil {
			all = &l
		}
	} else if !errors.Is(err, kv.ErrMiss) {
		rs.log.WarnContext(ctx, "rating cache unavailable", "error", err)
	}
	if all == nil {
		// Concurrent requests for the same list share one computation.
		v, err, _ := rs.flight.Do(key, func() (any, error) {
			items, err := rs.compute(ctx, p, ch, now)
			if err != nil {
				return nil, err
			}
			l := newList(p, ch, "", false, now, items)
			// The entry expires liveRatingTTL after the moment the list describes.
			if ttl := liveRatingTTL - rs.clock.Now().Sub(now); ttl >= time.Second {
				if raw, err := json.Marshal(l); err == nil {
					_ = rs.cache.Set(ctx, key, raw, ttl)
				}
			}
			return l, nil
		})
		if err != nil {
			return nil, err
		}
		all = v.(*RatingList)
	}
	if sec == "" {
		return all, nil
	}
	gen, _ := time.Parse(time.RFC3339, all.GeneratedAt)
	return newList(p, ch, sec, false, gen, inSector(all.Items, sec)), nil
}

// inSector keeps a sector's items, ranked among themselves.
func inSector(all []RatingItem, sec models.Sector) []RatingItem {
	items := []RatingItem{}
	for _, it := range all {
		if sec == "" || it.Platform.Sector == string(sec) {
			items = append(items, it)
		}
	}
	rank(items)
	return items
}

func newList(p models.Period, ch models.Channel, sec models.Sector, frozen bool, at time.Time, items []RatingItem) *RatingList {
	l := &RatingList{Period: p.String(), PeriodType: string(p.Type), Channel: string(ch), Frozen: frozen,
		FormulaVersion: models.RatingFormulaVersion, GeneratedAt: Ts(at), Items: items}
	if sec != "" {
		s := string(sec)
		l.Sector = &s
	}
	return l
}

// frozen serves a closed period from its snapshot, freezing it first if nobody has yet.
func (rs *Ratings) frozen(ctx context.Context, p models.Period, ch models.Channel, sec models.Sector) (*RatingList, error) {
	snap, err := rs.st.RatingSnapshotOf(ctx, p.String(), string(ch))
	if errors.Is(err, models.ErrNotFound) {
		snap, err = rs.freeze(ctx, p, ch)
	}
	if err != nil {
		return nil, err
	}
	if snap == nil {
		// Nothing was delivered in the period, and nothing can be any more: an empty list,
		// answered without storing a snapshot, so that asking for old periods writes nothing.
		return newList(p, ch, sec, true, p.End().Add(rs.freezeDelay), []RatingItem{}), nil
	}
	var all []RatingItem
	if err := json.Unmarshal(snap.Items, &all); err != nil {
		return nil, err
	}
	l := newList(p, ch, sec, true, snap.GeneratedAt, inSector(all, sec))
	l.FormulaVersion = snap.FormulaVersion
	return l, nil
}

// freeze computes a closed period's whole list and stores it; the first instance to do so wins.
// A period without complaints is not stored: it returns nil.
func (rs *Ratings) freeze(ctx context.Context, p models.Period, ch models.Channel) (*models.RatingSnapshot, error) {
	items, err := rs.compute(ctx, p, ch, time.Time{})
	if err != nil || len(items) == 0 {
		return nil, err
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	snap, err := rs.st.FreezeRating(ctx, &models.RatingSnapshot{Period: p.String(), Channel: string(ch),
		FormulaVersion: models.RatingFormulaVersion, GeneratedAt: now(rs.clock), Items: raw})
	if err == nil {
		rs.log.InfoContext(ctx, "rating list frozen", "period", p.String(), "channel", ch, "platforms", len(items))
	}
	return snap, err
}

// replyWindow is how long a delivered complaint may wait for its reply before a live list
// counts it (API.md 7.1, formula 2024.2).
const replyWindow = 120 * time.Hour

// compute runs the aggregate query and applies the formula. A live list (live non-zero, the
// moment it describes) leaves out the complaints still within their reply window and not yet
// replied; a frozen one, computed long after the period, has none such.
func (rs *Ratings) compute(ctx context.Context, p models.Period, ch models.Channel, live time.Time) ([]RatingItem, error) {
	var pendingAfter time.Time
	if !live.IsZero() {
		pendingAfter = live.Add(-replyWindow)
	}
	rows, err := rs.st.RatingCounts(ctx, ch, p.Start(), p.End(), pendingAfter)
	if err != nil {
		return nil, err
	}
	accepted, err := rs.st.AcceptedCounts(ctx, ch, p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	byPlatform := make(map[string]store.RatingRow, len(rows))
	ids := make([]string, 0, len(rows)+len(accepted))
	for _, r := range rows {
		byPlatform[r.PlatformID] = r
		ids = append(ids, r.PlatformID)
	}
	for id := range accepted {
		if _, ok := byPlatform[id]; !ok {
			ids = append(ids, id)
		}
	}
	platforms, err := rs.st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	items := make([]RatingItem, 0, len(ids))
	for i := range platforms {
		pl := &platforms[i]
		r, delivered := byPlatform[pl.ID]
		count := r.ComplaintCount
		if !pl.Rateable() {
			// An unrated platform's line counts its complaints accepted in the period, waiting
			// ones included (API.md 7.7); its ratios stay those of its delivered ones.
			count = accepted[pl.ID]
		}
		if count == 0 || (!delivered && pl.Rateable()) {
			continue
		}
		res := models.ComputeRating(models.RatingCounts{ComplaintCount: r.ComplaintCount, RepliedCount: r.RepliedCount,
			RatedCount: r.RatedCount, TimelinessSum: r.TimelinessSum, ScoreSum: r.ScoreSum}, pl.Rateable())
		items = append(items, RatingItem{
			Platform:       RatingPlatform{ID: pl.ID, Name: pl.Name, Slug: pl.Slug, Sector: string(pl.Sector)},
			ComplaintCount: count, RepliedCount: r.RepliedCount, RatedCount: r.RatedCount,
			ReplyRate: res.ReplyRate, Timeliness: res.Timeliness, Satisfaction: res.Satisfaction, Index: res.Index,
			Grade: res.Grade, GradeLabel: models.GradeLabels[res.Grade]})
	}
	rank(items)
	return items, nil
}

// rank orders by complaint count, then name (市场占有率 orders the list, it does not rate).
func rank(items []RatingItem) {
	slices.SortStableFunc(items, func(a, b RatingItem) int {
		return cmp.Or(cmp.Compare(b.ComplaintCount, a.ComplaintCount), cmp.Compare(a.Platform.Name, b.Platform.Name),
			cmp.Compare(a.Platform.ID, b.Platform.ID))
	})
	for i := range items {
		items[i].Rank = i + 1
	}
}

func entryOf(l *RatingList, platformID string) RatingEntry {
	e := RatingEntry{Period: l.Period, PeriodType: l.PeriodType, Channel: l.Channel, Frozen: l.Frozen,
		FormulaVersion: l.FormulaVersion, GeneratedAt: l.GeneratedAt}
	for i := range l.Items {
		if l.Items[i].Platform.ID == platformID {
			it := l.Items[i]
			e.Item = &it
		}
	}
	return e
}

// History is a platform's entries for the last 12 periods of a type, newest first.
func (rs *Ratings) History(ctx context.Context, platformID, periodType, channel string) (*RatingHistory, error) {
	if len(platformID) > 64 {
		return nil, models.NotFound("platform")
	}
	if _, err := rs.st.PlatformByID(ctx, platformID); err != nil {
		return nil, err
	}
	typ := models.PeriodMonth
	if periodType != "" {
		var err error
		if typ, err = models.ParsePeriodType(periodType); err != nil {
			return nil, err
		}
	}
	_, ch, _, err := rs.parse(RatingQuery{Channel: channel})
	if err != nil {
		return nil, err
	}
	out := &RatingHistory{Data: []RatingEntry{}}
	for _, p := range models.LastPeriods(rs.clock.Now(), typ, 12) {
		l, err := rs.list(ctx, p, ch, "")
		if err != nil {
			return nil, err
		}
		out.Data = append(out.Data, entryOf(l, platformID))
	}
	return out, nil
}

// Own is the calling platform's entry for one period.
func (rs *Ratings) Own(ctx context.Context, p *models.Principal, q RatingQuery) (*RatingEntry, error) {
	q.Sector = ""
	period, ch, _, err := rs.parse(q)
	if err != nil {
		return nil, err
	}
	l, err := rs.list(ctx, period, ch, "")
	if err != nil {
		return nil, err
	}
	e := entryOf(l, p.PlatformID)
	return &e, nil
}

// FreezeDue freezes the recently closed periods whose freeze delay has passed, for both
// channels. Older periods freeze when first asked for.
func (rs *Ratings) FreezeDue(ctx context.Context) (int, error) {
	now := rs.clock.Now().UTC()
	n := 0
	for _, typ := range models.PeriodTypes {
		for _, p := range models.LastPeriods(now, typ, 3) {
			if now.Before(p.End().Add(rs.freezeDelay)) {
				continue
			}
			for _, ch := range []models.Channel{models.ChannelConsumer, models.ChannelRefundOnly} {
				if _, err := rs.st.RatingSnapshotOf(ctx, p.String(), string(ch)); err == nil {
					continue
				} else if !errors.Is(err, models.ErrNotFound) {
					return n, err
				}
				snap, err := rs.freeze(ctx, p, ch)
				if err != nil {
					return n, err
				}
				if snap != nil {
					n++
				}
			}
		}
	}
	return n, nil
}
