package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TestIdempotencyTwinsWhoseRecordCannotBeRead: requests with one key and different bodies sent
// at once, while a plain read of the idempotency records finds nothing (the instant after a
// commit in which a plain read can still miss what a duplicate key already sees): one runs,
// the others are told the key is in use — never a server error — and one complaint is stored.
func TestIdempotencyTwinsWhoseRecordCannotBeRead(t *testing.T) {
	w := newWorld(t)
	miss := func(db *gorm.DB) {
		if db.Statement.Table == "idempotency_records" {
			db.Statement.AddClause(clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "1 = 0"}}})
		}
	}
	if err := w.st.DB().Callback().Query().Before("gorm:query").Register("test:miss", miss); err != nil {
		t.Fatal(err)
	}
	before := w.rows("complaints")
	answers := make([]*response, 6)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := complaintBody(w.platformID, map[string]any{"order_no": fmt.Sprintf("TB2026112690%03d", i)})
			answers[i] = rawDo(t, w.h, filing(w, "twins", body), t.Context())
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range answers {
		switch r.Code {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			expect(t, r, http.StatusConflict, "idempotency_key_in_use")
		default:
			t.Fatalf("a twin answered %d: %s", r.Code, r.Body)
		}
	}
	if after := w.rows("complaints"); created != 1 || after["complaints"] != before["complaints"]+1 {
		t.Fatalf("%d created, complaints %v → %v", created, before, after)
	}
}
