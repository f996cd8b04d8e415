package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
)

// The janitor never ends a session in use: one used again within 29 minutes of its last
// recorded use (last_seen is written at most once a minute, so 29 minutes is what Load itself
// promises) survives many runs, and one idle for 30 minutes goes.
func TestJanitorKeepsLiveSessions(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139501", "赵五")
	signedIn := func() bool {
		p := b.get(t, "/me")
		return p.code == http.StatusOK
	}
	janitor := func() {
		if _, err := s.svc.Retention.Janitor(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		s.clock.Advance(28*time.Minute + 30*time.Second)
		janitor()
		if !signedIn() {
			t.Fatalf("a session used %d times, every 29m, was ended by the janitor", i+1)
		}
		s.clock.Advance(30 * time.Second) // used again within the minute: not touched
		janitor()
		if !signedIn() {
			t.Fatalf("a session used 30s ago was ended by the janitor (round %d)", i+1)
		}
	}
	var n int64
	s.st.DB().Table("web_sessions").Count(&n)
	if n == 0 {
		t.Fatal("no session row left")
	}
	s.clock.Advance(service.WebSessionIdle + service.WebSessionTouch + time.Second)
	janitor()
	var after int64
	s.st.DB().Table("web_sessions").Count(&after)
	if after >= n {
		t.Fatalf("an idle session was not deleted: %d → %d rows", n, after)
	}
}

// A session is idle after 30 minutes without use: a use 30 seconds after a recorded one is not
// written (last_seen moves once a minute), so the next use 29m59s later finds the session
// ended although it was used 29m59s before.
func TestIdleCountsFromLastUse(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139502", "赵六")
	s.clock.Advance(10 * time.Minute)
	b.get(t, "/me") // recorded
	s.clock.Advance(50 * time.Second)
	b.get(t, "/me") // not recorded: within the minute
	s.clock.Advance(29*time.Minute + 59*time.Second)
	if p := b.get(t, "/me"); p.code != http.StatusOK {
		t.Fatalf("a session used 29m59s ago is ended: %d", p.code)
	}
}
