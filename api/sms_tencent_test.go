package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/tencentfake"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/sms"
)

// tencentWorld is a world whose text messages go to Tencent Cloud SMS, played by a local
// server that verifies the SDK's signatures.
func tencentWorld(t *testing.T) (*world, *tencentfake.Server) {
	t.Helper()
	srv := tencentfake.New(t, "AKIDtest", "test-secret-key")
	sender, err := sms.NewTencent(sms.TencentConfig{SecretID: "AKIDtest", SecretKey: "test-secret-key", SDKAppID: "1400006666",
		SignName: "电诉宝", Region: "ap-guangzhou", Endpoint: srv.URL,
		Templates: map[string]string{models.NotifyRejected: "3001", models.NotifyDelivered: "3002", models.NotifyReplied: "3003"}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return newWorldWith(t, func(o *appOptions) { o.sms = sender }), srv
}

// TestTencentSMSEndToEnd: an accepted complaint's message goes from its sms job through the
// SDK to the provider's endpoint, signed; the provider's 502 leaves it pending with a wait,
// the next attempt sends it, and the listing says sent. The request is the delivered
// template with the parameters that, filled in, are the stored text.
func TestTencentSMSEndToEnd(t *testing.T) {
	w, srv := tencentWorld(t)
	srv.Script(tencentfake.Answer{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"})
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	w.runJobs()
	n := w.notification(id)
	job := w.jobs(models.JobSMS, n.ID)[0]
	if n.Status != models.NotificationPending || n.Attempts != 1 || n.LastError == nil || !strings.Contains(*n.LastError, "HTTP 502") ||
		job.State != models.JobAvailable || !job.DueAt.After(w.clock.Now()) {
		t.Fatalf("after a 502: %+v, job %+v", n, job)
	}
	w.advance(time.Hour)
	w.runJobs()
	n = w.notification(id)
	if n.Status != models.NotificationSent || n.Attempts != 2 || n.SentAt == nil {
		t.Fatalf("after the retry: %+v (refused %v)", n, srv.Refused())
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || len(srv.Refused()) != 0 {
		t.Fatalf("%d signed requests, refused %v", len(reqs), srv.Refused())
	}
	r := reqs[1]
	if r.TemplateId != "3002" || r.SignName != "电诉宝" || !slices.Equal(r.PhoneNumberSet, []string{"+86" + n.Phone}) ||
		r.SessionContext != n.ID || !slices.Equal(r.TemplateParamSet, n.Params) {
		t.Fatalf("request: %+v for %+v", r, n)
	}
	if filled := fill(models.NotifyDelivered, r.TemplateParamSet); filled != n.Text {
		t.Fatalf("the template filled in is\n%s\nthe stored text\n%s", filled, n.Text)
	}
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + n.Phone, token: w.admin}), http.StatusOK)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["status"] != "sent" {
		t.Fatalf("listing: %v", list)
	}
}

// TestTencentSMSRejection: the rejection's note travels as its own parameter, and a number
// the provider calls malformed fails the message at once instead of five times.
func TestTencentSMSRejection(t *testing.T) {
	w, srv := tencentWorld(t)
	srv.Script(tencentfake.Answer{Code: "InvalidParameterValue.IncorrectPhoneNumber"})
	id := w.file(w.consumer, nil)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + id + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "missing_information", "note": "请补充订单号。"}}), http.StatusOK)
	w.runJobs()
	n := w.notification(id)
	job := w.jobs(models.JobSMS, n.ID)[0]
	if n.Status != models.NotificationFailed || n.Attempts != 1 || job.State != models.JobDiscarded {
		t.Fatalf("a malformed number: %+v, job %+v", n, job)
	}
	r := srv.Requests()[0]
	if r.TemplateId != "3001" || len(r.TemplateParamSet) != 4 || r.TemplateParamSet[2] != "请补充订单号" || fill(models.NotifyRejected, r.TemplateParamSet) != n.Text ||
		!strings.Contains(n.Text, "说明：请补充订单号。您可补充信息") {
		t.Fatalf("request %+v for text %s", r, n.Text)
	}
	w.clock.Advance(24 * time.Hour)
	if w.runJobs() != 0 || len(srv.Requests()) != 1 {
		t.Fatal("an undeliverable message was tried again")
	}
}

// fill is what the provider does with a registered template: the sign, then the body with
// {1}, {2}, … replaced.
func fill(kind string, params []string) string {
	text := service.SMSTemplates[kind]
	for i := len(params); i >= 1; i-- {
		text = strings.ReplaceAll(text, "{"+string(rune('0'+i))+"}", params[i-1])
	}
	return "【电诉宝】" + text
}
