package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/report"
	"github.com/dianshubao/dianshubao/store"
)

// Reports serves the periodic reports: live ones computed and kept in the cache for
// liveRatingTTL, like the rating lists; a closed period's report frozen with its rating list
// (RatingFreezeDelay after the period ends), computed once, stored, and served unchanged.
type Reports struct {
	st          *store.Store
	clock       Clock
	log         *slog.Logger
	cache       kv.Store
	ratings     *Ratings
	freezeDelay time.Duration
	flight      singleflight.Group
}

// RenderedReport is a report as the API sends it: JSON or PDF bytes and their ETag.
type RenderedReport struct {
	Body   []byte
	ETag   string
	Frozen bool
}

// reportPDFTTL bounds how long a frozen report's PDF stays in the cache; it is rendered again
// from the stored report when it has gone.
const reportPDFTTL = time.Hour

func (rs *Reports) parse(period, kind string) (models.Period, models.ReportKind, error) {
	k := models.ReportKind(kind)
	if !k.Valid() {
		return models.Period{}, "", models.NotFound("report")
	}
	p, err := models.ParsePeriod(period)
	if err != nil {
		return p, k, err
	}
	if p.Start().After(rs.clock.Now()) {
		return p, k, models.Invalid("period", "has not begun yet")
	}
	return p, k, nil
}

func (rs *Reports) frozenAt(p models.Period) time.Time { return p.End().Add(rs.freezeDelay) }

// Get is a report: kind consumer or merchant (else not found), period as the rating lists
// take it (else a validation error).
func (rs *Reports) Get(ctx context.Context, period, kind string) (*models.Report, error) {
	r, _, err := rs.rendered(ctx, period, kind)
	return r, err
}

// JSON is a report serialised, with its ETag.
func (rs *Reports) JSON(ctx context.Context, period, kind string) (*RenderedReport, error) {
	_, out, err := rs.rendered(ctx, period, kind)
	return out, err
}

// PDF is a report as a PDF document, rendered once per version of the report and shared
// through the cache.
func (rs *Reports) PDF(ctx context.Context, period, kind string) (*RenderedReport, error) {
	r, js, err := rs.rendered(ctx, period, kind)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte("pdf" + js.ETag))
	out := &RenderedReport{ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, Frozen: js.Frozen}
	key := "report-pdf:" + out.ETag
	if raw, err := rs.cache.Get(ctx, key); err == nil {
		out.Body = raw
		return out, nil
	} else if !errors.Is(err, kv.ErrMiss) {
		rs.log.WarnContext(ctx, "report cache unavailable", "error", err)
	}
	v, err, _ := rs.flight.Do(key, func() (any, error) {
		body, err := report.PDF(r)
		if err != nil {
			return nil, err
		}
		ttl := liveRatingTTL
		if js.Frozen {
			ttl = reportPDFTTL
		}
		if err := rs.cache.Set(ctx, key, body, ttl); err != nil {
			rs.log.WarnContext(ctx, "report cache unavailable", "error", err)
		}
		return body, nil
	})
	if err != nil {
		return nil, err
	}
	out.Body = v.([]byte)
	return out, nil
}

func rendering(body []byte, frozen bool) *RenderedReport {
	sum := sha256.Sum256(body)
	return &RenderedReport{Body: body, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, Frozen: frozen}
}

// rendered is the report and its JSON: a frozen one from its snapshot (freezing it first if
// nobody has), a live one from the cache or computed.
func (rs *Reports) rendered(ctx context.Context, period, kind string) (*models.Report, *RenderedReport, error) {
	p, k, err := rs.parse(period, kind)
	if err != nil {
		return nil, nil, err
	}
	now := rs.clock.Now().UTC()
	if !now.Before(rs.frozenAt(p)) {
		return rs.frozen(ctx, p, k)
	}
	key := "report:" + models.ReportVersion + ":" + p.String() + ":" + string(k)
	if raw, err := rs.cache.Get(ctx, key); err == nil {
		var r models.Report
		if json.Unmarshal(raw, &r) == nil {
			return rs.served(ctx, &r, p, raw, false)
		}
	} else if !errors.Is(err, kv.ErrMiss) {
		rs.log.WarnContext(ctx, "report cache unavailable", "error", err)
	}
	v, err, _ := rs.flight.Do(key, func() (any, error) {
		r, err := rs.compute(ctx, p, k, now)
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		// The entry expires liveRatingTTL after the moment the report describes.
		if ttl := liveRatingTTL - rs.clock.Now().Sub(now); ttl >= time.Second {
			if err := rs.cache.Set(ctx, key, raw, ttl); err != nil {
				rs.log.WarnContext(ctx, "report cache unavailable", "error", err)
			}
		}
		return raw, nil
	})
	if err != nil {
		return nil, nil, err
	}
	raw := v.([]byte)
	var r models.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, nil, err
	}
	return rs.served(ctx, &r, p, raw, false)
}

// served is a report as it is sent: its cases checked against the published ones (liveCases),
// its ETag that of the bytes sent.
func (rs *Reports) served(ctx context.Context, r *models.Report, p models.Period, raw []byte, frozen bool) (*models.Report, *RenderedReport, error) {
	raw, err := rs.liveCases(ctx, r, p, raw)
	if err != nil {
		return nil, nil, err
	}
	return r, rendering(raw, frozen), nil
}

