package service

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
)

// keysKV is a memory store that remembers every key set in it.
type keysKV struct {
	kv.Store
	mu   sync.Mutex
	keys []string
}

func (k *keysKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.Store.Set(ctx, key, value, ttl)
}

// A ranking cut by a tag that no platform of the period carries is not remembered: anyone may
// send any tag, and each would otherwise hold a cache entry.
func TestRankingRenderingOfUnknownTagsIsNotCached(t *testing.T) {
	f := newFixture(t)
	f.file(f.consumer, "RANK-1")
	cache := &keysKV{Store: kv.NewMemory(f.clock.Now)}
	rk := &Rankings{st: f.st, clock: f.clock, log: f.svc.Ratings.log, cache: cache, freezeDelay: 168 * time.Hour}
	period := f.clock.Now().In(models.ChinaTime).Format("2006-01")
	for _, tag := range []string{"无人使用的标签一", "无人使用的标签二", ""} {
		if _, err := rk.Rendered(context.Background(), RankingQuery{Period: period, Tag: tag}); err != nil {
			t.Fatal(err)
		}
	}
	var rendered []string
	for _, k := range cache.keys {
		if strings.HasPrefix(k, "ranking-rendered:") {
			rendered = append(rendered, k)
		}
	}
	if len(rendered) != 1 || strings.Contains(rendered[0], "无人使用") {
		t.Fatalf("renderings cached: %q, want only the untagged one", rendered)
	}
}
