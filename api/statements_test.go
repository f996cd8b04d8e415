package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// statements counts what the store sends to the database, by statement kind.
type statements struct {
	mu  sync.Mutex
	all []string
}

func countStatements(t *testing.T, db *gorm.DB) *statements {
	t.Helper()
	s := &statements{}
	record := func(tx *gorm.DB) {
		s.mu.Lock()
		s.all = append(s.all, tx.Statement.SQL.String())
		s.mu.Unlock()
	}
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", record),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", record),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", record),
		"create": cb.Create().After("gorm:create").Register("test:count_create", record),
		"update": cb.Update().After("gorm:update").Register("test:count_update", record),
		"delete": cb.Delete().After("gorm:delete").Register("test:count_delete", record),
	} {
		if err != nil {
			t.Fatalf("register %s callback: %v", name, err)
		}
	}
	return s
}

func (s *statements) reset() {
	s.mu.Lock()
	s.all = nil
	s.mu.Unlock()
}

func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.all
	s.all = nil
	return out
}

func writes(stmts []string) []string {
	var out []string
	for _, q := range stmts {
		switch strings.ToUpper(strings.Fields(q + " x")[0]) {
		case "INSERT", "UPDATE", "DELETE", "REPLACE":
			out = append(out, q)
		}
	}
	return out
}

// readWorld has 20 delivered complaints, each citing evidence and with a supplement, half of
// them replied to. Platforms and keys are remembered for an hour, so that a slow machine's
// second request still finds what the first one warmed.
func readWorld(t *testing.T) (*world, []string) {
	w := newWorldWith(t, func(o *appOptions) { o.cacheTTL = time.Hour })
	ev := expect(t, w.upload(w.consumer, "截图.png", "image/png", testPNG(t)), http.StatusCreated)["id"].(string)
	var ids []string
	for i := range 20 {
		id := w.file(w.consumer, map[string]any{"order_no": fmt.Sprintf("READ-%d", i), "evidence_ids": []string{ev}})["id"].(string)
		w.accept(id)
		if i%2 == 0 {
			w.reply(w.key, id, "已处理")
		}
		ids = append(ids, id)
	}
	return w, ids
}

// A read's statements stay within a budget once the caches are warm: the page, its children in
// one query, evidence in one, the platform from the cache.
func TestReadStatementBudgets(t *testing.T) {
	w, ids := readWorld(t)
	staff := w.admin
	cases := []struct {
		name, path, token string
		budget            int
	}{
		{"platform list", "/api/v1/platform/complaints?limit=20", w.key, 3},
		{"platform feed", "/api/v1/platform/complaints?limit=20&updated_since=2026-11-26T00:00:00Z", w.key, 3},
		{"platform get", "/api/v1/platform/complaints/" + ids[0], w.key, 3},
		{"owner list", "/api/v1/complaints?limit=20", w.consumer, 3},
		{"owner get", "/api/v1/complaints/" + ids[0], w.consumer, 3},
		{"staff list", "/api/v1/admin/complaints?limit=20", staff, 3},
		{"staff get", "/api/v1/admin/complaints/" + ids[0], staff, 3},
	}
	w.clock.Advance(service.FeedLag)
	stmts := countStatements(t, w.st.DB())
	for _, c := range cases {
		// The first request warms the caches (platform, API key).
		r := expect(t, w.do(req{method: "GET", path: c.path, token: c.token}), http.StatusOK)
		if data, ok := r["data"].([]any); ok && len(data) != 20 {
			t.Fatalf("%s: %d items, want 20", c.name, len(data))
		}
		stmts.reset()
		expect(t, w.do(req{method: "GET", path: c.path, token: c.token}), http.StatusOK)
		got := stmts.take()
		t.Logf("%s: %d statements", c.name, len(got))
		if len(got) > c.budget {
			t.Errorf("%s: %d statements, budget %d:\n%s", c.name, len(got), c.budget, strings.Join(got, "\n"))
		}
	}
}

