package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A signed-in complainant's pages spend the same per-person budget as their API requests.
func TestMePagesSpendThePersonsBudget(t *testing.T) {
	s := newAccountSiteLimited(t, false, 4)
	b := s.browser()
	b.register(t, "13900139011", "赵六")
	codes := []int{}
	for range 6 {
		codes = append(codes, b.get(t, "/me").code)
	}
	if codes[0] != http.StatusOK || codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Fatalf("six /me pages on a budget of four a minute: %v", codes)
	}
}

// A form's body is bounded before its token is looked at: an anonymous sign-in form of
// 200 KiB is refused without being held.
func TestFormBodiesAreSmall(t *testing.T) {
	s := newAccountSite(t, false)
	anon := s.browser()
	anon.csrf(t, "/login")
	big := url.Values{"account": {strings.Repeat("1", 200<<10)}, "password": {"x"}}
	if p := anon.post(t, "/login", big); p.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 200 KiB sign-in form: %d", p.code)
	}
}

// A merchant's filing form is refused before its file is read, so nothing is stored.
func TestMerchantFilingStoresNoFile(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	p := b.post(t, "/register", url.Values{"csrf": {b.csrf(t, "/register")}, "role": {"merchant"},
		"phone": {"13900139012"}, "password": {"correct-horse-9"}, "real_name": {"钱七"}, "shop_name": {"钱七小店"}})
	if p.code != http.StatusSeeOther {
		t.Fatalf("register a merchant: %d %s", p.code, p.body)
	}
	// The consumer's form sends a merchant to the refund-only one; a post to it is refused.
	if p := b.get(t, "/me/complaints/new"); p.code != http.StatusSeeOther || p.header.Get("Location") != "/me/complaints/refund-only" {
		t.Fatalf("a merchant opening the consumer's form: %d %s", p.code, p.header.Get("Location"))
	}
	form := s.filing(b.csrf(t, "/me"))
	if p := b.postMultipart(t, "/me/complaints/new", form, "截图.png", pngBytes); p.code != http.StatusForbidden {
		t.Fatalf("a merchant's filing: %d", p.code)
	}
	var n int64
	if err := s.st.DB().Table("evidence").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("evidence rows after a refused filing: %d %v", n, err)
	}
}
