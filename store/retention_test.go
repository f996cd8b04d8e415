package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TestRetentionReadsThroughIndexes: on MariaDB, every statement retention runs finds its rows
// through an index, never by reading a whole table (each table holds rows mostly inside the
// window, as a live service's do).
func TestRetentionReadsThroughIndexes(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("EXPLAIN of MariaDB: set DSB_TEST_MYSQL_DSN")
	}
	st := testkit.Store(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	const n = 3000
	var (
		attempts []models.WebhookAttempt
		events   []models.WebhookEvent
		sms      []models.Notification
		jobs     []models.Job
		tokens   []models.RefreshToken
		records  []models.IdempotencyRecord
		entries  []models.KVEntry
		claims   []models.ComplaintClaim
	)
	for i := range n {
		at := now.Add(-time.Duration(i%100) * time.Minute) // young: inside every window
		if i%100 == 0 {
			at = now.Add(-400 * 24 * time.Hour)
		}
		id := fmt.Sprintf("r%05d", i)
		exp := at.Add(time.Hour)
		attempts = append(attempts, models.WebhookAttempt{ID: id, DeliveryID: id, EventID: "evt_" + id, EndpointID: "e", PlatformID: "p",
			EventType: "t", Attempt: 1, Trigger: "scheduled", State: "succeeded", CreatedAt: at})
		events = append(events, models.WebhookEvent{ID: "evt_" + id, PlatformID: "p", Type: "t", Payload: []byte("{}"), CreatedAt: at})
		sms = append(sms, models.Notification{ID: id, ComplaintID: "c", Phone: "1", Kind: "delivered", Text: "x", Status: "sent", CreatedAt: at})
		state := models.JobCompleted
		if i%3 == 0 {
			state = models.JobAvailable
		}
		jobs = append(jobs, models.Job{ID: id, Kind: "sms", State: state, DueAt: at, Ref: "evt_" + id, Destination: "sms",
			CreatedAt: at, UpdatedAt: at, FinishedAt: &at})
		tokens = append(tokens, models.RefreshToken{ID: id, FamilyID: id, UserID: "u", TokenHash: id, ExpiresAt: exp, CreatedAt: at})
		records = append(records, models.IdempotencyRecord{ID: id, Fingerprint: "f", Status: 200, ContentType: "x", Sealed: []byte("x"),
			CreatedAt: at, ExpiresAt: exp})
		entries = append(entries, models.KVEntry{Key: id, Value: []byte("x"), ExpiresAt: exp})
		var ce *time.Time
		if i%2 == 0 {
			ce = &exp
		}
		claims = append(claims, models.ComplaintClaim{Key: id, ComplaintID: id, ExpiresAt: ce})
	}
	for _, rows := range []any{attempts, events, sms, jobs, tokens, records, entries, claims} {
		if err := st.InsertRows(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DB().Exec("ANALYZE TABLE webhook_attempts, webhook_events, notifications, jobs, refresh_tokens, idempotency_records, kv_entries, complaint_claims").Error; err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var statements []string
	capture := func(tx *gorm.DB) {
		mu.Lock()
		statements = append(statements, tx.Dialector.Explain(tx.Statement.SQL.String(), tx.Statement.Vars...))
		mu.Unlock()
	}
	cb := st.DB().Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:explain", capture),
		"update": cb.Update().After("gorm:update").Register("test:explain", capture),
		"delete": cb.Delete().After("gorm:delete").Register("test:explain", capture),
	} {
		if err != nil {
			t.Fatal(name, err)
		}
	}
	cutoff := now.Add(-24 * time.Hour)
	for name, purge := range map[string]func(context.Context, time.Time, int) (int64, error){
		"attempts": st.PurgeWebhookAttempts, "events": st.EmptyEventPayloads, "notifications": st.PurgeNotifications,
		"jobs": st.PurgeFinishedJobs, "tokens": st.PurgeRefreshTokens, "records": st.PurgeIdempotencyRecords,
		"entries": st.PurgeKVEntries, "claims": st.PurgeComplaintClaims,
	} {
		statements = nil
		got, err := purge(ctx, cutoff, 1000)
		if err != nil || got == 0 {
			t.Fatalf("%s: %d, %v", name, got, err)
		}
		for _, sql := range statements {
			explain(t, st, name, sql)
		}
	}
}

// explain fails the test when MariaDB's plan for sql reads a table in full.
func explain(t *testing.T, st *store.Store, name, sql string) {
	t.Helper()
	rows, err := st.DB().Raw("EXPLAIN " + sql).Rows()
	if err != nil {
		t.Fatalf("%s: EXPLAIN %s: %v", name, sql, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				row[c] = string(b)
			} else if vals[i] != nil {
				row[c] = fmt.Sprint(vals[i])
			}
		}
		t.Logf("%s: %s → table %s type %s key %s rows %s extra %s", name, sql[:min(len(sql), 90)], row["table"], row["type"], row["key"], row["rows"], row["Extra"])
		if strings.EqualFold(row["type"], "ALL") || row["key"] == "" {
			t.Errorf("%s reads %s without an index: %v\n%s", name, row["table"], row, sql)
		}
	}
}
