package service

import (
	"context"
	"time"
)

// Rendered is List, serialised with its ETag, from the shared cache when it holds it: a
// ranking is cut and compared from its periods' counts once per cache lifetime, not per
// request. A live rendering lives only as long as the oldest live counts it was cut from
// (liveRatingTTL), a frozen one renderedTTL, as the rating lists' renderings do.
func (rk *Rankings) Rendered(ctx context.Context, q RankingQuery) (*RenderedList, error) {
	p, f, err := rk.parse(q)
	if err != nil {
		return nil, err
	}
	at := rk.clock.Now()
	// The state is part of the key, so that the first request after the freeze point never
	// gets a live rendering from before it.
	state := "live"
	if !at.Before(p.End().Add(rk.freezeDelay)) {
		state = "frozen"
	}
	key := "ranking-rendered:" + rankingFormat + ":" + state + ":" + p.String() + ":" + string(f.sector) + ":" +
		string(f.channel) + ":" + f.issueType + ":" + f.tag
	if raw, err := rk.cache.Get(ctx, key); err == nil {
		if r, expires, ok := decodeRendering(raw); ok && at.Before(expires) {
			return r, nil
		}
	}
	l, oldest, err := rk.list(ctx, p, f)
	if err != nil {
		return nil, err
	}
	r, err := marshalRendered(l, l.Frozen)
	if err != nil {
		return nil, err
	}
	ttl := renderedTTL
	if !oldest.IsZero() {
		ttl = liveRatingTTL - at.Sub(oldest)
	}
	// A tag no platform of the period carries is not remembered: the tag is free text from
	// anyone, and each value would hold a cache entry.
	if ttl >= time.Second && (f.tag == "" || len(l.Items) > 0) {
		if err := rk.cache.Set(ctx, key, encodeRendering(r, at.Add(ttl)), ttl); err != nil {
			rk.log.WarnContext(ctx, "ranking cache unavailable", "error", err)
		}
	}
	return r, nil
}
