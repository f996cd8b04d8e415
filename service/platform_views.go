package service

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/store"
)

// How long a rendered platform read may be served from memory. Every committed write that
// changes what a platform reads drops that platform's entries on its own instance at once
// (store.WatchViews) and on the others when its announcement arrives (Redis pub/sub, within
// milliseconds). The lifetimes bound what announcements cannot: ViewCacheTTL while this
// instance's subscription is up (a commit whose instance dies before announcing it), and
// ViewCacheTTLUnannounced without one (no Redis, or Redis unreachable), which is then the
// staleness across instances. Feed pages (updated_since) depend on the clock as well as on
// writes and always live the short time.
const (
	ViewCacheTTL            = 30 * time.Second
	ViewCacheTTLUnannounced = time.Second
	viewCacheMaxEntries     = 50_000
	viewCacheMaxBytes       = 64 << 20
)

// PlatformViews keeps platforms' reads of their complaints (GET /platform/complaints and
// /platform/complaints/{id}) rendered in memory, so that a platform polling its list or
// re-reading a complaint costs no query until something it reads changes.
//
// Correctness rests on generations: a read takes a Ticket (the platform's generation and the
// global one) before it queries, and its body is kept under that ticket; a committed change
// bumps the generations after its commit, so a body read before the commit carries an older
// generation and is never served after the change is heard of.
type PlatformViews struct {
	mu      sync.Mutex
	gens    map[string]uint64
	all     uint64
	entries map[string]*viewEntry
	bytes   int
	// live is whether other instances' changes are heard (the subscription is up).
	live     atomic.Bool
	announce func(store.ViewChange)
	now      func() time.Time
	// down reports a database found unreachable: nothing is served from memory then, so that
	// reads answer 503 as every request does during an outage.
	down func() bool
	// settle is how long after a global change bodies are kept only the short time: the
	// platform cache they are built with may hold a platform's old name that long.
	settle      time.Duration
	settleUntil time.Time

	hits, misses prometheus.Counter
}

type viewEntry struct {
	body      []byte
	etag      string
	pgen, all uint64
	expires   time.Time
}

// ViewTicket is a read's snapshot of the generations, taken before its queries.
type ViewTicket struct {
	platform  string
	pgen, all uint64
	at        time.Time
	live      bool
}

func newPlatformViews(clock Clock, settle time.Duration, announce func(store.ViewChange), reg prometheus.Registerer) *PlatformViews {
	pv := &PlatformViews{gens: map[string]uint64{}, entries: map[string]*viewEntry{}, announce: announce, settle: settle,
		now: func() time.Time { return now(clock) },
		hits: prometheus.NewCounter(prometheus.CounterOpts{Name: "dsb_platform_view_cache_hits_total",
			Help: "Platform complaint reads answered from the rendered-view cache."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{Name: "dsb_platform_view_cache_misses_total",
			Help: "Platform complaint reads that queried the database."}),
	}
	if reg != nil {
		reg.MustRegister(pv.hits, pv.misses)
	}
	return pv
}

func viewKey(platform, key string) string { return platform + "\x00" + key }

// Lookup returns the body kept for the platform's read key and its entity tag, if it is still
// current.
func (pv *PlatformViews) Lookup(platform, key string) ([]byte, string, bool) {
	if pv.down != nil && pv.down() {
		pv.misses.Inc()
		return nil, "", false
	}
	t := pv.now()
	pv.mu.Lock()
	e, ok := pv.entries[viewKey(platform, key)]
	ok = ok && e.pgen == pv.gens[platform] && e.all == pv.all && t.Before(e.expires)
	pv.mu.Unlock()
	if ok {
		pv.hits.Inc()
		return e.body, e.etag, true
	}
	pv.misses.Inc()
	return nil, "", false
}

// ETag is the entity tag of a rendered body: a strong validator, the same on every instance.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// Ticket snapshots the generations for a read about to query.
func (pv *PlatformViews) Ticket(platform string) ViewTicket {
	t := ViewTicket{platform: platform, at: pv.now(), live: pv.live.Load()}
	pv.mu.Lock()
	t.pgen, t.all = pv.gens[platform], pv.all
	pv.mu.Unlock()
	return t
}

// Keep stores the body a read rendered under its ticket (feed marks a change-feed page) and
// returns its entity tag.
func (pv *PlatformViews) Keep(t ViewTicket, key string, body []byte, feed bool) string {
	etag := ETag(body)
	k := viewKey(t.platform, key)
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if t.pgen != pv.gens[t.platform] || t.all != pv.all {
		return etag // changed while it was read: not kept
	}
	ttl := ViewCacheTTLUnannounced
	if t.live && !feed && !t.at.Before(pv.settleUntil) {
		ttl = ViewCacheTTL
	}
	if old, ok := pv.entries[k]; ok {
		pv.bytes -= len(old.body) + len(k)
	}
	pv.entries[k] = &viewEntry{body: body, etag: etag, pgen: t.pgen, all: t.all, expires: t.at.Add(ttl)}
	pv.bytes += len(body) + len(k)
	if len(pv.entries) > viewCacheMaxEntries || pv.bytes > viewCacheMaxBytes {
		pv.shed()
	}
	return etag
}

// shed drops entries, expired and stale ones first, then any, until a tenth is free.
func (pv *PlatformViews) shed() {
	t := pv.now()
	for k, e := range pv.entries {
		if !t.Before(e.expires) || e.all != pv.all {
			pv.bytes -= len(e.body) + len(k)
			delete(pv.entries, k)
		}
	}
	for k, e := range pv.entries {
		if len(pv.entries) <= viewCacheMaxEntries*9/10 && pv.bytes <= viewCacheMaxBytes*9/10 {
			return
		}
		pv.bytes -= len(e.body) + len(k)
		delete(pv.entries, k)
	}
}

// Changed makes every body the change may affect stale: the named platforms', or all.
func (pv *PlatformViews) Changed(v store.ViewChange) {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if v.All {
		pv.all++
		pv.settleUntil = pv.now().Add(pv.settle)
		pv.entries = map[string]*viewEntry{}
		pv.bytes = 0
		return
	}
	for _, p := range v.Platforms {
		pv.gens[p]++
	}
}

// committed is a change committed on this instance: heard here at once, announced to the others.
func (pv *PlatformViews) committed(v store.ViewChange) {
	pv.Changed(v)
	if pv.announce != nil {
		pv.announce(v)
	}
}

// SetLive says whether other instances' announcements are being heard. Either way everything
// kept so far is dropped: announcements may have been missed while the subscription was down.
func (pv *PlatformViews) SetLive(live bool) {
	pv.live.Store(live)
	pv.Changed(store.ViewChange{All: true})
}

// Live reports whether other instances' changes are being heard.
func (pv *PlatformViews) Live() bool { return pv.live.Load() }

// Announced is an announcement of other instances' changes: platform ids, or kv.AnnounceAll.
func (pv *PlatformViews) Announced(items []string) {
	if slices.Contains(items, kv.AnnounceAll) {
		pv.Changed(store.ViewChange{All: true})
		return
	}
	pv.Changed(store.ViewChange{Platforms: items})
}

// AnnounceViews is the Options.ViewAnnouncer that hands changes to an announcer of item sets
// (kv.SetAnnouncer.Add), the other side of Announced.
func AnnounceViews(add func(items ...string)) func(store.ViewChange) {
	return func(v store.ViewChange) {
		if v.All {
			add(kv.AnnounceAll)
			return
		}
		add(v.Platforms...)
	}
}
