package service

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
)

// TestComplaintNumbersAcrossInstances files concurrently through two instances over one
// database: every number is unique and in the DSB + China date + 6 digits format, and the
// day's counter row is written once per block, not once per filing.
func TestComplaintNumbersAcrossInstances(t *testing.T) {
	stores := testkit.Stores(t, 2)
	st1, st2 := stores[0], stores[1]
	f := newFixtureOn(t, st1)
	svc2 := New(st2, nil, Options{BcryptCost: 4, Clock: f.clock,
		Logger: slog.New(slog.DiscardHandler)})
	instances := []*Complaints{f.svc.Complaints, svc2.Complaints}
	counters := []*counter{countStatements(t, st1), countStatements(t, st2)}
	for _, c := range counters {
		c.reset()
	}
	const workers, each = 8, 15
	var (
		mu      sync.Mutex
		numbers = map[string]bool{}
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cs := instances[(w+i)%2]
				v, err := cs.Create(context.Background(), f.consumer, f.complaintRequest(fmt.Sprintf("N-%d-%d", w, i)))
				if err != nil {
					t.Errorf("file: %v", err)
					return
				}
				mu.Lock()
				if numbers[v.Number] {
					t.Errorf("number %s handed out twice", v.Number)
				}
				numbers[v.Number] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	format := regexp.MustCompile(`^DSB20261126\d{6}$`)
	for n := range numbers {
		if !format.MatchString(n) {
			t.Errorf("number %q is not DSB + the China date + 6 digits", n)
		}
	}
	if len(numbers) != workers*each {
		t.Fatalf("%d numbers for %d filings", len(numbers), workers*each)
	}
	touched := 0
	for _, c := range counters {
		statements, _ := c.snapshot()
		for _, q := range statements {
			if strings.Contains(q, "complaint_sequences") {
				touched++
			}
		}
	}
	// Each instance reserves a block of 50 at most twice for its 60 filings: an upsert and a read.
	if touched > 2*2*2 {
		t.Fatalf("the counter row was touched %d times for %d filings", touched, workers*each)
	}
	// A new China day starts again at 1 on whichever instance files first.
	f.clock.Advance(16 * time.Hour)
	v := f.file(f.consumer, "next-day")
	if v.Number != "DSB20261127000001" {
		t.Fatalf("first number of the next day: %s", v.Number)
	}
}
