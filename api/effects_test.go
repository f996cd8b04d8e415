package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/queue"
)

// eventsOf lists the platform's webhook events of one type, oldest first.
func (a *testApp) eventsOf(platformID, eventType string) []models.WebhookEvent {
	a.t.Helper()
	var out []models.WebhookEvent
	if err := a.st.DB().Where("platform_id = ? AND type = ?", platformID, eventType).Order("id").Find(&out).Error; err != nil {
		a.t.Fatal(err)
	}
	return out
}

func (a *testApp) complaintStatus(id string) string {
	a.t.Helper()
	var c models.Complaint
	if err := a.st.DB().Where("id = ?", id).Take(&c).Error; err != nil {
		a.t.Fatal(err)
	}
	return string(c.Status)
}

// TestFanOutQueuesOneJobPerSubscribedEndpoint: an event becomes one delivery job per enabled
// endpoint that subscribes to it, written with the change; a manual test or redelivery queues
// jobs the same way, and a redelivery goes to the endpoints the event's jobs went to.
func TestFanOutQueuesOneJobPerSubscribedEndpoint(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	deliveredOnly, _ := w.endpoint(w.key, rc.URL+"/delivered", "complaint.delivered")
	every, _ := w.endpoint(w.key, rc.URL+"/all")
	w.endpoint(w.key, rc.URL+"/rated", "complaint.rated")
	disabled, _ := w.endpoint(w.key, rc.URL+"/off")
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/platform/webhook-endpoints/" + disabled, token: w.key, body: map[string]any{"enabled": false}}), http.StatusOK)

	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	evs := w.eventsOf(w.platformID, models.EventComplaintDelivered)
	if len(evs) != 1 {
		t.Fatalf("%d delivered events", len(evs))
	}
	ev := evs[0]
	jobs := w.jobs(models.JobWebhookDelivery, ev.ID)
	want := []string{deliveredOnly, every}
	slices.Sort(want)
	if got := destinations(jobs); !slices.Equal(got, want) {
		t.Fatalf("delivery jobs to %v, want %v (the subscribed, enabled endpoints)", got, want)
	}
	for _, j := range jobs {
		if j.State != models.JobAvailable || j.PlatformID != w.platformID || j.EventType != models.EventComplaintDelivered ||
			j.Trigger != models.TriggerScheduled || !j.DueAt.Equal(ev.CreatedAt) || j.Attempts != 0 {
			t.Errorf("job: %+v (event created %v)", j, ev.CreatedAt)
		}
	}

	// A new endpoint does not receive a redelivery of an event queued before it existed.
	later, _ := w.endpoint(w.key, rc.URL+"/later")
	red := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-events/" + ev.ID + "/redeliver", token: w.key}), http.StatusAccepted)
	if red["deliveries"] != float64(2) {
		t.Fatalf("redelivery: %v", red)
	}
	var manual []models.Job
	for _, j := range w.jobs(models.JobWebhookDelivery, ev.ID) {
		if j.Trigger == models.TriggerManual {
			manual = append(manual, j)
		}
	}
	if got := destinations(manual); !slices.Equal(got, want) {
		t.Fatalf("redelivery jobs to %v, want %v", got, want)
	}

	test := expect(t, w.do(req{method: "POST", path: "/api/v1/platform/webhook-endpoints/" + later + "/test", token: w.key}), http.StatusAccepted)
	tj := w.jobs(models.JobWebhookDelivery, test["event_id"].(string))
	if len(tj) != 1 || tj[0].Destination != later || tj[0].Trigger != models.TriggerManual || tj[0].EventType != models.EventWebhookTest {
		t.Fatalf("test delivery jobs: %+v", tj)
	}
}

