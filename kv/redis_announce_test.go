package kv_test

import (
	"context"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
)

// TestAnnouncementsRefusedByRedisAreSentWhenItComesBack: items added while the publisher's
// Redis is unreachable are not dropped; they go out once it answers again, to a subscriber
// whose own connection stayed up all along (the instance that would otherwise keep what the
// lost announcement changed).
func TestAnnouncementsRefusedByRedisAreSentWhenItComesBack(t *testing.T) {
	sub := testkit.Redis(t)
	if sub == nil {
		t.Skip("announcements go over Redis: set DSB_TEST_REDIS_URL")
	}
	u, err := url.Parse(os.Getenv("DSB_TEST_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.StartProxy(t, u.Host)
	u.Host = proxy.Addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub, err := kv.NewRedis(ctx, u.String(), sub.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	var mu sync.Mutex
	heard := map[string]bool{}
	live := make(chan bool, 4)
	go sub.Listen(ctx, "changes", func(items []string) {
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			heard[it] = true
		}
	}, func(v bool) { live <- v })
	select {
	case v := <-live:
		if !v {
			t.Fatal("the subscription went down first")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription did not come up")
	}
	got := func() string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for it := range heard {
			out = append(out, it)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("heard %q", got())
		}
	})
	a := &kv.SetAnnouncer{Redis: pub, Channel: "changes"}
	// Redis answers: the message arrives (the channel works end to end).
	a.Add("p0")
	testkit.WaitFor(t, 5*time.Second, "p0 heard", func() bool { return got() == "p0" })

	proxy.Down()
	// One Add, one wake-up: what follows the first refusal is the announcer's own retrying.
	a.Add("p1", "p2")
	// Long enough for the first attempt to be refused (go-redis dials for up to its 1 s
	// timeout) and for retries of the announcer's own to follow it.
	time.Sleep(3500 * time.Millisecond)
	if g := got(); g != "p0" {
		t.Fatalf("heard %q while the publisher's Redis was away", g)
	}
	proxy.Up()
	testkit.WaitFor(t, 10*time.Second, "p1 and p2 heard once Redis answers", func() bool { return got() == "p0,p1,p2" })
}
