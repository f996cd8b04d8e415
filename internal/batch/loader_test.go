package batch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestLoaderBatchesConcurrentReads: callers that ask while a read is in flight are served by
// one read, each with its own value.
func TestLoaderBatchesConcurrentReads(t *testing.T) {
	var mu sync.Mutex
	var calls [][]int
	release := make(chan struct{})
	l := &Loader[int, int]{Timeout: time.Second, Fetch: func(_ context.Context, keys []int) (map[int]int, error) {
		mu.Lock()
		calls = append(calls, keys)
		first := len(calls) == 1
		mu.Unlock()
		if first {
			<-release
		}
		out := map[int]int{}
		for _, k := range keys {
			if k != 13 {
				out[k] = k * 10
			}
		}
		return out, nil
	}}
	var wg sync.WaitGroup
	got := make([]int, 20)
	found := make([]bool, 20)
	wg.Add(1)
	go func() { defer wg.Done(); got[0], found[0], _ = l.Load(context.Background(), 0) }()
	time.Sleep(20 * time.Millisecond) // the first read is in flight
	for i := 1; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], found[i], _ = l.Load(context.Background(), i) }()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	for i := range got {
		if i == 13 {
			if found[i] {
				t.Fatal("a key the read left out was found")
			}
			continue
		}
		if !found[i] || got[i] != i*10 {
			t.Fatalf("key %d: %d, %v", i, got[i], found[i])
		}
	}
	if len(calls) != 2 {
		t.Fatalf("20 callers took %d reads: %v", len(calls), calls)
	}
}

// TestLoaderFailsOnlyTheKeyThatCannotBeRead: a batch whose read fails is read again a key at
// a time, so that only the callers of the unreadable key get the error.
func TestLoaderFailsOnlyTheKeyThatCannotBeRead(t *testing.T) {
	bad := errors.New("sealed under an unknown key")
	start := make(chan struct{})
	l := &Loader[int, int]{Timeout: time.Second, Fetch: func(_ context.Context, keys []int) (map[int]int, error) {
		<-start
		out := map[int]int{}
		for _, k := range keys {
			if k == 2 {
				return nil, bad
			}
			out[k] = k
		}
		return out, nil
	}}
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _, errs[i] = l.Load(context.Background(), i) }()
	}
	time.Sleep(20 * time.Millisecond)
	close(start)
	wg.Wait()
	for i, err := range errs {
		if (i == 2) != errors.Is(err, bad) {
			t.Fatalf("key %d: %v", i, err)
		}
	}
}

// TestLoaderCallerLeavesWhenItsContextEnds: a caller whose context ends stops waiting, even
// the one whose request started the read.
func TestLoaderCallerLeavesWhenItsContextEnds(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	l := &Loader[int, int]{Timeout: 10 * time.Second, Fetch: func(ctx context.Context, keys []int) (map[int]int, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, _, err := l.Load(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if waited := time.Since(began); waited > time.Second {
		t.Fatalf("the caller waited %v after its context ended", waited)
	}
}
