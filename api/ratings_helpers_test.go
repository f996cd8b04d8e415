package api_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// ratingWorld files and moves complaints at chosen moments of the injected clock.
type ratingWorld struct {
	*world
}

// complaintAt files a complaint, accepts it at `at`, and replies after `replyAfter` (<0: never)
// and rates it `score` (0: never). It returns the complaint id.
func (rw *ratingWorld) complaintAt(platformID string, at time.Time, replyAfter time.Duration, score int, key string) string {
	rw.t.Helper()
	rw.clock.Set(at)
	rw.admin = rw.adminToken()
	rw.consumer = rw.login(rw.consumerPhone)
	body := complaintBody(platformID, map[string]any{"order_no": models.NewID()})
	id := expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/complaints", token: rw.consumer, body: body}), http.StatusCreated)["id"].(string)
	rw.accept(id)
	if replyAfter >= 0 {
		rw.clock.Set(at.Add(replyAfter))
		rw.reply(key, id, "已处理")
		if score > 0 {
			rw.consumer = rw.login(rw.consumerPhone)
			expect(rw.t, rw.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: rw.consumer,
				body: map[string]any{"score": score}}), http.StatusOK)
		}
	}
	return id
}

func itemFor(t *testing.T, list map[string]any, platformID string) map[string]any {
	t.Helper()
	for _, it := range list["items"].([]any) {
		m := it.(map[string]any)
		if m["platform"].(map[string]any)["id"] == platformID {
			return m
		}
	}
	return nil
}

func nearly(a any, b float64) bool { f, ok := a.(float64); return ok && math.Abs(f-b) < 1e-9 }
