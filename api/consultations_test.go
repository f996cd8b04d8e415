package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

const consultQuestion = "商家拒绝退款，我能否要求平台先行赔付？"

// ask requests a consultation on a complaint as token, with an optional specialty.
func (w *world) ask(token, complaintID, specialty string) map[string]any {
	w.t.Helper()
	body := map[string]any{"question": consultQuestion}
	if specialty != "" {
		body["preferred_specialty"] = specialty
	}
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/complaints/" + complaintID + "/consultations", token: token, body: body}),
		http.StatusCreated)
}

// notificationKinds are the kinds of the messages to the phone, newest first, after the work
// queue sent them; each names the complaint's number.
func (w *world) notificationKinds(phone, number string) []string {
	w.t.Helper()
	w.runJobs()
	n := expect(w.t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + phone, token: w.admin}), http.StatusOK)
	var kinds []string
	for _, it := range n["data"].([]any) {
		m := it.(map[string]any)
		if m["status"] != "logged" || !strings.Contains(m["text"].(string), number) {
			w.t.Errorf("notification: %v", m)
		}
		kinds = append(kinds, m["kind"].(string))
	}
	return kinds
}

// A consultation's whole life: assigned at once by specialty, answered at the lawyer's desk
// (who sees the complaint with the complainant's contact), followed up, closed; the
// complainant is texted on assignment and on each answer, and nothing moves a closed one.
func TestConsultationLifecycle(t *testing.T) {
	w := newWorld(t)
	lawyerID, lawyer := w.lawyer("wang@example.com", "ecommerce_law")
	c := w.file(w.consumer, map[string]any{"contact_phone": "13900139000"})
	id := c["id"].(string)
	con := w.ask(w.consumer, id, "ecommerce_law")
	cid := con["id"].(string)
	if con["status"] != "assigned" || con["status_label"] != "律师处理中" || con["lawyer"].(map[string]any)["id"] != lawyerID ||
		con["assigned_at"] == nil || con["preferred_specialty"].(map[string]any)["label"] != "电子商务法" {
		t.Fatalf("requested: %v", con)
	}

	list := expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations", token: lawyer}), http.StatusOK)
	if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["id"] != cid {
		t.Fatalf("the lawyer's list: %v", list)
	}
	desk := expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations/" + cid, token: lawyer}), http.StatusOK)
	complaint := desk["complaint"].(map[string]any)
	if complaint["id"] != id || complaint["contact_phone"] != "13900139000" || complaint["contact_name"] != "张三" || complaint["timeline"] != nil {
		t.Fatalf("the lawyer's complaint: %v", complaint)
	}
	answered := expect(t, w.do(req{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", token: lawyer,
		body: map[string]any{"body": "根据《电子商务法》第三十八条，平台未尽审核义务的应承担相应责任。"}}), http.StatusCreated)
	if answered["status"] != "answered" || answered["answered_at"] == nil || len(answered["messages"].([]any)) != 1 {
		t.Fatalf("answered: %v", answered)
	}
	own := expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + cid + "/messages", token: w.consumer,
		body: map[string]any{"body": "补充：商家承诺过七天无理由退货。"}}), http.StatusCreated)
	if own["status"] != "assigned" || len(own["messages"].([]any)) != 2 || own["messages"].([]any)[1].(map[string]any)["author_type"] != "complainant" {
		t.Fatalf("followed up: %v", own)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", token: lawyer,
		body: map[string]any{"body": "承诺可作为证据，建议截图保存。"}}), http.StatusCreated)
	closed := expect(t, w.do(req{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/close", token: lawyer}), http.StatusOK)
	if closed["status"] != "closed" || closed["closed_at"] == nil {
		t.Fatalf("closed: %v", closed)
	}
	for _, rq := range []req{
		{method: "POST", path: "/api/v1/consultations/" + cid + "/messages", token: w.consumer, body: map[string]any{"body": "还在吗？"}},
		{method: "POST", path: "/api/v1/consultations/" + cid + "/cancel", token: w.consumer},
		{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", token: lawyer, body: map[string]any{"body": "再补充一点。"}},
		{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/close", token: lawyer},
	} {
		expect(t, w.do(rq), http.StatusConflict, "invalid_state")
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/consultations/" + cid, token: w.consumer}), http.StatusOK)
	if got["status"] != "closed" || len(got["messages"].([]any)) != 3 || got["version"] != float64(6) {
		t.Errorf("the complainant's view: %v", got)
	}
	mine := expect(t, w.do(req{method: "GET", path: "/api/v1/consultations?status=closed", token: w.consumer}), http.StatusOK)
	if len(mine["data"].([]any)) != 1 {
		t.Errorf("own list: %v", mine)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/consultations?status=open", token: w.consumer}), http.StatusUnprocessableEntity, "validation_failed")
	kinds := w.notificationKinds("13900139000", c["number"].(string))
	if strings.Join(kinds, ",") != "consultation_answered,consultation_answered,consultation_assigned" {
		t.Errorf("notification kinds (newest first): %v", kinds)
	}
}

// The specialty rule: of the active lawyers with an enabled account who practise the
// specialty, the one with the fewest open consultations, ties by the lowest id; without a
// match it waits for staff, who assign (texting the complainant) only an assignable lawyer.
func TestConsultationAssignment(t *testing.T) {
	w := newWorld(t)
	first, _ := w.lawyer("a@example.com", "contract_law")
	second, _ := w.lawyer("b@example.com", "contract_law", "ip_law")
	inactive, _ := w.lawyer("c@example.com", "contract_law")
	expect(t, w.do(req{method: "PATCH", path: "/api/v1/admin/lawyers/" + inactive, token: w.admin, body: map[string]any{"active": false}}), http.StatusOK)
	unlinked := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/lawyers", token: w.admin,
		body: lawyerBody(map[string]any{"specialties": []string{"contract_law"}})}), http.StatusCreated)["id"].(string)
	lawyerOf := func(con map[string]any) any {
		if l, ok := con["lawyer"].(map[string]any); ok {
			return l["id"]
		}
		return nil
	}
	a := w.file(w.consumer, nil)["id"].(string)
	b := w.file(w.consumer, map[string]any{"order_no": "TB2026112600002"})["id"].(string)
	// Equal loads: the lowest id; then the other, which has fewer.
	if got := lawyerOf(w.ask(w.consumer, a, "contract_law")); got != first {
		t.Fatalf("first assignment to %v, want %s", got, first)
	}
	if got := lawyerOf(w.ask(w.consumer, a, "contract_law")); got != second {
		t.Fatalf("second assignment to %v, want %s", got, second)
	}
	// A closed consultation no longer counts, a disabled account is passed over.
	users := userIDs(t, expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?role=lawyer", token: w.admin}), http.StatusOK))
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + users[0] + "/disable", token: w.admin}), http.StatusOK)
	if got := lawyerOf(w.ask(w.consumer, b, "contract_law")); got != second {
		t.Fatalf("with the first lawyer disabled: %v, want %s", got, second)
	}

	// No lawyer practises it: it waits for staff.
	waiting := w.ask(w.consumer, b, "internet_law")
	wid := waiting["id"].(string)
	if waiting["status"] != "requested" || waiting["lawyer"] != nil {
		t.Fatalf("unmatched: %v", waiting)
	}
	queue := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/consultations?status=requested", token: w.admin}), http.StatusOK)
	if d := queue["data"].([]any); len(d) != 1 || d[0].(map[string]any)["id"] != wid {
		t.Fatalf("the queue: %v", queue)
	}
	assign := func(lawyerID string) *response {
		return w.do(req{method: "POST", path: "/api/v1/admin/consultations/" + wid + "/assign", token: w.admin,
			body: map[string]any{"lawyer_id": lawyerID}})
	}
	for _, id := range []string{inactive, unlinked, first, "no-such-lawyer", ""} {
		expect(t, assign(id), http.StatusUnprocessableEntity, "validation_failed")
	}
	assigned := expect(t, assign(second), http.StatusOK)
	if assigned["status"] != "assigned" || lawyerOf(assigned) != second {
		t.Fatalf("assigned: %v", assigned)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + wid + "/cancel", token: w.consumer}), http.StatusOK)
	expect(t, assign(second), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/consultations/nope/assign", token: w.admin,
		body: map[string]any{"lawyer_id": second}}), http.StatusNotFound, "not_found")
}

