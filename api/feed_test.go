package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// follow reads the feed from since to its end through next_cursor, as API.md asks a client to,
// notes the latest version seen of each complaint, and returns where to poll from next (the
// updated_at of the last complaint received).
func (w *world) follow(since string, seen map[string]float64) string {
	w.t.Helper()
	cursor := ""
	for {
		q := url.Values{"updated_since": {since}, "limit": {"2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		p := expect(w.t, w.do(req{method: "GET", path: "/api/v1/platform/complaints?" + q.Encode(), token: w.key}), http.StatusOK)
		data := p["data"].([]any)
		for _, it := range data {
			c := it.(map[string]any)
			id := c["id"].(string)
			seen[id] = max(seen[id], c["version"].(float64))
		}
		cursor, _ = p["next_cursor"].(string)
		if cursor == "" {
			if len(data) > 0 {
				return data[len(data)-1].(map[string]any)["updated_at"].(string)
			}
			return since
		}
	}
}

// A change whose transaction stamped updated_at before, and committed after, a later change
// that a client has already read must still reach the client.
func TestFeedSeesAChangeCommittedBehindAPagedOne(t *testing.T) {
	w := newWorld(t)
	a := w.file(w.consumer, map[string]any{"order_no": "FEED-A"})["id"].(string)
	w.accept(a)
	b := w.file(w.consumer, map[string]any{"order_no": "FEED-B"})["id"].(string)
	w.accept(b)
	w.clock.Advance(service.FeedLag + time.Second)
	seen := map[string]float64{}
	since := w.follow("2026-11-26T00:00:00Z", seen)
	if seen[a] == 0 || seen[b] == 0 {
		t.Fatalf("first read of the feed: %v", seen)
	}

	// A's transaction stamps A as the service does, then stays open.
	w.clock.Advance(time.Second)
	stampA := w.clock.Now().UTC().Truncate(time.Millisecond)
	stamped, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- w.st.Tx(context.Background(), func(tx *store.Store) error {
			err := tx.DB().Exec("UPDATE complaints SET updated_at = ?, version = version + 1 WHERE id = ?", stampA, a).Error
			close(stamped)
			<-release
			return err
		})
	}()
	<-stamped

	// B changes a second later and commits (on SQLite it queues behind A's write lock).
	w.clock.Advance(time.Second)
	replied := make(chan *response, 1)
	go func() {
		replied <- w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + b + "/replies", token: w.key,
			body: map[string]any{"content": "已处理"}})
	}()
	var bRes *response
	select {
	case bRes = <-replied:
	case <-time.After(500 * time.Millisecond):
	}
	after := map[string]float64{}
	since = w.follow(since, after)

	close(release)
	if err := <-done; err != nil {
		t.Fatalf("A's transaction: %v", err)
	}
	if bRes == nil {
		bRes = <-replied
	}
	expect(t, bRes, http.StatusCreated)

	// Later polls from where the client stopped see both changes.
	w.clock.Advance(service.FeedLag + time.Second)
	w.follow(since, after)
	if after[a] <= seen[a] || after[b] <= seen[b] {
		t.Fatalf("after both commits the feed gave versions %v, before %v; A=%s B=%s", after, seen, a, b)
	}
}
