package service

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
)

// periodCounts is what every ranking of a period is cut from: the complaints filed in it by
// platform, issue type and channel, and the platforms they name. A live period's is cached for
// liveRatingTTL; a closed one's is frozen into a RankingSnapshot and cached for renderedTTL.
type periodCounts struct {
	ComputedAt time.Time                  `json:"computed_at"`
	Frozen     bool                       `json:"frozen"`
	Platforms  map[string]RankingPlatform `json:"platforms"`
	Counts     []rankingCount             `json:"counts"`
}

type rankingCount struct {
	PlatformID string `json:"p"`
	IssueType  string `json:"i,omitempty"`
	Channel    string `json:"c"`
	N          int64  `json:"n"`
}

// rankingFormat names the encoding of periodCounts in the cache and in snapshots.
const rankingFormat = "1"

// counts is a period's counts: frozen once the freeze delay after its end has passed, else
// live, from the cache when it holds them.
func (rk *Rankings) counts(ctx context.Context, p models.Period) (*periodCounts, error) {
	at := rk.clock.Now().UTC()
	frozen := !at.Before(p.End().Add(rk.freezeDelay))
	state := "live"
	if frozen {
		state = "frozen"
	}
	// The state is part of the key: the first request after the freeze point never gets
	// live counts from before it.
	key := "ranking:" + rankingFormat + ":" + state + ":" + p.String()
	if raw, err := rk.cache.Get(ctx, key); err == nil {
		var pc periodCounts
		if json.Unmarshal(raw, &pc) == nil {
			return &pc, nil
		}
	} else if !errors.Is(err, kv.ErrMiss) {
		rk.log.WarnContext(ctx, "ranking cache unavailable", "error", err)
	}
	// Concurrent requests for the same period share one computation.
	v, err, _ := rk.flight.Do(key, func() (any, error) {
		var pc *periodCounts
		var err error
		ttl := renderedTTL
		if frozen {
			pc, err = rk.frozen(ctx, p)
		} else {
			pc, err = rk.compute(ctx, p, at)
			// The entry expires liveRatingTTL after the moment the counts describe.
			ttl = liveRatingTTL - rk.clock.Now().Sub(at)
		}
		if err != nil {
			return nil, err
		}
		if ttl >= time.Second {
			if raw, err := json.Marshal(pc); err == nil {
				if err := rk.cache.Set(ctx, key, raw, ttl); err != nil {
					rk.log.WarnContext(ctx, "ranking cache unavailable", "error", err)
				}
			}
		}
		return pc, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*periodCounts), nil
}

// compute runs the one aggregate query of a period and loads the platforms it names.
func (rk *Rankings) compute(ctx context.Context, p models.Period, at time.Time) (*periodCounts, error) {
	rows, err := rk.st.RankingCounts(ctx, p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	pc := &periodCounts{ComputedAt: at.Truncate(time.Second), Platforms: map[string]RankingPlatform{}, Counts: make([]rankingCount, 0, len(rows))}
	var ids []string
	seen := map[string]bool{}
	for _, r := range rows {
		c := rankingCount{PlatformID: r.PlatformID, Channel: string(r.Channel), N: r.N}
		if r.IssueType != nil {
			c.IssueType = *r.IssueType
		}
		pc.Counts = append(pc.Counts, c)
		if !seen[r.PlatformID] {
			seen[r.PlatformID] = true
			ids = append(ids, r.PlatformID)
		}
	}
	platforms, err := rk.st.PlatformsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, pl := range platforms {
		tags := pl.Tags
		if tags == nil {
			tags = []string{}
		}
		pc.Platforms[pl.ID] = RankingPlatform{ID: pl.ID, Name: pl.Name, Slug: pl.Slug, Sector: string(pl.Sector), Tags: tags}
	}
	return pc, nil
}

// frozen serves a closed period from its snapshot, freezing it first if nobody has yet.
func (rk *Rankings) frozen(ctx context.Context, p models.Period) (*periodCounts, error) {
	snap, err := rk.st.RankingSnapshotOf(ctx, p.String())
	if errors.Is(err, models.ErrNotFound) {
		snap, err = rk.freeze(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	var pc periodCounts
	if err := json.Unmarshal(snap.Counts, &pc); err != nil {
		return nil, err
	}
	pc.Frozen, pc.ComputedAt = true, snap.ComputedAt.UTC()
	return &pc, nil
}

// freeze computes a closed period's counts and stores them; the first instance to do so wins.
// An empty period is stored too: a complaint of the period that was rejected when it froze and
// is resubmitted later must not appear in it afterwards.
func (rk *Rankings) freeze(ctx context.Context, p models.Period) (*models.RankingSnapshot, error) {
	at := now(rk.clock).Truncate(time.Second)
	pc, err := rk.compute(ctx, p, at)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(pc)
	if err != nil {
		return nil, err
	}
	snap, err := rk.st.FreezeRanking(ctx, &models.RankingSnapshot{Period: p.String(), ComputedAt: at, Counts: raw})
	if err == nil {
		rk.log.InfoContext(ctx, "complaint ranking frozen", "period", p.String(), "platforms", len(pc.Platforms))
	}
	return snap, err
}

// FreezeDue freezes the recently closed periods whose freeze delay has passed, as the rating
// lists' job does. Older periods freeze when first asked for.
func (rk *Rankings) FreezeDue(ctx context.Context) (int, error) {
	at := rk.clock.Now().UTC()
	n := 0
	for _, typ := range models.PeriodTypes {
		for _, p := range models.LastPeriods(at, typ, 3) {
			if at.Before(p.End().Add(rk.freezeDelay)) {
				continue
			}
			if _, err := rk.st.RankingSnapshotOf(ctx, p.String()); err == nil {
				continue
			} else if !errors.Is(err, models.ErrNotFound) {
				return n, err
			}
			if _, err := rk.freeze(ctx, p); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
