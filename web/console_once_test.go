package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// twice posts form to path two times and requires both answers to be 303s to the same page
// (the second from the first's record): the first answer's status may be want instead.
func (b *browser) twice(t *testing.T, path string, form url.Values, want int) (first, second page) {
	t.Helper()
	first, second = b.post(t, path, form), b.post(t, path, form)
	if first.code != want || second.code != http.StatusSeeOther {
		t.Fatalf("%s sent twice: %d then %d %s", path, first.code, second.code, second.body)
	}
	if want == http.StatusSeeOther && first.header.Get("Location") != second.header.Get("Location") {
		t.Fatalf("%s sent twice led to %s then %s", path, first.header.Get("Location"), second.header.Get("Location"))
	}
	return first, second
}

// The console's forms that make or decide something run once when sent twice with their
// submission token: an accept, a platform, an API key, a staff account.
func TestConsoleFormsSubmittedTwiceRunOnce(t *testing.T) {
	s, admin, mod := consoleAdmin(t)
	consumer := s.browser()
	consumer.register(t, "13900139071", "钱一")
	id := consumer.file(t, s, s.platformID, "TB2026112700071", "商家拒绝退款，客服一直不回复消息，订单显示已签收但从未收到货物。")

	csrf, once := mod.tokens(t, "/console/complaints/"+id)
	mod.twice(t, "/console/complaints/"+id+"/accept", url.Values{"csrf": {csrf}, "once": {once}}, http.StatusSeeOther)
	v, err := s.svc.Complaints.Get(t.Context(), &models.Principal{Kind: models.PrincipalPerson, Role: models.RoleAdmin}, id)
	if err != nil || v.Status != string(models.StatusDelivered) {
		t.Fatalf("accepted: %v %+v", err, v)
	}

	csrf, once = admin.tokens(t, "/console/platforms")
	mk := url.Values{"csrf": {csrf}, "once": {once}, "name": {"一次网"}, "slug": {"yici"}, "sector": {"digital_retail"}}
	admin.twice(t, "/console/platforms", mk, http.StatusSeeOther)
	if platformBySlug(t, s, "yici") == nil {
		t.Fatal("the platform was not created")
	}

	path := "/console/platforms/" + s.platformID
	csrf, once = admin.tokens(t, path) // the key form is the page's only form with a submission token
	_, again := admin.twice(t, path+"/keys", url.Values{"csrf": {csrf}, "once": {once}, "name": {"双击"}}, http.StatusCreated)
	if loc := again.header.Get("Location"); loc != path+"?done=issued" {
		t.Fatalf("the second submission of the key form led to %s", loc)
	}
	if p := admin.get(t, again.header.Get("Location")); !strings.Contains(p.body, "密钥只在生成时显示一次") {
		t.Fatalf("the page a second submission leads to does not say why no key is shown: %s", p.body)
	}
	keys, _, err := s.svc.Platforms.ListAPIKeys(t.Context(), s.platformID, models.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range keys {
		if k.Name == "双击" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the key form sent twice issued %d keys", n)
	}

	csrf, once = admin.tokens(t, "/console/staff")
	staff := url.Values{"csrf": {csrf}, "once": {once}, "role": {"moderator"}, "email": {"twice@example.com"},
		"real_name": {"审核员乙"}, "password": {"correct-horse-9"}}
	admin.twice(t, "/console/staff", staff, http.StatusSeeOther)
	if p := s.browser().login(t, "twice@example.com", "correct-horse-9"); p.code != http.StatusSeeOther {
		t.Fatalf("the new moderator's sign-in: %d", p.code)
	}
}
