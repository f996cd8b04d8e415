package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// Accepting through the form delivers the complaint as the service's Accept does, with its
// timeline entry, and says so on the queue; a second accept is refused on the complaint's
// page (409), a form without its token or from a consumer's session changes nothing.
func TestReviewAcceptForm(t *testing.T) {
	s := newAccountSite(t, false)
	ctx := context.Background()
	consumer := s.browser()
	consumer.register(t, "13900139061", "孙一")
	id := consumer.file(t, s, s.platformID, "TB3001", abusiveDescription)
	modP, mod := s.moderator(t)
	path := "/console/complaints/" + id

	if p := mod.post(t, path+"/accept", url.Values{}); p.code != http.StatusForbidden {
		t.Fatalf("accept without csrf: %d", p.code)
	}
	if p := consumer.post(t, path+"/accept", url.Values{"csrf": {consumer.csrf(t, "/me")}}); p.code != http.StatusForbidden {
		t.Fatalf("a consumer's accept: %d", p.code)
	}
	if v, _ := s.svc.Complaints.Get(ctx, modP, id); v.Status != string(models.StatusPendingReview) {
		t.Fatalf("refused accepts changed the complaint: %s", v.Status)
	}

	p := mod.post(t, path+"/accept", url.Values{"csrf": {mod.csrf(t, path)}})
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/console/complaints?done="+id {
		t.Fatalf("accept: %d %q %s", p.code, p.header.Get("Location"), p.body)
	}
	v, err := s.svc.Complaints.Get(ctx, modP, id)
	if err != nil || v.Status != string(models.StatusDelivered) {
		t.Fatalf("after accept: %v %+v", err, v)
	}
	found := false
	for _, e := range *v.Timeline {
		found = found || (e.To == string(models.StatusDelivered) && e.ActorType == string(models.ActorModerator))
	}
	if !found {
		t.Fatalf("no timeline entry of the moderator's delivery: %+v", *v.Timeline)
	}
	q := mod.get(t, p.header.Get("Location"))
	checkHTML(t, "/console/complaints?done", q)
	mustContain(t, "/console/complaints?done", q.body, "已受理并递交", v.Number)

	again := mod.post(t, path+"/accept", url.Values{"csrf": {mod.csrf(t, path)}})
	if again.code != http.StatusConflict {
		t.Fatalf("accepting twice: %d", again.code)
	}
	checkHTML(t, path, again)
	mustContain(t, path, again.body, "当前状态下不能进行此操作", v.Number)
	if strings.Contains(again.body, `id="accept"`) {
		t.Error("a delivered complaint still offers the accept form")
	}
	if w, _ := s.svc.Complaints.Get(ctx, modP, id); w.Version != v.Version {
		t.Errorf("the second accept changed the complaint: version %d → %d", v.Version, w.Version)
	}
}

// Rejecting needs a reason and a note, refused beside the fields in Chinese with nothing
// changed; with both the complaint is rejected for that reason, and the complainant reads it.
func TestReviewRejectForm(t *testing.T) {
	s := newAccountSite(t, false)
	ctx := context.Background()
	consumer := s.browser()
	consumer.register(t, "13900139062", "孙二")
	id := consumer.file(t, s, s.platformID, "TB3002", "11月1日购买手机一部，商家至今未发货，申请退款被拒绝。")
	modP, mod := s.moderator(t)
	path := "/console/complaints/" + id

	if p := mod.post(t, path+"/reject", url.Values{"reason": {"duplicate"}, "note": {"重复"}}); p.code != http.StatusForbidden {
		t.Fatalf("reject without csrf: %d", p.code)
	}
	bad := mod.post(t, path+"/reject", url.Values{"csrf": {mod.csrf(t, path)}, "reason": {"bogus"}, "note": {""}})
	if bad.code != http.StatusUnprocessableEntity {
		t.Fatalf("reject without reason and note: %d", bad.code)
	}
	checkHTML(t, path, bad)
	mustContain(t, path, bad.body, "请选择退回原因", "此项为必填项", "请修改标出的项目")
	if v, _ := s.svc.Complaints.Get(ctx, modP, id); v.Status != string(models.StatusPendingReview) || v.Rejection != nil {
		t.Fatalf("refused rejects changed the complaint: %s", v.Status)
	}

	note := "请补充订单截图和付款凭证后再次提交。"
	p := mod.post(t, path+"/reject", url.Values{"csrf": {mod.csrf(t, path)}, "reason": {"missing_information"}, "note": {note}})
	if p.code != http.StatusSeeOther || p.header.Get("Location") != "/console/complaints?done="+id {
		t.Fatalf("reject: %d %s", p.code, p.body)
	}
	v, err := s.svc.Complaints.Get(ctx, modP, id)
	if err != nil || v.Status != string(models.StatusRejected) || v.Rejection == nil ||
		v.Rejection.ReasonCode != "missing_information" || v.Rejection.Note != note {
		t.Fatalf("after reject: %v %+v", err, v)
	}
	mustContain(t, "/console/complaints?done", mod.get(t, p.header.Get("Location")).body, "已不予受理")
	mine := consumer.get(t, "/me/complaints/"+id)
	mustContain(t, "/me/complaints/"+id, mine.body, "经审核投诉不予受理", "投诉信息缺少重要部分", note)
	if again := mod.post(t, path+"/reject", url.Values{"csrf": {mod.csrf(t, path)}, "reason": {"other"}, "note": {"再次"}}); again.code != http.StatusConflict {
		t.Fatalf("rejecting twice: %d", again.code)
	}
}
