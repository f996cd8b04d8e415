package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPlatformNameKeysBackfilledOnUpgrade: a database from before the name key, holding
// platforms whose names clash once normalised, upgrades: the oldest of each clash keeps the
// name, the others are logged and keep no key, and the unique index holds from then on.
func TestPlatformNameKeysBackfilledOnUpgrade(t *testing.T) {
	driver, dsn := testkit.StoreDSN(t)
	logs := &lockedBuffer{}
	ctx := context.Background()
	st, err := store.Open(ctx, driver, dsn, store.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m := st.DB().Migrator()
	if err := m.DropIndex(&models.Platform{}, "idx_platforms_name_key"); err != nil {
		t.Fatal(err)
	}
	if err := m.DropColumn(&models.Platform{}, "name_key"); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, p := range []struct{ id, name string }{
		{"p-jd", "京东"}, {"p-taobao", "淘宝"}, {"p-jd-copy", "京东 "}, {"p-JD", "JD"}, {"p-jd-wide", "ｊｄ"},
	} {
		row := map[string]any{"id": p.id, "name": p.name, "slug": p.id, "sector": "digital_retail", "tags": "[]",
			"onboarded": false, "created_at": base.Add(time.Duration(i) * time.Hour), "updated_at": base}
		if err := st.DB().Table("platforms").Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("upgrade with clashing names: %v", err)
	}
	var ps []models.Platform
	if err := st.DB().Order("created_at").Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range ps {
		if p.NameKey == nil {
			got[p.ID] = "<none>"
		} else {
			got[p.ID] = *p.NameKey
		}
	}
	want := map[string]string{"p-jd": "京东", "p-taobao": "淘宝", "p-jd-copy": "<none>", "p-JD": "jd", "p-jd-wide": "<none>"}
	for id, key := range want {
		if got[id] != key {
			t.Errorf("%s: key %q, want %q", id, got[id], key)
		}
	}
	for _, id := range []string{"p-jd-copy", "p-jd-wide"} {
		if !strings.Contains(logs.String(), `"platform_id":"`+id+`"`) {
			t.Errorf("the clash of %s is not logged:\n%s", id, logs.String())
		}
	}
	if strings.Contains(logs.String(), `"platform_id":"p-jd"`) {
		t.Errorf("the oldest platform is logged as a clash:\n%s", logs.String())
	}
	// A second start changes nothing, and the index refuses a new clash.
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key := models.PlatformNameKey("淘宝  ")
	err = st.CreatePlatform(ctx, &models.Platform{ID: "p-new", Name: "淘宝  ", NameKey: &key, Slug: "p-new",
		Sector: models.SectorLogistics, CreatedAt: base, UpdatedAt: base})
	if !store.IsDuplicate(err) {
		t.Fatalf("a clashing name after the upgrade: %v, want a duplicate", err)
	}
}
