package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/service"
)

// The rankings page keys its rendering on the raw tag a visitor typed: every new tag is a new
// page kept in the page cache, so anyone can fill it (and, past its bound, empty it).
func TestRankingsTagIsNotKept(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC))
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), EvidenceDir: t.TempDir()})
	s := &site{svc: svc, now: clock.Now, log: slog.New(slog.DiscardHandler)}
	for i := range 20 {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/rankings?tag=visitor-typed-%d", i), nil)
		s.rankings(c)
		if w.Code != http.StatusOK {
			t.Fatalf("rankings with a typed tag: %d %s", w.Code, w.Body.String())
		}
	}
	n := 0
	s.pages.m.Range(func(any, any) bool { n++; return true })
	if n != 0 {
		t.Errorf("20 rankings pages with visitor-typed tags kept %d renderings (%d bytes) in the page cache", n, s.pages.bytes.Load())
	}
}

// Every other cached listing keeps nothing for a query outside its closed sets.
func TestCachedListingsKeepNoUnknownQuery(t *testing.T) {
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC))
	svc := service.New(st, kv.NewMemory(clock.Now), service.Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), EvidenceDir: t.TempDir()})
	s := &site{svc: svc, now: clock.Now, log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		path string
		h    gin.HandlerFunc
	}{
		{"/cases?sector=bogus-1", s.cases}, {"/cases?sector=bogus-2", s.cases},
		{"/ratings?sector=bogus-1", s.ratings}, {"/ratings?channel=bogus-2", s.ratings},
		{"/reports?period_type=bogus-1", s.reports}, {"/reports?period_type=bogus-2", s.reports},
		{"/lawyers?specialty=bogus", s.lawyers},
		{"/rankings?issue_type=bogus", s.rankings}, {"/rankings?tag=%20x", s.rankings}, {"/rankings?tag=x%20", s.rankings},
	} {
		before := 0
		s.pages.m.Range(func(any, any) bool { before++; return true })
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, tc.path, nil)
		tc.h(c)
		after := 0
		s.pages.m.Range(func(any, any) bool { after++; return true })
		if after != before {
			t.Errorf("%s (%d) kept a rendering in the page cache", tc.path, w.Code)
		}
	}
}