// TestOnboardingQueuesTheDeliveryOfWaitingComplaints: the PATCH that makes a platform
// reachable answers at once with its complaints still waiting, having queued one
// deliver_awaiting job; that job, run in batches, delivers every one of them with their
// webhook and text-message jobs.
func TestOnboardingQueuesTheDeliveryOfWaitingComplaints(t *testing.T) {
	w := newWorld(t)
	dark := w.createPlatform(w.admin, "xianyu", map[string]any{"name": "闲鱼", "after_sales_contact": map[string]string{"phone": "95188"}})["id"].(string)
	key, _ := w.issueKey(w.admin, dark)
	rc := newReceiver(t)
	epID, _ := w.endpoint(key, rc.URL)
	const waiting = 5 // the app delivers 2 per attempt: three batches
	var ids []string
	for i := range waiting {
		id := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer,
			body: complaintBody(dark, map[string]any{"order_no": fmt.Sprintf("XY-%d", i)})}), http.StatusCreated)["id"].(string)
		if s := w.accept(id)["status"]; s != "awaiting_contact" {
			t.Fatalf("accepted for a platform not onboarded: %v", s)
		}
		ids = append(ids, id)
	}
	w.runJobs() // what the key and the endpoint queued finds the platform unreachable
	for _, id := range ids {
		if s := w.complaintStatus(id); s != "awaiting_contact" {
			t.Fatalf("delivered before onboarding: %s", s)
		}
	}
	before := len(w.jobs(models.JobDeliverAwaiting, dark))

	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/platforms/" + dark, token: w.admin, body: map[string]any{"onboarded": true}}), http.StatusOK)
	for _, id := range ids {
		if s := w.complaintStatus(id); s != "awaiting_contact" {
			t.Fatalf("the request delivered a complaint itself: %s", s)
		}
	}
	queued := w.jobs(models.JobDeliverAwaiting, dark)[before:]
	if len(queued) != 1 || queued[0].State != models.JobAvailable || queued[0].PlatformID != dark {
		t.Fatalf("deliver_awaiting jobs queued by the PATCH: %+v", queued)
	}
	if n := len(w.jobs(models.JobSMS, "")); n != 0 {
		t.Fatalf("%d text messages queued before delivery", n)
	}

	w.runJobs()
	job := w.jobs(models.JobDeliverAwaiting, dark)[before]
	if job.State != models.JobCompleted || job.Attempts != 3 {
		t.Fatalf("deliver_awaiting job after the run: state %s after %d attempts, want completed after 3 batches", job.State, job.Attempts)
	}
	for _, id := range ids {
		own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: w.consumer}), http.StatusOK)
		tl := own["timeline"].([]any)
		last := tl[len(tl)-1].(map[string]any)
		if own["status"] != "delivered" || last["from"] != "awaiting_contact" || last["actor_type"] != "system" {
			t.Fatalf("after the job: %v, %v", own["status"], last)
		}
	}
	evs := w.eventsOf(dark, models.EventComplaintDelivered)
	if len(evs) != waiting {
		t.Fatalf("%d delivered events, want %d", len(evs), waiting)
	}
	for _, ev := range evs {
		if j := w.jobs(models.JobWebhookDelivery, ev.ID); len(j) != 1 || j[0].Destination != epID {
			t.Fatalf("delivery jobs of %s: %+v", ev.ID, j)
		}
	}
	sms := w.jobs(models.JobSMS, "")
	if len(sms) != waiting {
		t.Fatalf("%d text-message jobs, want %d", len(sms), waiting)
	}
	for _, j := range sms {
		if j.State != models.JobCompleted {
			t.Fatalf("text-message job %s is %s", j.ID, j.State)
		}
	}
}

