package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// TestPeriodicTasks: every database chore runs as a periodic task of the work queue, and the
// service handles every kind of job but webhook deliveries (which have their own sender).
func TestPeriodicTasks(t *testing.T) {
	w := newWorld(t)
	var names []string
	for _, p := range w.svc.PeriodicTasks() {
		if p.Every <= 0 || p.Run == nil {
			t.Errorf("task %q: every %v, run %v", p.Name, p.Every, p.Run != nil)
		}
		if p.Every > time.Hour {
			t.Errorf("task %q runs only every %v", p.Name, p.Every)
		}
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if want := []string{"auto_complete", "deliver_awaiting", "freeze_rankings", "freeze_ratings", "freeze_reports", "janitor",
		"retain_event_payloads", "retain_jobs", "retain_notifications", "retain_webhook_attempts"}; !slices.Equal(names, want) {
		t.Fatalf("periodic tasks %v, want %v", names, want)
	}
	var kinds []string
	for k, h := range w.svc.JobHandlers() {
		if h == nil {
			t.Errorf("no handler for %s", k)
		}
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	if want := []string{models.JobAutoComplete, models.JobDeliverAwaiting, models.JobEraseBlob, models.JobEraseSweep, models.JobSMS}; !slices.Equal(kinds, want) {
		t.Fatalf("job handlers %v, want %v", kinds, want)
	}
}

func (a *testApp) periodic(name string) func(context.Context) (int, error) {
	a.t.Helper()
	for _, p := range a.svc.PeriodicTasks() {
		if p.Name == name {
			return p.Run
		}
	}
	a.t.Fatalf("no periodic task %q", name)
	return nil
}

// TestDeliverAwaitingSafetyNet: a complaint left waiting for a platform that is reachable
// (its acceptance read the platform before the change that made it so) gets a
// deliver_awaiting job from the periodic net, only one while it is open, and is delivered.
func TestDeliverAwaitingSafetyNet(t *testing.T) {
	w := newWorld(t)
	dark := w.createPlatform(w.admin, "xianyu", nil)["id"].(string)
	id := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(dark, nil)}), http.StatusCreated)["id"].(string)
	if s := w.accept(id)["status"]; s != "awaiting_contact" {
		t.Fatalf("accepted: %v", s)
	}
	w.runJobs()
	net := w.periodic("deliver_awaiting")
	if n, err := net(context.Background()); n != 0 || err != nil {
		t.Fatalf("net for an unreachable platform: %d, %v", n, err)
	}
	// Made reachable; the job the change queued ran before the acceptance that read the
	// platform as unreachable committed (as it can with another instance's cache).
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + dark, token: w.admin,
		body: map[string]any{"onboarded": true, "after_sales_contact": map[string]string{"phone": "95188"}}}), http.StatusOK)
	if err := w.st.DB().Model(&models.Job{}).Where("kind = ? AND ref = ?", models.JobDeliverAwaiting, dark).
		Updates(map[string]any{"state": models.JobCompleted}).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := net(context.Background()); n != 1 || err != nil {
		t.Fatalf("net: %d, %v", n, err)
	}
	if n, err := net(context.Background()); n != 0 || err != nil {
		t.Fatalf("net again while the job is open: %d, %v", n, err)
	}
	w.runJobs()
	if s := w.complaintStatus(id); s != "delivered" {
		t.Fatalf("after the net's job: %s", s)
	}
	if n, err := net(context.Background()); n != 0 || err != nil {
		t.Fatalf("net with nothing waiting: %d, %v", n, err)
	}
}

// TestJanitor deletes expired refresh tokens, key-value entries, idempotency records and
// ended browser sessions (idle or past their end), and keeps live ones.
func TestJanitor(t *testing.T) {
	w := newWorld(t)
	now := w.clock.Now()
	db := w.st.DB()
	for _, rec := range []models.IdempotencyRecord{
		{ID: "expired", Fingerprint: "f", Status: 201, ContentType: "application/json", Sealed: []byte("x"), CreatedAt: now.Add(-25 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
		{ID: "live", Fingerprint: "f", Status: 201, ContentType: "application/json", Sealed: []byte("x"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
	} {
		if err := db.Create(&rec).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []models.KVEntry{{Key: "kv-expired", Value: []byte("x"), ExpiresAt: now.Add(-time.Minute)},
		{Key: "kv-live", Value: []byte("x"), ExpiresAt: now.Add(time.Hour)}} {
		if err := db.Create(&e).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, rt := range []models.RefreshToken{
		{ID: "rt-expired", FamilyID: "f", UserID: w.consumerID, TokenHash: "h1", ExpiresAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)},
		{ID: "rt-live", FamilyID: "f", UserID: w.consumerID, TokenHash: "h2", ExpiresAt: now.Add(time.Hour), CreatedAt: now},
	} {
		if err := db.Create(&rt).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, ws := range []models.WebSession{
		{IDHash: "ws-ended", UserID: w.consumerID, Role: models.RoleConsumer, CSRFToken: "c", CreatedAt: now.Add(-13 * time.Hour), LastSeen: now.Add(-time.Minute), ExpiresAt: now.Add(-time.Hour)},
		{IDHash: "ws-idle", UserID: w.consumerID, Role: models.RoleConsumer, CSRFToken: "c", CreatedAt: now.Add(-time.Hour), LastSeen: now.Add(-32 * time.Minute), ExpiresAt: now.Add(11 * time.Hour)},
		{IDHash: "ws-live", UserID: w.consumerID, Role: models.RoleConsumer, CSRFToken: "c", CreatedAt: now.Add(-time.Hour), LastSeen: now.Add(-5 * time.Minute), ExpiresAt: now.Add(11 * time.Hour)},
	} {
		if err := db.Create(&ws).Error; err != nil {
			t.Fatal(err)
		}
	}
	n, err := w.periodic("janitor")(context.Background())
	if err != nil || n < 5 {
		t.Fatalf("janitor: %d, %v", n, err)
	}
	for table, ids := range map[string][2]string{"idempotency_records": {"expired", "live"}, "kv_entries": {"kv-expired", "kv-live"},
		"refresh_tokens": {"rt-expired", "rt-live"}} {
		var left []string
		if err := db.Table(table).Where("id IN ?", ids[:]).Pluck("id", &left).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(left, []string{ids[1]}) {
			t.Errorf("%s after the janitor: %v, want only %s", table, left, ids[1])
		}
	}
	var sessions []string
	if err := db.Table("web_sessions").Where("user_id = ?", w.consumerID).Order("id_hash").Pluck("id_hash", &sessions).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sessions, []string{"ws-live"}) {
		t.Errorf("web sessions after the janitor: %v, want only the live one", sessions)
	}
}
