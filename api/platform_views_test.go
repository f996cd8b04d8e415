package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// platformReads reads one complaint and the list as the platform, and reports the supplements
// each shows.
func platformReads(w *world, id string) (one, listed float64) {
	w.t.Helper()
	c := expect(w.t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusOK)
	l := expect(w.t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?limit=5", token: w.key}), http.StatusOK)
	for _, it := range l["data"].([]any) {
		if m := it.(map[string]any); m["id"] == id {
			listed = m["supplement_count"].(float64)
		}
	}
	return c["supplement_count"].(float64), listed
}

func complaintQueries(stmts []string) int {
	n := 0
	for _, q := range stmts {
		if strings.Contains(q, "complaints") {
			n++
		}
	}
	return n
}

// TestPlatformReadsAreKeptUntilTheyChange: a platform re-reading its list and a complaint is
// answered from memory, without a query, with the same bytes; the moment a command changes
// what it reads (a supplement here), the next read shows the change.
func TestPlatformReadsAreKeptUntilTheyChange(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	if one, listed := platformReads(w, id); one != 0 || listed != 0 {
		t.Fatalf("supplements before: %v %v", one, listed)
	}
	stmts := countStatements(t, w.st.DB())
	first := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	platformReads(w, id)
	again := w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key})
	if n := complaintQueries(stmts.take()); n != 0 {
		t.Fatalf("%d queries of complaints for reads of nothing changed, want none", n)
	}
	if string(first.Body) != string(again.Body) || again.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("a kept read differs:\n%s\n%s\n%v", first.Body, again.Body, again.Header)
	}
	// The client that holds the body revalidates it: 304 without a body while it is current.
	etag := again.Header.Get("ETag")
	if etag == "" || first.Header.Get("ETag") != etag {
		t.Fatalf("ETags %q and %q", first.Header.Get("ETag"), etag)
	}
	revalidate := func() *response {
		return w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key,
			header: map[string]string{"If-None-Match": etag}})
	}
	if r := revalidate(); r.Code != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
		t.Fatalf("revalidation of a current body: %d %q %v", r.Code, r.Body, r.Header)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "补充一下：商家承诺三天内退款，至今没有。"}}), http.StatusOK)
	if one, listed := platformReads(w, id); one != 1 || listed != 1 {
		t.Fatalf("supplements right after the command: one %v, list %v; want 1 and 1", one, listed)
	}
	if r := revalidate(); r.Code != http.StatusOK || r.Header.Get("ETag") == etag {
		t.Fatalf("revalidation after a change: %d, ETag %q (was %q)", r.Code, r.Header.Get("ETag"), etag)
	}
}

// TestPlatformReadsOfAnotherInstance: two instances over one database, each with its own
// store as two processes have. Without announcements (no Redis) a read kept on one instance
// shows another instance's change at most service.ViewCacheTTLUnannounced later; with Redis,
// as main wires it, within moments, whatever the kept read's lifetime.
func TestPlatformReadsOfAnotherInstance(t *testing.T) {
	for _, announced := range []bool{false, true} {
		name := "unannounced"
		if announced {
			name = "announced over Redis"
		}
		t.Run(name, func(t *testing.T) {
			var rd *kv.Redis
			if announced {
				if rd = testkit.Redis(t); rd == nil {
					t.Skip("announcements need Redis: set DSB_TEST_REDIS_URL to run this test")
				}
			}
			stores := testkit.Stores(t, 2)
			stA, stB := stores[0], stores[1]
			var announce func(store.ViewChange)
			if rd != nil {
				announce = service.AnnounceViews((&kv.SetAnnouncer{Redis: rd, Channel: "views"}).Add)
			}
			a := newWorldWith(t, func(o *appOptions) { o.store, o.viewAnnouncer = stA, announce })
			b := &world{testApp: newApp(t, func(o *appOptions) { o.store, o.viewAnnouncer = stB, announce }),
				admin: a.admin, consumer: a.consumer, platformID: a.platformID, key: a.key}
			if rd != nil {
				ctx, cancel := context.WithCancel(context.Background())
				t.Cleanup(cancel)
				for _, app := range []*world{a, b} {
					go rd.Listen(ctx, "views", app.svc.PlatformViews.Announced, app.svc.PlatformViews.SetLive)
				}
				waitFor(t, "both subscriptions up", func() bool {
					return a.svc.PlatformViews.Live() && b.svc.PlatformViews.Live()
				})
			}
			id := a.file(a.consumer, nil)["id"].(string)
			a.accept(id)
			platformReads(a, id) // kept on a
			expect(t, b.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: b.consumer,
				body: map[string]any{"text": "补充一下：商家承诺三天内退款，至今没有。"}}), http.StatusOK)
			if announced {
				// a's clock stands still: only the announcement can make its kept reads stale.
				waitFor(t, "b's change seen on a", func() bool {
					one, listed := platformReads(a, id)
					return one == 1 && listed == 1
				})
				return
			}
			if one, _ := platformReads(a, id); one != 0 {
				t.Logf("b's change already seen on a (a read kept before it expired)")
			}
			a.clock.Advance(service.ViewCacheTTLUnannounced)
			if one, listed := platformReads(a, id); one != 1 || listed != 1 {
				t.Fatalf("%v after b's change: one %v, list %v; want 1 and 1", service.ViewCacheTTLUnannounced, one, listed)
			}
		})
	}
}

// TestPlatformRenameShowsInTheNextRead: a platform read that lands between a rename's commit
// and the end of the request (here: from a watcher heard after the service's own) renders with
// the new name, so that the read after the rename's 200 shows it.
func TestPlatformRenameShowsInTheNextRead(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	name := func() string {
		t.Helper()
		c := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + id, token: w.key}), http.StatusOK)
		return c["platform"].(map[string]any)["name"].(string)
	}
	if n := name(); n != "淘宝" {
		t.Fatalf("name before: %q", n)
	}
	var armed atomic.Bool
	w.st.WatchViews(func(v store.ViewChange) {
		if v.All && armed.CompareAndSwap(true, false) {
			r := httptest.NewRequest("GET", "/api/v1/platform/complaints/"+id, nil)
			r.Header.Set("Authorization", "Bearer "+w.key)
			w.h.ServeHTTP(httptest.NewRecorder(), r)
		}
	})
	armed.Store(true)
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + w.platformID, token: w.admin,
		body: map[string]any{"name": "淘宝网"}}), http.StatusOK)
	if n := name(); n != "淘宝网" {
		t.Fatalf("the read after the rename's 200 shows %q, want 淘宝网", n)
	}
}
