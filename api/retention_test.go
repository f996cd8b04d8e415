package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

const day = 24 * time.Hour

// retentionWorld is a world whose services report to a registry of the test's own.
func retentionWorld(t *testing.T) (*world, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return newWorldWith(t, func(o *appOptions) { o.registry = reg }), reg
}

func (w *world) retain(task string) int {
	w.t.Helper()
	n, err := w.periodic(task)(context.Background())
	if err != nil {
		w.t.Fatalf("%s: %v", task, err)
	}
	return n
}

// retentionCounts reads dsb_retention_purged_total and dsb_retention_batches_total by kind.
func retentionCounts(t *testing.T, reg *prometheus.Registry) (purged, batches map[string]float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	purged, batches = map[string]float64{}, map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "dsb_retention_purged_total":
				purged[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			case "dsb_retention_batches_total":
				batches[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	return purged, batches
}

func ids(t *testing.T, db *gorm.DB, table, column string) []string {
	t.Helper()
	var out []string
	if err := db.Table(table).Order(column).Pluck(column, &out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func insert(t *testing.T, db *gorm.DB, rows ...any) {
	t.Helper()
	for _, r := range rows {
		if err := db.Create(r).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestRetentionWindows: rows just inside their window survive, rows past it go, rows still
// in use (a text message waiting to be sent, a job waiting or running, a duplicate claim
// still holding or lapsed for less than the grace) stay whatever their age, and the metrics
// count what went.
func TestRetentionWindows(t *testing.T) {
	w, reg := retentionWorld(t)
	db := w.st.DB()
	now := w.clock.Now().UTC().Truncate(time.Millisecond)
	inside, past := func(d time.Duration) time.Time { return now.Add(-d + time.Minute) }, func(d time.Duration) time.Time { return now.Add(-d - time.Minute) }

	attempt := func(id string, at time.Time) *models.WebhookAttempt {
		return &models.WebhookAttempt{ID: id, DeliveryID: "d", EventID: "evt_x", EndpointID: "e", PlatformID: w.platformID,
			EventType: models.EventComplaintDelivered, Attempt: 1, Trigger: models.TriggerScheduled, State: models.DeliverySucceeded, CreatedAt: at}
	}
	insert(t, db, attempt("att-inside", inside(180*day)), attempt("att-past", past(180*day)))

	sms := func(id, status string, at time.Time) *models.Notification {
		return &models.Notification{ID: id, ComplaintID: "c", Phone: "13800138000", Kind: models.NotifyDelivered, Text: "…", Status: status, CreatedAt: at}
	}
	insert(t, db, sms("sms-inside", models.NotificationSent, inside(180*day)), sms("sms-past", models.NotificationLogged, past(180*day)),
		sms("sms-failed-past", models.NotificationFailed, past(180*day)), sms("sms-pending-past", models.NotificationPending, past(180*day)))

	job := func(id, state string, due time.Time, finished *time.Time) *models.Job {
		return &models.Job{ID: id, Kind: models.JobSMS, State: state, DueAt: due, Ref: id, Destination: models.DestinationSMS,
			CreatedAt: due, UpdatedAt: due, FinishedAt: finished}
	}
	pj, ij := past(7*day), inside(7*day)
	longAgo := now.Add(-30 * day)
	insert(t, db, job("job-done-past", models.JobCompleted, longAgo, &pj), job("job-discarded-past", models.JobDiscarded, longAgo, &pj),
		job("job-done-inside", models.JobCompleted, longAgo, &ij), job("job-waiting-old", models.JobAvailable, longAgo, nil),
		job("job-running-old", models.JobRunning, longAgo, nil))

	claim := func(key string, expires *time.Time) *models.ComplaintClaim {
		return &models.ComplaintClaim{Key: key, ComplaintID: "c-" + key, ExpiresAt: expires}
	}
	lapsedLong, lapsedLately, live := now.Add(-time.Hour-time.Minute), now.Add(-time.Hour+time.Minute), now.Add(time.Minute)
	insert(t, db, claim("claim-lapsed", &lapsedLong), claim("claim-grace", &lapsedLately), claim("claim-live", &live), claim("claim-order", nil))

	if n := w.retain("retain_webhook_attempts"); n != 1 {
		t.Errorf("attempts removed: %d", n)
	}
	if n := w.retain("retain_notifications"); n != 2 {
		t.Errorf("notifications removed: %d", n)
	}
	if n := w.retain("retain_jobs"); n != 2 {
		t.Errorf("jobs removed: %d", n)
	}
	w.retain("janitor")
	if got := ids(t, db, "webhook_attempts", "id"); !slices.Equal(got, []string{"att-inside"}) {
		t.Errorf("attempts left: %v", got)
	}
	if got := ids(t, db, "notifications", "id"); !slices.Equal(got, []string{"sms-inside", "sms-pending-past"}) {
		t.Errorf("notifications left: %v", got)
	}
	var jobs []string
	if err := db.Model(&models.Job{}).Where("kind = ?", models.JobSMS).Order("id").Pluck("id", &jobs).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(jobs, []string{"job-done-inside", "job-running-old", "job-waiting-old"}) {
		t.Errorf("jobs left: %v", jobs)
	}
	if got := ids(t, db, "complaint_claims", "dedupe_key"); !slices.Equal(got, []string{"claim-grace", "claim-live", "claim-order"}) {
		t.Errorf("claims left: %v", got)
	}
	purged, _ := retentionCounts(t, reg)
	for kind, want := range map[string]float64{"webhook_attempts": 1, "notifications": 2, "jobs": 2, "complaint_claims": 1} {
		if purged[kind] != want {
			t.Errorf("dsb_retention_purged_total{kind=%q} = %v, want %v (all: %v)", kind, purged[kind], want, purged)
		}
	}
	// A second run finds nothing more.
	if n := w.retain("retain_jobs") + w.retain("retain_notifications") + w.retain("retain_webhook_attempts"); n != 0 {
		t.Errorf("second run removed %d", n)
	}
}

// TestRetentionInBatches: a purge over many rows deletes them in statements of at most a
// batch each (2,500 rows, batch 1,000: three statements), leaving the rows inside the window.
func TestRetentionInBatches(t *testing.T) {
	w, reg := retentionWorld(t)
	db := w.st.DB()
	old := w.clock.Now().UTC().Add(-181 * day).Truncate(time.Millisecond)
	rows := make([]models.WebhookAttempt, 0, 2510)
	for i := range 2510 {
		at := old
		if i >= 2500 {
			at = w.clock.Now().UTC().Add(-day).Truncate(time.Millisecond)
		}
		rows = append(rows, models.WebhookAttempt{ID: fmt.Sprintf("att-%05d", i), DeliveryID: "d", EventID: "evt_x", EndpointID: "e",
			PlatformID: w.platformID, EventType: models.EventComplaintDelivered, Attempt: 1, Trigger: models.TriggerScheduled,
			State: models.DeliverySucceeded, CreatedAt: at})
	}
	if err := w.st.InsertRows(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	var deletes atomic.Int64
	if err := db.Callback().Delete().After("gorm:delete").Register("test:count_deletes", func(tx *gorm.DB) {
		if tx.Statement.Table == "webhook_attempts" {
			deletes.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if n := w.retain("retain_webhook_attempts"); n != 2500 {
		t.Fatalf("removed %d, want 2500", n)
	}
	if d := deletes.Load(); d != 3 {
		t.Errorf("%d DELETE statements, want 3", d)
	}
	purged, batches := retentionCounts(t, reg)
	if purged["webhook_attempts"] != 2500 || batches["webhook_attempts"] != 3 {
		t.Errorf("metrics: purged %v, batches %v", purged, batches)
	}
	var left int64
	if err := db.Model(&models.WebhookAttempt{}).Count(&left).Error; err != nil || left != 10 {
		t.Fatalf("left %d, %v", left, err)
	}
}

// TestRetentionKeepsWhatRatingsAndComplaintsNeed: after every window has passed and every
// retention task has run, the complaints read as before, the frozen rating list is byte for
// byte the same, and its snapshots are all still there.
func TestRetentionKeepsWhatRatingsAndComplaintsNeed(t *testing.T) {
	w, _ := retentionWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "已为您退款")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/rating", token: w.consumer, body: map[string]any{"score": 8}}), http.StatusOK)
	w.dispatch()
	w.advance(60 * day)
	if n, err := w.svc.Ratings.FreezeDue(context.Background()); err != nil || n == 0 {
		t.Fatalf("freeze: %d, %v", n, err)
	}
	list := w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"})
	if list.JSON(t)["frozen"] != true {
		t.Fatalf("not frozen: %s", list.Body)
	}
	var snapshots int64
	if err := w.st.DB().Model(&models.RatingSnapshot{}).Count(&snapshots).Error; err != nil || snapshots == 0 {
		t.Fatalf("snapshots: %d, %v", snapshots, err)
	}
	before := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)

	w.advance(400 * day)
	for _, task := range []string{"retain_event_payloads", "retain_webhook_attempts", "retain_notifications", "retain_jobs", "janitor"} {
		w.retain(task)
	}
	var attempts, sms int64
	w.st.DB().Model(&models.WebhookAttempt{}).Count(&attempts)
	w.st.DB().Model(&models.Notification{}).Count(&sms)
	if attempts != 0 || sms != 0 {
		t.Fatalf("after retention: %d attempts, %d text messages", attempts, sms)
	}
	after := w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"})
	if string(after.Body) != string(list.Body) {
		t.Fatalf("frozen list changed:\n%s\n%s", list.Body, after.Body)
	}
	var left int64
	if err := w.st.DB().Model(&models.RatingSnapshot{}).Count(&left).Error; err != nil || left != snapshots {
		t.Fatalf("snapshots %d → %d, %v", snapshots, left, err)
	}
	now := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
	if fmt.Sprint(now) != fmt.Sprint(before) {
		t.Fatalf("complaint changed:\n%v\n%v", before, now)
	}
}

// TestRetentionKeepsTheDuplicateRule: an open complaint's order claim is never purged however
// old, and a text claim is purged only after it lapsed, when refiling the text is allowed anyway.
func TestRetentionKeepsTheDuplicateRule(t *testing.T) {
	w, _ := retentionWorld(t)
	byOrder := w.file(w.consumer, nil)["id"].(string)
	text := map[string]any{"order_no": nil, "title": "客服态度恶劣拒不处理", "platform_id": w.platformID}
	byText := w.file(w.consumer, text)["id"].(string)
	w.advance(23 * time.Hour)
	w.retain("janitor")
	dup := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(w.platformID, text)}),
		http.StatusConflict, "duplicate_complaint")
	if dup["existing_id"] != byText {
		t.Fatalf("text duplicate names %v", dup["existing_id"])
	}
	w.advance(400 * day)
	w.retain("janitor")
	keys := ids(t, w.st.DB(), "complaint_claims", "complaint_id")
	if !slices.Equal(keys, []string{byOrder}) {
		t.Fatalf("claims left: %v, want only the open order's", keys)
	}
	dup = expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(w.platformID, nil)}),
		http.StatusConflict, "duplicate_complaint")
	if dup["existing_id"] != byOrder {
		t.Fatalf("order duplicate names %v", dup["existing_id"])
	}
	w.file(w.consumer, text) // lapsed: allowed, as before the purge
}

// TestRetentionEmptiesEventPayloads: an event's payload is emptied the window after its last
// attempt (a redelivery restarts the window), never while a delivery is waiting; the row
// keeps its id, type, platform and time; a redelivery is 410 event_expired, and a delivery
// job left for it sends nothing.
func TestRetentionEmptiesEventPayloads(t *testing.T) {
	w, reg := retentionWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	w.accept(w.file(w.consumer, nil)["id"].(string))
	w.accept(w.file(w.consumer, map[string]any{"order_no": "TB2"})["id"].(string))
	w.dispatch()
	var events []models.WebhookEvent
	if err := w.st.DB().Order("id").Find(&events).Error; err != nil || len(events) != 2 {
		t.Fatalf("events: %d, %v", len(events), err)
	}
	a, b := events[0], events[1]
	redeliver := func(id string) *response {
		return w.do(req{method: "POST", path: "/api/v1/platform/webhook-events/" + id + "/redeliver", token: w.key})
	}
	w.clock.Advance(5 * day)
	expect(t, redeliver(b.ID), http.StatusAccepted)
	w.dispatch()

	w.clock.Advance(25*day - time.Minute) // a's last attempt 30 days less a minute ago
	if n := w.retain("retain_event_payloads"); n != 0 {
		t.Fatalf("emptied %d inside the window", n)
	}
	w.clock.Advance(2 * time.Minute)
	// A delivery waiting for an event keeps its payload.
	wait := models.Job{ID: models.NewID(), Kind: models.JobWebhookDelivery, State: models.JobAvailable, DueAt: w.clock.Now().Add(time.Hour),
		Ref: a.ID, Destination: "ep", PlatformID: w.platformID, EventType: a.Type, Trigger: models.TriggerManual,
		CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
	insert(t, w.st.DB(), &wait)
	if n := w.retain("retain_event_payloads"); n != 0 {
		t.Fatalf("emptied %d with a delivery waiting", n)
	}
	w.st.DB().Delete(&wait)
	if n := w.retain("retain_event_payloads"); n != 1 {
		t.Fatalf("emptied %d, want a's payload only", n)
	}
	var got []models.WebhookEvent
	w.st.DB().Order("id").Find(&got)
	if !got[0].PayloadEmptied || string(got[0].Payload) != string(models.EmptiedPayload) || got[0].ID != a.ID || got[0].Type != a.Type ||
		got[0].PlatformID != a.PlatformID || !got[0].CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("emptied event: %+v", got[0])
	}
	if got[1].PayloadEmptied || string(got[1].Payload) != string(b.Payload) {
		t.Fatalf("b, redelivered 25 days ago, was emptied")
	}
	sent := len(rc.got())
	expect(t, redeliver(a.ID), http.StatusGone, "event_expired")
	expect(t, redeliver(b.ID), http.StatusAccepted)
	// A delivery queued just before the payload went sends nothing and is logged failed.
	stale := wait
	stale.ID, stale.Destination, stale.DueAt = models.NewID(), w.attempts(w.key, "")[0]["endpoint_id"].(string), w.clock.Now()
	insert(t, w.st.DB(), &stale)
	w.dispatch()
	if n := len(rc.got()) - sent; n != 1 {
		t.Fatalf("%d requests after emptying, want only b's redelivery", n)
	}
	log := w.attempts(w.key, "event_id="+a.ID)
	if log[0]["state"] != "failed" || log[0]["error"] == nil {
		t.Fatalf("attempt for an emptied event: %v", log[0])
	}
	if purged, _ := retentionCounts(t, reg); purged["event_payloads"] != 1 {
		t.Fatalf("purged: %v", purged)
	}
}

// TestRedeliverAfterJobsPurged: once an event's finished delivery jobs are deleted, a
// redelivery still goes to the endpoints the event went to (from its attempts), not to every
// endpoint subscribed since.
func TestRedeliverAfterJobsPurged(t *testing.T) {
	w, _ := retentionWorld(t)
	rc := newReceiver(t)
	first, _ := w.endpoint(w.key, rc.URL+"/first")
	w.accept(w.file(w.consumer, nil)["id"].(string))
	w.dispatch()
	w.endpoint(w.key, rc.URL+"/second")
	w.clock.Advance(8 * day)
	if n := w.retain("retain_jobs"); n == 0 {
		t.Fatal("no finished job purged")
	}
	ev := w.attempts(w.key, "")[0]["event_id"].(string)
	out := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-events/" + ev + "/redeliver", token: w.key}), http.StatusAccepted)
	if out["deliveries"] != float64(1) {
		t.Fatalf("redelivered to %v endpoints, want the one it went to", out["deliveries"])
	}
	w.dispatch()
	var paths []string
	for _, r := range w.attempts(w.key, "event_id="+ev) {
		paths = append(paths, r["endpoint_id"].(string))
	}
	sort.Strings(paths)
	if !slices.Equal(paths, []string{first, first}) {
		t.Fatalf("attempts went to %v, want %s twice", paths, first)
	}
}