// frozen serves a closed period's report from its snapshot, freezing it first if nobody has.
func (rs *Reports) frozen(ctx context.Context, p models.Period, k models.ReportKind) (*models.Report, *RenderedReport, error) {
	snap, err := rs.st.ReportSnapshotOf(ctx, p.String(), string(k))
	if errors.Is(err, models.ErrNotFound) {
		var r *models.Report
		if r, snap, err = rs.freeze(ctx, p, k); err == nil && snap == nil {
			// Nothing was filed or delivered in the period, and nothing can be any more: the
			// empty report is answered without being stored, so that old periods write nothing.
			raw, err := json.Marshal(r)
			if err != nil {
				return nil, nil, err
			}
			return r, rendering(raw, true), nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	var r models.Report
	if err := json.Unmarshal(snap.Body, &r); err != nil {
		return nil, nil, err
	}
	return rs.served(ctx, &r, p, snap.Body, true)
}

// freeze computes a closed period's report and stores it; the first instance to do so wins.
// An empty period's report is returned without a snapshot.
func (rs *Reports) freeze(ctx context.Context, p models.Period, k models.ReportKind) (*models.Report, *models.ReportSnapshot, error) {
	r, err := rs.compute(ctx, p, k, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	r.Frozen = true
	if r.Received == 0 && r.Delivered == 0 {
		r.GeneratedAt = Ts(rs.frozenAt(p))
		return r, nil, nil
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, nil, err
	}
	at, _ := time.Parse(time.RFC3339, r.GeneratedAt)
	snap, err := rs.st.FreezeReport(ctx, &models.ReportSnapshot{Period: p.String(), Kind: string(k),
		Version: models.ReportVersion, GeneratedAt: at, Body: raw})
	if err == nil {
		rs.log.InfoContext(ctx, "report frozen", "period", p.String(), "kind", k)
	}
	return r, snap, err
}

// FreezeDue freezes the reports of the recently closed periods whose freeze delay has passed,
// after their rating lists. Older periods freeze when first asked for.
func (rs *Reports) FreezeDue(ctx context.Context) (int, error) {
	now := rs.clock.Now().UTC()
	n := 0
	for _, typ := range models.PeriodTypes {
		for _, p := range models.LastPeriods(now, typ, 3) {
			if now.Before(rs.frozenAt(p)) {
				continue
			}
			for _, k := range models.ReportKinds {
				if _, err := rs.st.ReportSnapshotOf(ctx, p.String(), string(k)); err == nil {
					continue
				} else if !errors.Is(err, models.ErrNotFound) {
					return n, err
				}
				_, snap, err := rs.freeze(ctx, p, k)
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

// ReportPeriod is one period of the report list.
type ReportPeriod struct {
	Period models.Period
	Frozen bool
}

// earliestTTL is how long the first filing's time is remembered for the report list.
const earliestTTL = 10 * time.Minute

// List is the periods of a type that have reports, newest first: from the current one back to
// the one of the first complaint stored. The cursor is the last period of the previous page.
func (rs *Reports) List(ctx context.Context, periodType string, page models.Page) ([]ReportPeriod, string, error) {
	typ := models.PeriodMonth
	if periodType != "" {
		var err error
		if typ, err = models.ParsePeriodType(periodType); err != nil {
			return nil, "", err
		}
	}
	now := rs.clock.Now().UTC()
	p := models.PeriodContaining(now, typ)
	keys, err := models.DecodeCursor(page.Cursor, 1)
	if err != nil {
		return nil, "", err
	}
	if keys != nil {
		after, err := models.ParsePeriod(keys[0])
		if err != nil || after.Type != typ || after.Start().After(now) {
			return nil, "", models.ErrInvalidCursor
		}
		p = after.Prev()
	}
	first, ok, err := rs.earliest(ctx)
	if err != nil || !ok {
		return []ReportPeriod{}, "", err
	}
	oldest := models.PeriodContaining(first, typ)
	out := []ReportPeriod{}
	for ; !p.Start().Before(oldest.Start()) && len(out) < page.Limit; p = p.Prev() {
		out = append(out, ReportPeriod{Period: p, Frozen: !now.Before(rs.frozenAt(p))})
	}
	next := ""
	if len(out) == page.Limit && !p.Start().Before(oldest.Start()) {
		next = models.EncodeCursor(out[len(out)-1].Period.String())
	}
	return out, next, nil
}

// earliest is when the first complaint stored was filed, remembered for earliestTTL.
func (rs *Reports) earliest(ctx context.Context) (time.Time, bool, error) {
	const key = "report-earliest-filing"
	if raw, err := rs.cache.Get(ctx, key); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, string(raw)); err == nil {
			return t, true, nil
		}
	}
	t, err := rs.st.EarliestFiling(ctx)
	if errors.Is(err, models.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	if err := rs.cache.Set(ctx, key, []byte(t.UTC().Format(time.RFC3339Nano)), earliestTTL); err != nil {
		rs.log.WarnContext(ctx, "report cache unavailable", "error", err)
	}
	return t, true, nil
}
