package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// The rendered rating lists: serialised once, kept hot in memory and shared through the cache.

// RenderedList is a list as the API sends it: the JSON body and its ETag, cached together so
// that a hot list costs one cache read per request.
type RenderedList struct {
	Body   []byte
	ETag   string
	Frozen bool
}

// renderedTTL bounds how long a rendered frozen list stays in the cache; live ones follow
// liveRatingTTL.
const renderedTTL = time.Hour

// Rendered is List, serialised, from the cache when it holds the list. A rendering is also
// kept in process until the instant its shared cache entry expires, so that a hot list costs
// neither a cache round trip nor a copy of its bytes; the bytes are shared and never modified.
func (rs *Ratings) Rendered(ctx context.Context, q RatingQuery) (*RenderedList, error) {
	p, ch, sec, err := rs.parse(q)
	if err != nil {
		return nil, err
	}
	now := rs.clock.Now()
	// The state is part of the key, so that the first request after the freeze point never
	// gets a live rendering from before it.
	state := "live"
	if !now.Before(p.End().Add(rs.freezeDelay)) {
		state = "frozen"
	}
	hk := hotKey{period: p, channel: ch, sector: sec, frozen: state == "frozen"}
	if h, ok := rs.hot.Load(hk); ok && now.Before(h.(*hotRendering).expires) {
		return h.(*hotRendering).list, nil
	}
	key := "rating-rendered:" + models.RatingFormulaVersion + ":" + state + ":" + p.String() + ":" + string(ch) + ":" + string(sec)
	if raw, err := rs.cache.Get(ctx, key); err == nil {
		if r, expires, ok := decodeRendering(raw); ok && now.Before(expires) {
			rs.keepHot(hk, r, expires)
			return r, nil
		}
	}
	l, err := rs.list(ctx, p, ch, sec)
	if err != nil {
		return nil, err
	}
	r, err := marshalRendered(l, l.Frozen)
	if err != nil {
		return nil, err
	}
	ttl := liveRatingTTL
	if gen, err := time.Parse(time.RFC3339, l.GeneratedAt); err == nil {
		// The list may come from the inner cache already: the rendering lives only as long as
		// the list it renders, so that a change still shows within liveRatingTTL.
		ttl = min(ttl-now.Sub(gen), liveRatingTTL)
	}
	if l.Frozen {
		ttl = renderedTTL
	}
	if ttl >= time.Second {
		expires := now.Add(ttl)
		if err := rs.cache.Set(ctx, key, encodeRendering(r, expires), ttl); err != nil {
			rs.log.WarnContext(ctx, "rating cache unavailable", "error", err)
		}
		rs.keepHot(hk, r, expires)
	}
	return r, nil
}

// hotRendering is a rendering held in process until its shared entry expires.
type hotRendering struct {
	list    *RenderedList
	expires time.Time
}

// maxHot bounds the in-process renderings (periods × channels × sectors in use).
const maxHot = 2048

// hotKey names an in-process rendering without building a string per request.
type hotKey struct {
	period  models.Period
	channel models.Channel
	sector  models.Sector
	frozen  bool
}

func (rs *Ratings) keepHot(key hotKey, r *RenderedList, expires time.Time) {
	h := &hotRendering{list: r, expires: expires}
	if _, loaded := rs.hot.Swap(key, h); !loaded && rs.hotCount.Add(1) > maxHot {
		rs.hot.Clear()
		rs.hotCount.Store(0)
	}
}

// encodeRendering lays a rendering out for the shared cache: frozen flag, the ETag, the expiry
// in Unix milliseconds, a newline, the body.
func encodeRendering(r *RenderedList, expires time.Time) []byte {
	flag := byte('l')
	if r.Frozen {
		flag = 'f'
	}
	head := fmt.Sprintf("%c%s%016d\n", flag, r.ETag, expires.UnixMilli())
	return append([]byte(head), r.Body...)
}

func decodeRendering(raw []byte) (*RenderedList, time.Time, bool) {
	// flag (1) + quoted ETag (66) + expiry (16) + newline (1)
	const head = 1 + 66 + 16 + 1
	if len(raw) < head || raw[head-1] != '\n' || (raw[0] != 'l' && raw[0] != 'f') || raw[1] != '"' || raw[66] != '"' {
		return nil, time.Time{}, false
	}
	ms, err := strconv.ParseInt(string(raw[67:83]), 10, 64)
	if err != nil {
		return nil, time.Time{}, false
	}
	return &RenderedList{Frozen: raw[0] == 'f', ETag: string(raw[1:67]), Body: raw[head:]}, time.UnixMilli(ms), true
}

// marshalRendered serialises a list with its ETag (the SHA-256 of the bytes).
func marshalRendered(v any, frozen bool) (*RenderedList, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	return &RenderedList{Body: body, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Frozen: frozen}, nil
}
