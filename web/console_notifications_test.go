package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// A rejection of a complaint through the service sends the complainant an SMS: the log lists
// it with its kind, recipient and state, and the phone filter finds it or leaves it out.
func TestConsoleNotificationLog(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	empty := admin.get(t, "/console/notifications")
	checkHTML(t, "/console/notifications", empty)
	mustContain(t, "/console/notifications", empty.body, "没有通知记录")

	b := s.browser()
	b.register(t, "13900139051", "周九")
	if p := b.postMultipart(t, "/me/complaints/new", s.filing(b.csrf(t, "/me/complaints/new")), "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d", p.code)
	}
	m := complaintLink.FindStringSubmatch(b.get(t, "/me").body)
	if m == nil {
		t.Fatal("no complaint listed")
	}
	staff := &models.Principal{Kind: models.PrincipalPerson, UserID: models.NewID(), Role: models.RoleModerator}
	if _, err := s.svc.Complaints.Reject(t.Context(), staff, m[1], service.RejectRequest{ReasonCode: "out_of_scope",
		Note: "该问题不属于本平台受理范围。"}); err != nil {
		t.Fatal(err)
	}
	sent, _, err := s.svc.Notifications.List(t.Context(), "", models.Page{Limit: 10})
	if err != nil || len(sent) != 1 || sent[0].Kind != "rejected" {
		t.Fatalf("notifications: %+v %v", sent, err)
	}
	p := admin.get(t, "/console/notifications")
	checkHTML(t, "/console/notifications", p)
	mustContain(t, "/console/notifications", p.body, "审核未通过", sent[0].Phone, sent[0].Text)
	if f := admin.get(t, "/console/notifications?phone="+url.QueryEscape(sent[0].Phone)); !strings.Contains(f.body, "审核未通过") {
		t.Fatalf("the phone filter leaves the record out: %d", f.code)
	}
	if f := admin.get(t, "/console/notifications?phone=13700137000"); strings.Contains(f.body, "审核未通过") {
		t.Fatal("another phone's filter lists the record")
	}
	bad := admin.get(t, "/console/notifications?phone=12")
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "请填写中国大陆手机号") {
		t.Fatalf("a malformed phone: %d", bad.code)
	}
	checkHTML(t, "/console/notifications?phone=12", bad)
}

// The log pages with a rel=next link that keeps the phone filter.
func TestConsoleNotificationLogPages(t *testing.T) {
	s, admin, _ := consoleAdmin(t)
	b := s.browser()
	b.register(t, "13900139052", "吴十")
	staff := &models.Principal{Kind: models.PrincipalPerson, UserID: models.NewID(), Role: models.RoleModerator}
	for i := range 21 {
		f := s.filing(b.csrf(t, "/me/complaints/new"))
		f.Set("order_no", "TB20261126"+string(rune('A'+i)))
		if p := b.postMultipart(t, "/me/complaints/new", f, "", nil); p.code != http.StatusSeeOther {
			t.Fatalf("filing %d: %d", i, p.code)
		}
	}
	items, _, err := s.svc.Complaints.List(t.Context(), staff, service.ComplaintListFilter{}, models.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range items {
		if _, err := s.svc.Complaints.Reject(t.Context(), staff, c.ID, service.RejectRequest{ReasonCode: "duplicate", Note: "重复投诉。"}); err != nil {
			t.Fatal(err)
		}
	}
	sent, _, _ := s.svc.Notifications.List(t.Context(), "", models.Page{Limit: 1})
	p := admin.get(t, "/console/notifications?phone="+sent[0].Phone)
	m := relNext.FindStringSubmatch(p.body)
	if m == nil || !strings.Contains(m[1], "phone=") {
		t.Fatalf("no rel=next link keeping the filter (%d complaints)", len(items))
	}
	if next := admin.get(t, strings.ReplaceAll(m[1], "&amp;", "&")); next.code != http.StatusOK || !strings.Contains(next.body, "审核未通过") {
		t.Fatalf("the second page: %d", next.code)
	}
}