// TestTextMessagesGoThroughTheQueue: a message is sent by its job, once, and marked sent; a
// job that runs again for a sent message sends nothing; a provider that refuses is tried again
// with a growing wait, and after five refusals the message is failed and its job discarded.
func TestTextMessagesGoThroughTheQueue(t *testing.T) {
	t.Run("sent once", func(t *testing.T) {
		sms := &smsProvider{}
		w := newWorldWith(t, func(o *appOptions) { o.sms = sms })
		id := w.file(w.consumer, nil)["id"].(string)
		w.accept(id)
		if calls, _ := sms.count(); calls != 0 {
			t.Fatalf("the request sent %d messages itself", calls)
		}
		w.runJobs()
		n := w.notification(id)
		if calls, sent := sms.count(); calls != 1 || sent != 1 || !strings.Contains(sms.sent[0], "13800138000 【电诉宝】") {
			t.Fatalf("provider: %d calls, %v", calls, sms.sent)
		}
		if n.Status != models.NotificationSent || n.SentAt == nil || n.Attempts != 1 {
			t.Fatalf("notification: %+v", n)
		}
		// The same job once more (its first record came late): nothing is sent again.
		jobs := w.jobs(models.JobSMS, n.ID)
		res := w.svc.JobHandlers()[models.JobSMS](context.Background(), &jobs[0])
		if calls, _ := sms.count(); calls != 1 || res.State != models.JobCompleted {
			t.Fatalf("a sent message ran again: %d calls, %+v", calls, res)
		}
	})
	t.Run("refused then sent", func(t *testing.T) {
		sms := &smsProvider{failFirst: 2}
		w := newWorldWith(t, func(o *appOptions) { o.sms = sms })
		id := w.file(w.consumer, nil)["id"].(string)
		w.accept(id)
		w.runJobs()
		n := w.notification(id)
		job := w.jobs(models.JobSMS, n.ID)[0]
		if n.Status != models.NotificationPending || n.Attempts != 1 || n.LastError == nil || job.State != models.JobAvailable ||
			!job.DueAt.After(w.clock.Now()) || job.LastError == nil {
			t.Fatalf("after a refusal: %+v, job %+v", n, job)
		}
		if w.runJobs() != 0 {
			t.Fatal("tried again before its wait")
		}
		w.clock.Advance(time.Hour)
		w.runJobs()
		w.clock.Advance(time.Hour)
		w.runJobs()
		n = w.notification(id)
		if calls, sent := sms.count(); calls != 3 || sent != 1 || n.Status != models.NotificationSent || n.Attempts != 3 {
			t.Fatalf("after two refusals: %d calls, %d sent, %+v", calls, sent, n)
		}
	})
	t.Run("given up after five", func(t *testing.T) {
		sms := &smsProvider{failFirst: -1}
		w := newWorldWith(t, func(o *appOptions) { o.sms = sms })
		id := w.file(w.consumer, nil)["id"].(string)
		w.accept(id)
		for range 8 {
			w.runJobs()
			w.clock.Advance(time.Hour)
		}
		n := w.notification(id)
		job := w.jobs(models.JobSMS, n.ID)[0]
		if calls, _ := sms.count(); calls != 5 || n.Status != models.NotificationFailed || n.Attempts != 5 ||
			job.State != models.JobDiscarded || job.FinishedAt == nil {
			t.Fatalf("after five refusals: %d calls, %+v, job %+v", calls, n, job)
		}
		list := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=13800138000", token: w.adminToken()}), http.StatusOK)["data"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["status"] != "failed" {
			t.Fatalf("notifications: %v", list)
		}
	})
	t.Run("claimed before its message can be read", func(t *testing.T) {
		sms := &smsProvider{}
		w := newWorldWith(t, func(o *appOptions) { o.sms = sms })
		handle := w.svc.JobHandlers()[models.JobSMS]
		job := models.Job{ID: models.NewID(), Kind: models.JobSMS, State: models.JobRunning, Ref: models.NewID(),
			Destination: "sms", CreatedAt: w.clock.Now()}
		if res := handle(context.Background(), &job); res.State != models.JobAvailable || !res.Unattempted ||
			!res.DueAt.After(w.clock.Now()) {
			t.Fatalf("a message that cannot be read yet: %+v", res)
		}
		job.CreatedAt = w.clock.Now().Add(-2 * queue.UnseenGrace)
		if res := handle(context.Background(), &job); res.State != models.JobDiscarded {
			t.Fatalf("a message still missing after the grace: %+v", res)
		}
		if calls, _ := sms.count(); calls != 0 {
			t.Fatalf("%d messages sent", calls)
		}
	})
}

