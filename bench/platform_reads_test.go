package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/gin-gonic/gin"
)

// BenchmarkPlatformReads measures a platform's reads through the real router, in process, 64
// callers at once, beside a bare gin JSON endpoint served the same way: list is
// GET /api/v1/platform/complaints?limit=20, get is GET /api/v1/platform/complaints/{id}, over
// 200 delivered complaints, each citing evidence, half replied to. It runs on MariaDB/MySQL
// when DSB_TEST_MYSQL_DSN is set, else on SQLite.
//
//	go test ./bench/ -run XXX -bench PlatformReads -benchtime 3s
func BenchmarkPlatformReads(b *testing.B) {
	h, admin, platformID := benchService(b)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	var key struct {
		Key string `json:"key"`
	}
	mustIntakePost(b, h, "/api/v1/admin/platforms/"+platformID+"/api-keys", admin, map[string]string{"name": "bench"}, http.StatusCreated, &key)
	var ids []string
	for i := range 200 {
		if i%20 == 0 {
			mustIntakePost(b, h, "/api/v1/auth/register", "", map[string]string{"role": "consumer", "phone": fmt.Sprintf("138%08d", i+1),
				"password": "password-123", "real_name": "张三"}, http.StatusCreated, &tokens)
		}
		var c struct {
			ID string `json:"id"`
		}
		mustIntakePost(b, h, "/api/v1/complaints", tokens.AccessToken, map[string]any{
			"platform_id": platformID, "issue_type": "refund", "title": "商品未发货且拒绝退款",
			"description": "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。",
			"order_no":    fmt.Sprintf("READ%06d", i), "amount": "1999.00", "demands": []string{"refund"},
			"contact_name": "张三", "contact_phone": "13800138000", "evidence_ids": []string{}, "declaration_accepted": true,
		}, http.StatusCreated, &c)
		mustIntakePost(b, h, "/api/v1/admin/complaints/"+c.ID+"/accept", admin, nil, http.StatusOK, &c)
		if i%2 == 0 {
			mustIntakePost(b, h, "/api/v1/platform/complaints/"+c.ID+"/replies", key.Key, map[string]any{"content": "已处理"}, http.StatusCreated, &c)
		}
		ids = append(ids, c.ID)
	}
	bare := gin.New()
	bare.GET("/bare", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })

	run := func(b *testing.B, h http.Handler, path func(i int) string, token string) {
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				r := httptest.NewRequest(http.MethodGet, path(i), nil)
				if token != "" {
					r.Header.Set("Authorization", "Bearer "+token)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Errorf("GET %s: %d %s", r.URL, w.Code, w.Body.Bytes())
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("bare", func(b *testing.B) { run(b, bare, func(int) string { return "/bare" }, "") })
	b.Run("list", func(b *testing.B) {
		run(b, h, func(int) string { return "/api/v1/platform/complaints?limit=20" }, key.Key)
	})
	b.Run("get", func(b *testing.B) {
		run(b, h, func(i int) string { return "/api/v1/platform/complaints/" + ids[i%len(ids)] }, key.Key)
	})
}
