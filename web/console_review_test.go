package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// moderator creates a moderator account and returns its principal and a browser signed in as it.
func (s *accountSite) moderator(t *testing.T) (*models.Principal, *browser) {
	t.Helper()
	u, err := s.svc.Accounts.CreateStaff(context.Background(), service.CreateStaffRequest{Role: "moderator",
		Email: "mod@example.com", Password: "correct-horse-9", RealName: "审核员甲"})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	if p := b.login(t, "mod@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("moderator sign-in: %d", p.code)
	}
	return &models.Principal{Kind: models.PrincipalPerson, UserID: u.ID, Role: models.RoleModerator}, b
}

// file files the site's standard consumer complaint with another order number, platform and
// description, and returns its id.
func (b *browser) file(t *testing.T, s *accountSite, platformID, orderNo, description string) string {
	t.Helper()
	form := s.filing(b.csrf(t, "/me/complaints/new"))
	form.Set("platform_id", platformID)
	form.Set("order_no", orderNo)
	form.Set("description", description)
	if p := b.postMultipart(t, "/me/complaints/new", form, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	m := complaintLink.FindStringSubmatch(b.get(t, "/me").body) // newest first
	if m == nil {
		t.Fatal("the list links no complaint")
	}
	return m[1]
}

// queueIDs are the complaints a queue page links, in order.
func queueIDs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="/console/complaints/([0-9a-f]{20,})"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func has(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

const abusiveDescription = "11月1日购买手机一部，商家至今未发货，客服还骂人说他妈的爱买不买，<script>申请退款被拒绝。"

// The queue lists what is pending by default, and each filter really selects: status,
// platform, flag and channel leave out what they should; a filter the service refuses is a
// 422 page with the field's error in Chinese.
func TestReviewQueueFilters(t *testing.T) {
	s := newAccountSite(t, false)
	ctx := context.Background()
	ps, _, err := s.svc.Platforms.List(ctx, service.PlatformListFilter{}, models.Page{Limit: 10})
	if err != nil || len(ps) < 2 {
		t.Fatalf("platforms: %v", err)
	}
	other := ps[1].ID
	if other == s.platformID {
		other = ps[0].ID
	}
	consumer := s.browser()
	consumer.register(t, "13900139051", "钱一")
	clean := consumer.file(t, s, s.platformID, "TB1001", "11月1日购买手机一部，商家至今未发货，申请退款被拒绝。")
	abusive := consumer.file(t, s, other, "TB1002", abusiveDescription)
	merchant := s.browser()
	merchant.registerMerchant(t, "13900139052")
	if p := merchant.postMultipart(t, "/me/complaints/refund-only", s.refundFiling(merchant.csrf(t, "/me/complaints/refund-only"),
		"买家签收后以坏果为由申请仅退款，商品未退回，平台直接退款给买家。"), "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("refund-only filing: %d %s", p.code, p.body)
	}
	refund := regexp.MustCompile(`href="/me/complaints/([0-9a-f]{20,})"`).FindStringSubmatch(merchant.get(t, "/me").body)[1]

	modP, mod := s.moderator(t)
	if v, err := s.svc.Complaints.Get(ctx, modP, refund); err != nil || v.Status == string(models.StatusPendingReview) {
		t.Fatalf("a clean refund-only complaint is reviewed at once: %v %+v", err, v)
	}
	p := mod.get(t, "/console/complaints")
	checkHTML(t, "/console/complaints", p)
	mustContain(t, "/console/complaints", p.body, "审核队列", "待审核", "商品未发货且拒绝退款", "消费者投诉", "含不文明用语", `<option value="all">全部</option>`)
	ids := queueIDs(p.body)
	if !has(ids, clean) || !has(ids, abusive) || has(ids, refund) {
		t.Fatalf("the default queue (pending review): %v; want %s %s, not %s", ids, clean, abusive, refund)
	}
	for _, tc := range []struct {
		query    string
		in, out  []string
		selected string
	}{
		{"status=all", []string{clean, abusive, refund}, nil, `<option value="all" selected>`},
		{"status=" + string(models.StatusPendingReview) + "&platform_id=" + other, []string{abusive}, []string{clean, refund}, `selected>`},
		{"flag=abusive_language", []string{abusive}, []string{clean, refund}, `<option value="abusive_language" selected>`},
		{"status=all&channel=refund_only", []string{refund}, []string{clean, abusive}, `<option value="refund_only" selected>`},
		{"status=all&channel=consumer", []string{clean, abusive}, []string{refund}, `<option value="consumer" selected>`},
	} {
		path := "/console/complaints?" + tc.query
		p := mod.get(t, path)
		if p.code != http.StatusOK {
			t.Fatalf("%s: %d", path, p.code)
		}
		mustContain(t, path, p.body, tc.selected)
		ids := queueIDs(p.body)
		for _, id := range tc.in {
			if !has(ids, id) {
				t.Errorf("%s: %s missing from %v", path, id, ids)
			}
		}
		for _, id := range tc.out {
			if has(ids, id) {
				t.Errorf("%s: %s should be left out of %v", path, id, ids)
			}
		}
	}
	for query, field := range map[string]string{"status=open": "请从列表中选择状态", "channel=fax": "请从列表中选择渠道",
		"flag=rude": "请从列表中选择标记", "limit=0": "请填写 1 至 100 之间的整数", "limit=x": "请填写 1 至 100 之间的整数",
		"platform_id=nope": "请从列表中选择平台", "cursor=garbage": "翻页链接无效"} {
		p := mod.get(t, "/console/complaints?"+query)
		if p.code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", query, p.code)
			continue
		}
		checkHTML(t, query, p)
		mustContain(t, query, p.body, field)
	}
}

// limit=1 pages through every pending complaint by the rel=next links, which keep the
// filters; each page links back to the first.
func TestReviewQueuePaging(t *testing.T) {
	s := newAccountSite(t, false)
	consumer := s.browser()
	consumer.register(t, "13900139053", "钱二")
	want := map[string]bool{}
	for _, o := range []string{"TB2001", "TB2002", "TB2003"} {
		want[consumer.file(t, s, s.platformID, o, "11月1日购买手机一部，商家至今未发货，订单"+o+"申请退款被拒绝。")] = true
	}
	_, mod := s.moderator(t)
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next" accesskey="n">下一页</a>`)
	prev := regexp.MustCompile(`<a href="([^"]+)" rel="prev" accesskey="p">上一页</a>`)
	path, seen := "/console/complaints?status=pending_review&limit=1", map[string]bool{}
	var order []string
	last := ""
	for i := 0; path != ""; i++ {
		if i > 5 {
			t.Fatal("paging does not end")
		}
		p := mod.get(t, path)
		checkHTML(t, path, p)
		mustContain(t, path, p.body, `href="/console/complaints?limit=1&amp;status=pending_review" rel="first"`)
		ids := queueIDs(p.body)
		if len(ids) != 1 || seen[ids[0]] {
			t.Fatalf("%s: %v (seen %v)", path, ids, seen)
		}
		seen[ids[0]] = true
		order = append(order, ids[0])
		last = p.body
		path = ""
		if m := next.FindStringSubmatch(p.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
			q, _ := url.ParseQuery(path[strings.Index(path, "?")+1:])
			if q.Get("limit") != "1" || q.Get("status") != "pending_review" || q.Get("cursor") == "" {
				t.Fatalf("the next link loses the filters: %s", path)
			}
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("paged through %d of %d", len(seen), len(want))
	}
	// Back from the last page through rel=prev, page by page, to the first (which has none).
	body := last
	for i := len(order) - 2; i >= 0; i-- {
		m := prev.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("page %d has no link back", i+2)
		}
		back := strings.ReplaceAll(m[1], "&amp;", "&")
		p := mod.get(t, back)
		if ids := queueIDs(p.body); len(ids) != 1 || ids[0] != order[i] {
			t.Fatalf("back to page %d (%s): %v, want %s", i+1, back, ids, order[i])
		}
		body = p.body
	}
	if prev.MatchString(body) {
		t.Fatal("the first page links back")
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("%s never shown", id)
		}
	}
}

