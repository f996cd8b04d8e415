package kv

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

type countingWaker struct{ n atomic.Int64 }

func (c *countingWaker) Wake() { c.n.Add(1) }

// TestWakerNeverBlocks: with Redis unreachable (a port nobody listens on), every Wake still
// wakes the local worker at once and returns without waiting for the publish.
func TestWakerNeverBlocks(t *testing.T) {
	r := &Redis{c: redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: time.Second, MaxRetries: -1}), prefix: "t:"}
	defer r.Close()
	local := &countingWaker{}
	w := Waker{Redis: r, Channel: "wake", Local: local}
	start := time.Now()
	for range 100 {
		w.Wake()
	}
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Fatalf("100 wake-ups took %v with Redis away", el)
	}
	if local.n.Load() != 100 {
		t.Fatalf("the local worker was woken %d times, want 100", local.n.Load())
	}
}
