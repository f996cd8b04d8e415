package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// registerMerchant signs a new merchant in through the registration form.
func (b *browser) registerMerchant(t *testing.T, phone string) {
	t.Helper()
	p := b.post(t, "/register", url.Values{"csrf": {b.csrf(t, "/register")}, "role": {"merchant"},
		"phone": {phone}, "password": {"correct-horse-9"}, "real_name": {"孙八"}, "shop_name": {"孙八果园"}})
	if p.code != http.StatusSeeOther {
		t.Fatalf("register a merchant: %d %s", p.code, p.body)
	}
}

func (s *accountSite) refundFiling(csrf, description string) url.Values {
	return url.Values{"csrf": {csrf}, "platform_id": {s.platformID}, "order_no": {"PDD20261120998877"},
		"product_name": {"有机草莓 500g"}, "refund_amount": {"59.90"}, "description": {description},
		"demands": {"refund"}, "declaration_accepted": {"1"}}
}

var complaintLocation = regexp.MustCompile(`^/me/complaints/([0-9a-f]+)\?filed=1$`)

// A merchant files a refund-only complaint through the form; a screening hit is refused with
// the advice to correct it, and the correction offered on the complaint's page replaces the
// description the platform will read.
func TestMerchantRefundOnlyFormAndCorrection(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.registerMerchant(t, "13900139021")
	if p := b.get(t, "/me"); !strings.Contains(p.body, `href="/me/complaints/refund-only"`) {
		t.Fatalf("a merchant's list links the refund-only form: %s", p.body)
	}
	form := b.get(t, "/me/complaints/refund-only")
	checkHTML(t, "/me/complaints/refund-only", form)
	mustContain(t, "/me/complaints/refund-only", form.body, "仅退款投诉", `name="product_name"`, `name="refund_amount"`)

	abusive := "买家签收后以坏果为由申请仅退款，客服就是傻逼，商品未退回。"
	p := b.postMultipart(t, "/me/complaints/refund-only", s.refundFiling(b.csrf(t, "/me/complaints/refund-only"), abusive), "截图.png", pngBytes)
	m := complaintLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.code != http.StatusSeeOther || m == nil {
		t.Fatalf("refund-only filing: %d %q %s", p.code, p.header.Get("Location"), p.body)
	}
	path := "/me/complaints/" + m[1]
	page := b.get(t, path+"?filed=1")
	mustContain(t, path, page.body, "未通过系统审核", "经审核投诉不予受理", "投诉内容含有非法或辱骂性词汇", `name="description"`, `name="product_name"`, "截图.png")
	if strings.Contains(page.body, `id="title"`) {
		t.Errorf("a refund-only complaint has no title to correct")
	}

	// A clean supplement alone keeps it rejected; the corrected description delivers it.
	csrf := b.csrf(t, path)
	p = b.postMultipart(t, path+"/supplements", url.Values{"csrf": {csrf}, "text": {"更正：已补充签收照片。"}}, "", nil)
	if p.code != http.StatusSeeOther {
		t.Fatalf("a clean supplement: %d %s", p.code, p.body)
	}
	if st := s.status(t, m[1]); st != models.StatusRejected {
		t.Fatalf("after a clean supplement only: %s", st)
	}
	corrected := "买家签收后以坏果为由申请仅退款，未提供任何照片，平台直接同意退款，商品未退回。"
	p = b.postMultipart(t, path+"/supplements", url.Values{"csrf": {csrf}, "text": {"更正投诉内容。"},
		"description": {corrected}}, "", nil)
	if p.code != http.StatusSeeOther {
		t.Fatalf("a corrected supplement: %d %s", p.code, p.body)
	}
	if st := s.status(t, m[1]); st != models.StatusDelivered && st != models.StatusAwaitingContact {
		t.Fatalf("after the correction: %s", st)
	}
	// The platform reads the corrected description only.
	platform := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: s.platformID}
	v, err := s.svc.Complaints.Get(context.Background(), platform, m[1])
	if err != nil {
		t.Fatal(err)
	}
	if v.Description != corrected || strings.Contains(fmt.Sprint(*v), "傻逼") {
		t.Fatalf("the platform's view: %+v", *v)
	}
}

// status is a complaint's status, read from the database.
func (s *accountSite) status(t *testing.T, id string) models.Status {
	t.Helper()
	var st string
	if err := s.st.DB().Table("complaints").Where("id = ?", id).Pluck("status", &st).Error; err != nil {
		t.Fatal(err)
	}
	return models.Status(st)
}

// The refund-only form shows the service's refusals beside their fields, in Chinese, and a
// consumer opening it is sent to the consumer's form.
func TestRefundOnlyFormValidation(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.registerMerchant(t, "13900139022")
	f := s.refundFiling(b.csrf(t, "/me/complaints/refund-only"), "太短")
	f.Set("order_no", "")
	f.Set("refund_amount", "12.345")
	p := b.postMultipart(t, "/me/complaints/refund-only", f, "", nil)
	if p.code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid refund-only filing: %d", p.code)
	}
	checkHTML(t, "/me/complaints/refund-only", p)
	mustContain(t, "/me/complaints/refund-only", p.body, "此项为必填项", "请填写 0.00 至 99999999.99 之间的金额", "至少需要 20 个字", `value="有机草莓 500g"`)
	for _, field := range []string{"order_no", "refund_amount", "description"} {
		re := regexp.MustCompile(`name="` + field + `"[^>]*>(?:[^<]*<[^p][^>]*>)*[^<]*<p class="error" role="alert">[^<]+</p>`)
		if !re.MatchString(p.body) {
			t.Errorf("no error beside %s", field)
		}
	}
	var n int64
	if err := s.st.DB().Table("complaints").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("complaints after a refused filing: %d %v", n, err)
	}

	c := s.browser()
	c.register(t, "13900139023", "周九")
	if p := c.get(t, "/me/complaints/refund-only"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/me/complaints/new" {
		t.Fatalf("a consumer opening the refund-only form: %d %s", p.code, p.header.Get("Location"))
	}
	if p := c.postMultipart(t, "/me/complaints/refund-only", s.refundFiling(c.csrf(t, "/me"), strings.Repeat("说明", 12)), "", nil); p.code != http.StatusForbidden {
		t.Fatalf("a consumer's refund-only filing: %d", p.code)
	}
}