// A lawyer sees only what is assigned to them: another lawyer's consultation and its complaint
// are 404 to them, their list is empty, and a lawyer account without a profile sees nothing.
func TestLawyerSeesOnlyTheirConsultations(t *testing.T) {
	w := newWorld(t)
	_, mine := w.lawyer("mine@example.com", "ip_law")
	_, other := w.lawyer("other@example.com", "contract_law")
	_, bare, _ := w.staffAccount(w.admin, "lawyer", "bare@example.com", "律师")
	id := w.file(w.consumer, nil)["id"].(string)
	cid := w.ask(w.consumer, id, "ip_law")["id"].(string)
	for _, token := range []string{other, bare} {
		for _, rq := range []req{
			{method: "GET", path: "/api/v1/lawyer/consultations/" + cid},
			{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", body: map[string]any{"body": "答复"}},
			{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/close"},
			{method: "GET", path: "/api/v1/complaints/" + id},
			{method: "GET", path: "/api/v1/consultations/" + cid},
		} {
			rq.token = token
			if r := w.do(rq); r.Code != http.StatusNotFound && r.Code != http.StatusForbidden {
				t.Errorf("%s %s as another lawyer: %d", rq.method, rq.path, r.Code)
			}
			if r := w.do(rq); strings.Contains(rq.path, "/lawyer/") && r.Code != http.StatusNotFound {
				t.Errorf("%s %s as another lawyer: %d, want 404", rq.method, rq.path, r.Code)
			}
		}
		list := expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations", token: token}), http.StatusOK)
		if len(list["data"].([]any)) != 0 {
			t.Errorf("another lawyer's list: %v", list)
		}
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations/" + cid, token: mine}), http.StatusOK)
	// Reassigned, it leaves the first lawyer's desk.
	profiles := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/lawyers?specialty=contract_law", token: w.admin}), http.StatusOK)
	otherID := profiles["data"].([]any)[0].(map[string]any)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/consultations/" + cid + "/assign", token: w.admin,
		body: map[string]any{"lawyer_id": otherID}}), http.StatusOK)
	expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations/" + cid, token: mine}), http.StatusNotFound, "not_found")
	expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations/" + cid, token: other}), http.StatusOK)
}