// Platform requests write nothing: key uses are flushed later, one UPDATE per key at most once
// a minute; a bogus key costs one read and no write.
func TestPlatformReadsWriteNothing(t *testing.T) {
	w, ids := readWorld(t)
	w.clock.Advance(service.FeedLag)
	stmts := countStatements(t, w.st.DB())
	for i := range 100 {
		path := "/api/v1/platform/complaints?limit=20"
		if i%2 == 1 {
			path = "/api/v1/platform/complaints/" + ids[i%len(ids)]
		}
		expect(t, w.do(req{method: "GET", path: path, token: w.key}), http.StatusOK)
		w.clock.Advance(10 * time.Millisecond)
	}
	if wr := writes(stmts.take()); len(wr) != 0 {
		t.Fatalf("100 platform GETs wrote %d statements:\n%s", len(wr), strings.Join(wr, "\n"))
	}
	lastUsed := func() *time.Time {
		var k models.APIKey
		if err := w.st.DB().Where("platform_id = ?", w.platformID).Take(&k).Error; err != nil {
			t.Fatal(err)
		}
		return k.LastUsedAt
	}
	if lastUsed() != nil {
		t.Fatal("last_used_at written before any flush")
	}
	stmts.reset()
	if err := w.svc.Platforms.FlushKeyUse(t.Context()); err != nil {
		t.Fatal(err)
	}
	if wr := writes(stmts.take()); len(wr) != 1 {
		t.Fatalf("flush wrote %d statements, want one UPDATE: %v", len(wr), wr)
	}
	at := lastUsed()
	if at == nil || !at.Equal(w.clock.Now().Add(-10*time.Millisecond).Truncate(time.Millisecond)) {
		t.Fatalf("last_used_at %v, want the last use %v", at, w.clock.Now().Add(-10*time.Millisecond))
	}
	// Within the minute a flush writes nothing more; after it, the latest use.
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/me", token: w.key}), http.StatusOK)
	stmts.reset()
	if err := w.svc.Platforms.FlushKeyUse(t.Context()); err != nil {
		t.Fatal(err)
	}
	if wr := writes(stmts.take()); len(wr) != 0 {
		t.Fatalf("a second flush within the minute wrote %v", wr)
	}
	w.clock.Advance(time.Minute)
	if err := w.svc.Platforms.FlushKeyUse(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); got == nil || !got.After(*at) {
		t.Fatalf("last_used_at %v after the minute, want later than %v", got, at)
	}

	stmts.reset()
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints", token: "dsb_live_" + strings.Repeat("A", 32)}), http.StatusUnauthorized)
	got := stmts.take()
	if len(writes(got)) != 0 || len(got) > 1 {
		t.Fatalf("a bogus key cost %d statements (%d writes): %v", len(got), len(writes(got)), got)
	}
}

// A remembered key is forgotten at once by the instance that revokes it and within a second
// by another instance.
func TestRevokedKeyRefusedDespiteCache(t *testing.T) {
	w := newWorld(t)
	other := service.New(w.st, nil, service.Options{Clock: w.clock})
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/me", token: w.key}), http.StatusOK)
	if _, err := other.Platforms.AuthenticateAPIKey(t.Context(), w.key); err != nil {
		t.Fatal(err)
	}
	keys := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys", token: w.admin}), http.StatusOK)
	keyID := keys["data"].([]any)[0].(map[string]any)["id"].(string)
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/admin/platforms/" + w.platformID + "/api-keys/" + keyID, token: w.admin}), http.StatusOK)
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/me", token: w.key}), http.StatusUnauthorized, "invalid_token")
	deadline := time.Now().Add(1100 * time.Millisecond)
	for {
		_, err := other.Platforms.AuthenticateAPIKey(t.Context(), w.key)
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("another instance still accepts a revoked key after a second")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The flusher writes what is left when it stops, so a clean shutdown loses no key use.
func TestKeyUseFlusherFlushesOnShutdown(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { w.svc.Platforms.RunKeyUseFlusher(ctx, time.Hour); close(stopped) }()
	expect(t, w.do(req{method: "GET", path: "/api/v1/platform/me", token: w.key}), http.StatusOK)
	cancel()
	<-stopped
	var k models.APIKey
	if err := w.st.DB().Where("platform_id = ?", w.platformID).Take(&k).Error; err != nil {
		t.Fatal(err)
	}
	if k.LastUsedAt == nil || !k.LastUsedAt.Equal(w.clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("last_used_at after shutdown: %v, want %v", k.LastUsedAt, w.clock.Now())
	}
}