// The staff view shows every fact and marks the screening hit where it occurs, escaped; the
// evidence downloads under /console; a consumer reaches neither.
func TestReviewComplaintFullView(t *testing.T) {
	s := newAccountSite(t, false)
	consumer := s.browser()
	consumer.register(t, "13900139054", "钱三")
	form := s.filing(consumer.csrf(t, "/me/complaints/new"))
	form.Set("description", abusiveDescription)
	if p := consumer.postMultipart(t, "/me/complaints/new", form, "订单截图.png", pngBytes); p.code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", p.code, p.body)
	}
	id := complaintLink.FindStringSubmatch(consumer.get(t, "/me").body)[1]
	// A supplement's hit is marked in that supplement's text.
	if p := consumer.postMultipart(t, "/me/complaints/"+id+"/supplements", url.Values{"csrf": {consumer.csrf(t, "/me/complaints/"+id)},
		"text": {"补充：客服又说傻逼才退款 & 拒绝处理"}}, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("supplement: %d %s", p.code, p.body)
	}
	_, mod := s.moderator(t)
	path := "/console/complaints/" + id
	p := mod.get(t, path)
	checkHTML(t, path, p)
	mustContain(t, path, p.body, "商品未发货且拒绝退款", "TB2026112612345", "199.00", "退款", "张三", "138", "退款问题",
		"消费者投诉", "待审核", "含不文明用语", `<mark class="hit">他妈的</mark>`, "&lt;script&gt;", "订单截图.png",
		"“他妈的”出现在投诉内容", "补充：客服又说<mark class=\"hit\">傻逼</mark>才退款 &amp; 拒绝处理", "出现在第 1 条补充说明", `id="accept"`, `id="reject"`, `<select id="reason" name="reason">`, `<textarea id="note" name="note">`,
		models.RejectionReasonLabels[models.RejectMissingInformation])
	if strings.Contains(p.body, "<script>") {
		t.Fatal("the complaint's text is not escaped")
	}
	ev := regexp.MustCompile(`href="(/console/evidence/[0-9a-f]+)"`).FindStringSubmatch(p.body)
	if ev == nil {
		t.Fatal("no evidence link")
	}
	got := mod.get(t, ev[1])
	if got.code != http.StatusOK || got.body != string(pngBytes) || !strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the moderator's download: %d %q", got.code, got.header.Get("Content-Disposition"))
	}
	for _, path := range []string{"/console/complaints", path, ev[1], "/console/evidence/x"} {
		if p := consumer.get(t, path); p.code != http.StatusForbidden || strings.Contains(p.body, "PNG") {
			t.Errorf("a consumer's session on %s: %d", path, p.code)
		}
	}
	if p := mod.get(t, "/console/complaints/nope"); p.code != http.StatusNotFound {
		t.Errorf("an unknown complaint: %d", p.code)
	}
}