// Only the complaint's own complainant asks, at most 3 open consultations a complaint; a
// cancelled one frees a place. The ownership check comes before anything is stored.
func TestConsultationRequestRules(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	other, _ := w.register("consumer")
	path := "/api/v1/complaints/" + id + "/consultations"
	expect(t, w.do(req{method: "POST", path: path, token: other, body: map[string]any{"question": consultQuestion}}), http.StatusNotFound, "not_found")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/nope/consultations", token: w.consumer,
		body: map[string]any{"question": consultQuestion}}), http.StatusNotFound, "not_found")
	for name, body := range map[string]map[string]any{
		"short question":    {"question": "能退吗"},
		"unknown specialty": {"question": consultQuestion, "preferred_specialty": "tax_law"},
		"unknown member":    {"question": consultQuestion, "lawyer_id": "x"},
	} {
		if r := w.do(req{method: "POST", path: path, token: w.consumer, body: body}); r.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", name, r.Code)
		}
	}
	var ids []string
	for range 3 {
		ids = append(ids, w.ask(w.consumer, id, "")["id"].(string))
	}
	r := expect(t, w.do(req{method: "POST", path: path, token: w.consumer, body: map[string]any{"question": consultQuestion}}), http.StatusConflict, "limit_reached")
	if l := r["limit"].(map[string]any); l["name"] != "open_consultations_per_complaint" || l["max"] != float64(3) {
		t.Errorf("limit: %v", r)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + ids[0] + "/cancel", token: other}), http.StatusNotFound, "not_found")
	cancelled := expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + ids[0] + "/cancel", token: w.consumer}), http.StatusOK)
	if cancelled["status"] != "cancelled" {
		t.Fatalf("cancelled: %v", cancelled)
	}
	// The same key and body replay the first answer; nothing more is stored.
	key := map[string]string{"Idempotency-Key": "consult-1"}
	first := w.do(req{method: "POST", path: path, token: w.consumer, body: map[string]any{"question": consultQuestion}, header: key})
	again := w.do(req{method: "POST", path: path, token: w.consumer, body: map[string]any{"question": consultQuestion}, header: key})
	if first.Code != http.StatusCreated || again.Code != http.StatusCreated || string(first.Body) != string(again.Body) ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d %s", first.Code, again.Code, again.Header)
	}
	var n int64
	w.st.DB().Model(&models.Consultation{}).Where("complaint_id = ?", id).Count(&n)
	if n != 4 {
		t.Errorf("%d consultations stored, want 4", n)
	}
}

