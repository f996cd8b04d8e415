package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// intakeConsumers is how many complainants file at once. One complainant's filings are
// serialised by a row lock on the user (the duplicate rule), so the benchmark spreads the
// load over many, as real traffic is.
const intakeConsumers = 64

// BenchmarkIntake measures complaint intake through the real router, in process: a consumer
// files a complaint (POST /api/v1/complaints) and a moderator accepts it (POST
// /api/v1/admin/complaints/{id}/accept), which delivers it to a reachable platform with its
// notification and webhook event. One op is both requests; 64 consumers file in parallel.
// It runs on MariaDB/MySQL when DSB_TEST_MYSQL_DSN is set, else on SQLite.
//
// Access tokens live 15 minutes, so keep a run shorter than that.
//
//	go test ./bench/ -run XXX -bench Intake -benchtime 2000x
func BenchmarkIntake(b *testing.B) {
	h, admin, platformID := benchService(b)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	consumers := make([]string, intakeConsumers)
	for i := range consumers {
		mustIntakePost(b, h, "/api/v1/auth/register", "", map[string]string{"role": "consumer", "phone": fmt.Sprintf("139%08d", i+1),
			"password": "password-123", "real_name": "张三"}, http.StatusCreated, &tokens)
		consumers[i] = tokens.AccessToken
	}

	var worker, seq, createNs, acceptNs atomic.Int64
	// One goroutine per consumer (RunParallel starts parallelism × GOMAXPROCS of them).
	b.SetParallelism(max(1, intakeConsumers/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		consumer := consumers[int(worker.Add(1)-1)%len(consumers)]
		body := map[string]any{
			"platform_id": platformID, "issue_type": "refund", "title": "商品未发货且拒绝退款",
			"description": "11月1日在该平台购买手机一部，商家至今未发货，申请退款被拒绝，客服不予回复。",
			"amount":      "1999.00", "demands": []string{"refund"}, "contact_name": "张三", "contact_phone": "13800138000",
			"evidence_ids": []string{}, "declaration_accepted": true,
		}
		var c struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		for pb.Next() {
			body["order_no"] = fmt.Sprintf("BENCH%08d", seq.Add(1))
			t0 := time.Now()
			if !intakePost(b, h, "/api/v1/complaints", consumer, body, http.StatusCreated, &c) {
				return
			}
			t1 := time.Now()
			if !intakePost(b, h, "/api/v1/admin/complaints/"+c.ID+"/accept", admin, nil, http.StatusOK, &c) {
				return
			}
			createNs.Add(int64(t1.Sub(t0)))
			acceptNs.Add(int64(time.Since(t1)))
			if c.Status != "delivered" {
				b.Errorf("accepted complaint is %s, want delivered", c.Status)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "complaints/s")
	b.ReportMetric(float64(createNs.Load())/float64(b.N)/1e6, "create-ms")
	b.ReportMetric(float64(acceptNs.Load())/float64(b.N)/1e6, "accept-ms")
}

// intakePost POSTs v as JSON to the handler and decodes the answer into out; any other status than
// want is reported (with Errorf, so that it is safe in RunParallel) and returns false.
func intakePost(b *testing.B, h http.Handler, path, token string, v any, want int, out any) bool {
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			b.Error(err)
			return false
		}
	}
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		b.Errorf("POST %s: %d, want %d: %s", path, w.Code, want, w.Body.Bytes())
		return false
	}
	if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
		b.Errorf("POST %s: %v", path, err)
		return false
	}
	return true
}

// mustIntakePost is intakePost for the set-up, on the benchmark's goroutine: a failure stops it.
func mustIntakePost(b *testing.B, h http.Handler, path, token string, v any, want int, out any) {
	b.Helper()
	if !intakePost(b, h, path, token, v, want, out) {
		b.FailNow()
	}
}