func (a *testApp) notification(complaintID string) models.Notification {
	a.t.Helper()
	var ns []models.Notification
	if err := a.st.DB().Where("complaint_id = ?", complaintID).Find(&ns).Error; err != nil || len(ns) != 1 {
		a.t.Fatalf("notifications of %s: %d, %v", complaintID, len(ns), err)
	}
	return ns[0]
}

// TestAutoCompleteJob: the job completes a replied complaint nobody rated once it is due by
// the service clock, puts itself back when the clock is behind, and leaves a rated complaint
// alone.
func TestAutoCompleteJob(t *testing.T) {
	w := newWorld(t)
	handle := w.svc.JobHandlers()[models.JobAutoComplete]
	job := func(ref string) *models.Job {
		t0 := w.clock.Now()
		return &models.Job{ID: models.NewID(), Kind: models.JobAutoComplete, State: models.JobRunning, DueAt: t0, Ref: ref,
			Destination: "complaint", CreatedAt: t0, UpdatedAt: t0}
	}
	replied := func(order string) (string, time.Time) {
		id := w.file(w.consumer, map[string]any{"order_no": order})["id"].(string)
		w.accept(id)
		r := w.reply(w.key, id, "已退款，请查收。")
		at, _ := time.Parse(time.RFC3339Nano, r["first_replied_at"].(string))
		return id, at
	}
	unrated, repliedAt := replied("AC-1")
	rated, _ := replied("AC-2")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + rated + "/rating", token: w.consumer, body: map[string]any{"score": 8}}), http.StatusOK)
	ratedBefore := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + rated, token: w.consumer}), http.StatusOK)

	// Not yet due: back to the queue for when it is.
	res := handle(context.Background(), job(unrated))
	if want := repliedAt.Add(360 * time.Hour); res.State != models.JobAvailable || !res.DueAt.Equal(want) || w.complaintStatus(unrated) != "replied" {
		t.Fatalf("before its time: %+v (want due %v), complaint %s", res, want, w.complaintStatus(unrated))
	}

	w.advance(360 * time.Hour)
	if res := handle(context.Background(), job(unrated)); res.State != models.JobCompleted {
		t.Fatalf("due: %+v", res)
	}
	own := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + unrated, token: w.consumer}), http.StatusOK)
	tl := own["timeline"].([]any)
	last := tl[len(tl)-1].(map[string]any)
	if own["status"] != "completed" || last["from"] != "replied" || last["actor_type"] != "system" || own["rating"] != nil {
		t.Fatalf("auto-completed: %v, %v", own["status"], last)
	}
	// Run again (a retried job): nothing more happens.
	if res := handle(context.Background(), job(unrated)); res.State != models.JobCompleted {
		t.Fatalf("again: %+v", res)
	}
	if again := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + unrated, token: w.consumer}), http.StatusOK); again["version"] != own["version"] {
		t.Fatalf("a second run changed the complaint: version %v → %v", own["version"], again["version"])
	}

	if res := handle(context.Background(), job(rated)); res.State != models.JobCompleted {
		t.Fatalf("rated: %+v", res)
	}
	after := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + rated, token: w.consumer}), http.StatusOK)
	if after["version"] != ratedBefore["version"] || after["rating"].(map[string]any)["score"] != float64(8) {
		t.Fatalf("a rated complaint changed: %v → %v", ratedBefore["version"], after["version"])
	}
	if res := handle(context.Background(), job("no-such-complaint")); res.State != models.JobDiscarded {
		t.Fatalf("unknown complaint: %+v", res)
	}
}