// Erasing a complainant empties their consultations in the erasure's transaction: the question
// and their own messages become [已删除], the open ones are cancelled, and the lawyer no longer
// sees them.
func TestErasureEmptiesConsultations(t *testing.T) {
	w := newWorld(t)
	_, lawyer := w.lawyer("erase@example.com", "consumer_law")
	id := w.file(w.consumer, nil)["id"].(string)
	open := w.ask(w.consumer, id, "consumer_law")["id"].(string)
	closed := w.ask(w.consumer, id, "consumer_law")["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + open + "/messages", token: w.consumer,
		body: map[string]any{"body": "我的身份证号是110101199003071234。"}}), http.StatusCreated)
	// The lawyer's recorded answer shows the complainant's contact: the erasure deletes it too.
	answer := req{method: "POST", path: "/api/v1/lawyer/consultations/" + closed + "/messages", token: lawyer,
		body: map[string]any{"body": "建议向市场监管部门投诉。"}, header: map[string]string{"Idempotency-Key": "answer-1"}}
	expect(t, w.do(answer), http.StatusCreated)
	expect(t, w.do(req{method: "POST", path: "/api/v1/lawyer/consultations/" + closed + "/close", token: lawyer}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/users/" + w.consumerID + "/erase", token: w.admin}), http.StatusOK)

	var cs []models.Consultation
	w.st.DB().Order("id").Find(&cs)
	if len(cs) != 2 {
		t.Fatalf("%d consultations", len(cs))
	}
	for _, c := range cs {
		if c.Question != models.ErasedText {
			t.Errorf("%s: question %q", c.ID, c.Question)
		}
		want := models.ConsultationClosed
		if c.ID == open {
			want = models.ConsultationCancelled
		}
		if c.Status != want {
			t.Errorf("%s: %s, want %s", c.ID, c.Status, want)
		}
	}
	var ms []models.ConsultationMessage
	w.st.DB().Find(&ms)
	for _, m := range ms {
		if (m.AuthorType == models.ConsultantComplainant) != (m.Body == models.ErasedText) {
			t.Errorf("message by %s: %q", m.AuthorType, m.Body)
		}
	}
	if r := w.do(answer); r.Code != http.StatusNotFound || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the lawyer's answer replayed after the erasure: %d %s", r.Code, r.Body)
	}
	for _, cid := range []string{open, closed} {
		expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations/" + cid, token: lawyer}), http.StatusNotFound, "not_found")
	}
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/lawyer/consultations", token: lawyer}), http.StatusOK)
	if n := len(list["data"].([]any)); n != 0 {
		t.Errorf("the lawyer's list shows %d erased consultations", n)
	}
}

