// Package testkit gives tests real storage: an SQLite file per test by default, a fresh
// MariaDB/MySQL database per test when DSB_TEST_MYSQL_DSN is set, and Redis when
// DSB_TEST_REDIS_URL is set. Nothing here is a mock.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/store"
)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Driver names the database the tests run on.
func Driver() string {
	if os.Getenv("DSB_TEST_MYSQL_DSN") != "" {
		return "mysql"
	}
	return "sqlite"
}

// StoreDSN creates an empty database for one test and returns its driver and DSN; the
// database is dropped when the test ends.
func StoreDSN(t testing.TB) (string, string) {
	t.Helper()
	base := os.Getenv("DSB_TEST_MYSQL_DSN")
	if base == "" {
		return "sqlite", filepath.Join(t.TempDir(), "test.db")
	}
	mc, err := mysqldriver.ParseDSN(base)
	if err != nil {
		t.Fatalf("DSB_TEST_MYSQL_DSN: %v", err)
	}
	name := "dsb_test_" + randomHex(6)
	admin, err := gorm.Open(mysql.Open(mc.FormatDSN()), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to MariaDB: %v", err)
	}
	sqlAdmin, _ := admin.DB()
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").Error; err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP DATABASE IF EXISTS " + name).Error
		_ = sqlAdmin.Close()
	})
	mc.DBName = name
	return "mysql", mc.FormatDSN()
}

// Store opens a migrated store on a fresh database, closed when the test ends.
func Store(t testing.TB) *store.Store {
	t.Helper()
	return Stores(t, 1)[0]
}

// Stores opens n stores over one fresh database, as n instances of the service would, each
// closed when the test ends.
func Stores(t testing.TB, n int) []*store.Store {
	t.Helper()
	driver, dsn := StoreDSN(t)
	out := make([]*store.Store, n)
	for i := range out {
		st, err := store.Open(context.Background(), driver, dsn, store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		out[i] = st
	}
	return out
}

// Redis returns a Redis store under a prefix of its own, or nil when DSB_TEST_REDIS_URL is
// not set. Its keys are deleted when the test ends.
func Redis(t testing.TB) *kv.Redis {
	t.Helper()
	url := os.Getenv("DSB_TEST_REDIS_URL")
	if url == "" {
		return nil
	}
	prefix := "dsbtest:" + randomHex(6) + ":"
	r, err := kv.NewRedis(context.Background(), url, prefix)
	if err != nil {
		t.Fatalf("connect to Redis: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := r.Client().Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			r.Client().Del(ctx, keys...)
		}
		_ = r.Close()
	})
	return r
}

// NamedKV is a kv.Store with a name for subtests.
type NamedKV struct {
	Name  string
	Store kv.Store
}

// KVStores returns every kv implementation available to this run: in-process, the database
// (on the test database), and Redis when configured.
func KVStores(t testing.TB, st *store.Store, clock func() time.Time) []NamedKV {
	out := []NamedKV{{"memory", kv.NewMemory(clock)}, {"database-" + Driver(), st.KV(clock)}}
	if r := Redis(t); r != nil {
		out = append(out, NamedKV{"redis", r})
	}
	return out
}

// Clock is a clock tests move by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t.UTC()} }

// Now implements service.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}

// String shows the time in failures.
func (c *Clock) String() string { return fmt.Sprint(c.Now()) }

// WaitFor polls cond every 5 ms until it holds, and fails the test if it does not within
// the given time.
func WaitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
