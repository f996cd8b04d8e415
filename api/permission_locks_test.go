package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
)

// holdComplaintLock takes the complaint's row lock from a transaction of its own, as a
// concurrent command would: SELECT … FOR UPDATE on MariaDB/MySQL; on SQLite, whose lock is the
// database's single write lock, a write transaction. release ends it.
func holdComplaintLock(t *testing.T, a *testApp, id string) (release func()) {
	t.Helper()
	tx := a.st.DB().Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	var err error
	if testkit.Driver() == "mysql" {
		var got []string
		err = tx.Raw("SELECT id FROM complaints WHERE id = ? FOR UPDATE", id).Scan(&got).Error
	} else {
		err = tx.Exec("UPDATE complaints SET version = version WHERE id = ?", id).Error
	}
	if err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			tx.Rollback()
		}
	}
	t.Cleanup(release)
	return release
}

// TestPermissionBeforeLocks: while a concurrent transaction holds a complaint's row lock,
// another complainant's withdraw, supplement and rating, and another platform's reply, answer
// 404 at once — nobody who may not act on the complaint waits for (or takes) its lock — while
// the owner's withdraw waits for the lock and goes through when it is released.
func TestPermissionBeforeLocks(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "您好，已为您办理退款。")
	stranger, _ := w.register("consumer")
	merchant, _ := w.register("merchant")
	other := w.createPlatform(w.admin, "jd", map[string]any{"name": "京东", "onboarded": true})["id"].(string)
	otherKey, _ := w.issueKey(w.admin, other)

	release := holdComplaintLock(t, w.testApp, id)
	strangers := map[string]req{
		"withdraw":          {method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: stranger, body: map[string]any{"reason": "不是我的投诉"}},
		"supplement":        {method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: stranger, body: map[string]any{"text": "不是我的投诉"}},
		"rating":            {method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: stranger, body: map[string]any{"score": 1}},
		"merchant withdraw": {method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: merchant, body: map[string]any{"reason": "不是我的投诉"}},
		"other platform":    {method: "POST", path: "/api/v1/platform/complaints/" + id + "/replies", token: otherKey, body: map[string]any{"content": "不是我们的投诉"}},
	}
	for name, rq := range strangers {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			r := w.do(rq)
			if took := time.Since(start); took > time.Second {
				t.Fatalf("answered after %v: waited on the row lock", took)
			}
			expect(t, r, http.StatusNotFound, "not_found")
		})
	}

	// The lock is real: the owner's withdraw waits for it ...
	done := make(chan *response, 1)
	go func() {
		done <- w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/withdraw", token: w.consumer, body: map[string]any{"reason": "已协商解决"}})
	}()
	select {
	case r := <-done:
		t.Fatalf("the owner's withdraw did not wait for the lock: %d %s", r.Code, r.Body)
	case <-time.After(500 * time.Millisecond):
	}
	// ... and goes through once it is released.
	release()
	select {
	case r := <-done:
		if m := expect(t, r, http.StatusOK); m["status"] != "withdrawn" {
			t.Fatalf("status %v after the owner's withdraw", m["status"])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the owner's withdraw did not finish after the lock was released")
	}
}
