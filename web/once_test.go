package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

var onceInput = regexp.MustCompile(`name="once" value="([^"]+)"`)

// tokens are the csrf and submission tokens of the first form on the page at path.
func (b *browser) tokens(t *testing.T, path string) (csrf, once string) {
	t.Helper()
	p := b.get(t, path)
	c, o := csrfInput.FindStringSubmatch(p.body), onceInput.FindStringSubmatch(p.body)
	if c == nil || o == nil {
		t.Fatalf("%s (%d): no csrf or once input", path, p.code)
	}
	return c[1], o[1]
}

// myComplaints is what the person's list holds, read through the service.
func (s *accountSite) myComplaints(t *testing.T, b *browser) []service.ComplaintView {
	t.Helper()
	p := b.get(t, "/me")
	if p.code != http.StatusOK {
		t.Fatalf("/me: %d", p.code)
	}
	var out []service.ComplaintView
	for _, m := range regexp.MustCompile(`href="/me/complaints/([0-9a-f]+)"`).FindAllStringSubmatch(p.body, -1) {
		v, err := s.svc.Complaints.Get(context.Background(), &models.Principal{Kind: models.PrincipalPerson, Role: models.RoleAdmin}, m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *v)
	}
	return out
}

// A form sent twice with its submission token (a reload after a lost answer) runs once: the
// second answer leads where the first did. A refused submission records nothing and may be
// corrected and sent with the same token; another person's use of a token is theirs.
func TestFormSubmittedTwiceRunsOnce(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139061", "郑六")
	csrf, once := b.tokens(t, "/me/complaints/new")

	bad := s.filing(csrf)
	bad.Set("once", once)
	bad.Set("title", "")
	if p := b.postMultipart(t, "/me/complaints/new", bad, "", nil); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("a refused filing: %d", p.code)
	}
	good := s.filing(csrf)
	good.Set("once", once)
	for i := 0; i < 2; i++ {
		p := b.postMultipart(t, "/me/complaints/new", good, "订单截图.png", pngBytes)
		if p.code != http.StatusSeeOther || p.header.Get("Location") != "/me?filed=1" {
			t.Fatalf("filing %d: %d %s %s", i+1, p.code, p.header.Get("Location"), p.body)
		}
	}
	mine := s.myComplaints(t, b)
	if len(mine) != 1 || len(mine[0].Evidence) != 1 {
		t.Fatalf("two submissions of one form made %d complaints", len(mine))
	}

	// A withdrawal sent twice: the second is not refused as a change of a withdrawn complaint.
	id := mine[0].ID
	csrf, once = b.tokens(t, "/me/complaints/"+id)
	form := url.Values{"csrf": {csrf}, "once": {once}, "reason": {"已与商家协商解决"}}
	for i := 0; i < 2; i++ {
		p := b.post(t, "/me/complaints/"+id+"/withdraw", form)
		if p.code != http.StatusSeeOther || p.header.Get("Location") != "/me/complaints/"+id+"?done=1" {
			t.Fatalf("withdrawal %d: %d %s", i+1, p.code, p.body)
		}
	}
	if v := s.myComplaints(t, b)[0]; v.Status != string(models.StatusWithdrawn) {
		t.Fatalf("status %s", v.Status)
	}
	// Without the token the second withdrawal is what it is: a change of a withdrawn complaint.
	delete(form, "once")
	if p := b.post(t, "/me/complaints/"+id+"/withdraw", form); p.code == http.StatusSeeOther || p.code >= 500 {
		t.Fatalf("a withdrawal of a withdrawn complaint: %d", p.code)
	}

	// Another consumer sending the first one's token files their own complaint.
	other := s.browser()
	other.register(t, "13900139062", "郑七")
	ocsrf, _ := other.tokens(t, "/me/complaints/new")
	theirs := s.filing(ocsrf)
	theirs.Set("once", good.Get("once"))
	if p := other.postMultipart(t, "/me/complaints/new", theirs, "", nil); p.code != http.StatusSeeOther {
		t.Fatalf("another's filing: %d %s", p.code, p.body)
	}
	if n := len(s.myComplaints(t, other)); n != 1 {
		t.Fatalf("another consumer's token replayed the first one's answer: %d complaints", n)
	}
}

// A double click whose two requests run at once makes one complaint, and both answers lead to
// the list.
func TestFormDoubleClickRunsOnce(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139063", "郑八")
	csrf, once := b.tokens(t, "/me/complaints/new")
	form := s.filing(csrf)
	form.Set("once", once)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	_ = mw.Close()
	body := buf.Bytes()
	const n = 4
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := httptest.NewRequest(http.MethodPost, "/me/complaints/new", bytes.NewReader(body))
			r.Header.Set("Content-Type", mw.FormDataContentType())
			for _, c := range b.cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			s.h.ServeHTTP(w, r)
			if w.Header().Get("Location") == "/me?filed=1" {
				codes[i] = w.Code
			} else {
				codes[i] = -w.Code
			}
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusSeeOther {
			t.Fatalf("submission %d of a double click answered %d", i, c)
		}
	}
	if got := len(s.myComplaints(t, b)); got != 1 {
		t.Fatalf("a double click made %d complaints", got)
	}
}