// A thread takes at most DSB_MAX_MESSAGES_PER_CONSULTATION messages, from either side.
func TestConsultationThreadLimit(t *testing.T) {
	w := newWorldWith(t, func(o *appOptions) { o.maxima = service.Limits{MessagesPerConsultation: 2} })
	_, lawyer := w.lawyer("limit@example.com", "ip_law")
	cid := w.ask(w.consumer, w.file(w.consumer, nil)["id"].(string), "ip_law")["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", token: lawyer,
		body: map[string]any{"body": "第一条答复。"}}), http.StatusCreated)
	expect(t, w.do(req{method: "POST", path: "/api/v1/consultations/" + cid + "/messages", token: w.consumer,
		body: map[string]any{"body": "追问一句。"}}), http.StatusCreated)
	for _, rq := range []req{
		{method: "POST", path: "/api/v1/lawyer/consultations/" + cid + "/messages", token: lawyer, body: map[string]any{"body": "第二条答复。"}},
		{method: "POST", path: "/api/v1/consultations/" + cid + "/messages", token: w.consumer, body: map[string]any{"body": "再追问。"}},
	} {
		r := expect(t, w.do(rq), http.StatusConflict, "limit_reached")
		if l := r["limit"].(map[string]any); l["name"] != "messages_per_consultation" || l["max"] != float64(2) {
			t.Errorf("limit: %v", r)
		}
	}
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/consultations/" + cid, token: w.consumer}), http.StatusOK)
	if got["status"] != "assigned" || len(got["messages"].([]any)) != 2 {
		t.Errorf("after the refusals: %v", got)
	}
}

// Concurrent requests on one complaint count its open consultations under the complaint's
// lock: however they interleave, exactly the limit's number get through.
func TestConcurrentConsultationRequests(t *testing.T) {
	w := newWorld(t)
	path := "/api/v1/complaints/" + w.file(w.consumer, nil)["id"].(string) + "/consultations"
	codes := make(chan int, 6)
	for range 6 {
		go func() {
			codes <- w.do(req{method: "POST", path: path, token: w.consumer, body: map[string]any{"question": consultQuestion}}).Code
		}()
	}
	created := 0
	for range 6 {
		switch c := <-codes; c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("status %d", c)
		}
	}
	if created != 3 {
		t.Errorf("%d consultations created, want 3", created)
	}
}

// The lawyer a consultation is assigned to opens the complaint's evidence, as the complaint's
// view lists it; another lawyer does not, and a reassignment moves the access with it.
func TestLawyerOpensTheComplaintsEvidence(t *testing.T) {
	w := newWorld(t)
	_, mine := w.lawyer("mine@example.com", "ip_law")
	_, other := w.lawyer("other@example.com", "contract_law")
	ev := expect(t, w.upload(w.consumer, "截图.png", "image/png", testPNG(t)), http.StatusCreated)["id"].(string)
	id := w.file(w.consumer, map[string]any{"evidence_ids": []string{ev}})["id"].(string)
	cid := w.ask(w.consumer, id, "ip_law")["id"].(string)
	path := "/api/v1/evidence/" + ev
	opens := func(token string) bool {
		return w.do(req{method: "GET", path: path, token: token}).Code == http.StatusOK
	}
	if !opens(mine) || opens(other) {
		t.Fatalf("before reassignment: assigned lawyer %v, another %v", opens(mine), opens(other))
	}
	profiles := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/lawyers?specialty=contract_law", token: w.admin}), http.StatusOK)
	otherID := profiles["data"].([]any)[0].(map[string]any)["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/consultations/" + cid + "/assign", token: w.admin,
		body: map[string]any{"lawyer_id": otherID}}), http.StatusOK)
	if opens(mine) || !opens(other) {
		t.Fatalf("after reassignment: first lawyer %v, new one %v", opens(mine), opens(other))
	}
}
