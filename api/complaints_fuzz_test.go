package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz targets drive the real router with bodies nobody would send on purpose. Whatever
// arrives, the answer is never a 5xx, every refusal is a problem document, and what is
// accepted is what the contract (API.md 5.2) allows. Each target builds one app outside
// f.Fuzz; inside, requests go straight to the handler and failures land on the iteration's t.
//
//	go test ./api/ -run '^$' -fuzz FuzzCreateComplaint -fuzztime 30s
//	go test ./api/ -run '^$' -fuzz FuzzComplaintActions -fuzztime 30s

// fuzzApp is a test app with an admin, a reachable platform with a key, and a consumer.
type fuzzApp struct {
	*testApp
	admin, consumer, platformID, key string
	// consumerEvidence and platformEvidence are uploaded by the consumer and the platform.
	consumerEvidence, platformEvidence string
	seq                                int
}

// shortMinimize caps how long the fuzzer minimises each new interesting input, unless
// -fuzzminimizetime was given: every execution here goes through the router to a database,
// and go test's default of 60 s per input would spend a whole 30 s run minimising one.
func shortMinimize() {
	set := false
	flag.Visit(func(fl *flag.Flag) { set = set || fl.Name == "test.fuzzminimizetime" })
	if !set {
		_ = flag.Set("test.fuzzminimizetime", "5s")
	}
}

func newFuzzApp(f *testing.F) *fuzzApp {
	f.Helper()
	shortMinimize()
	// The clock never moves and a fuzz run sends far more than the usual test budget.
	a := newApp(f, func(o *appOptions) { o.rateLimit = 1 << 30 })
	fa := &fuzzApp{testApp: a, admin: a.adminToken()}
	fa.consumer, _ = a.register("consumer")
	fa.platformID = a.createPlatform(fa.admin, "fuzz", map[string]any{"name": "模糊测试平台", "onboarded": true,
		"after_sales_contact": map[string]string{"phone": "95188"}})["id"].(string)
	fa.key, _ = a.issueKey(fa.admin, fa.platformID)
	fa.consumerEvidence = expect(f, a.upload(fa.consumer, "截图.png", "image/png", testPNG(f)), http.StatusCreated)["id"].(string)
	fa.platformEvidence = expect(f, a.upload(fa.key, "凭证.png", "image/png", pngPadded(2048)), http.StatusCreated)["id"].(string)
	// A body over the 1 MiB cap is checked once here rather than seeded: the fuzzer would spend
	// its time mutating and minimising megabyte inputs.
	big := complaintBody(fa.platformID, map[string]any{"description": strings.Repeat("x", 1<<20)})
	expect(f, a.do(req{method: "POST", path: "/api/v1/complaints", token: fa.consumer, body: big}), http.StatusRequestEntityTooLarge)
	return fa
}

// nextOrder is an order number no earlier request used, so that the duplicate rule stays out
// of the way of the templated requests.
func (fa *fuzzApp) nextOrder() string {
	fa.seq++
	return fmt.Sprintf("FUZZ%08d", fa.seq)
}

// post sends one request to the router and checks what every API response must satisfy,
// reporting on t (the fuzz iteration's, never the app's). It returns the decoded body.
func (fa *fuzzApp) post(t *testing.T, path, token string, body []byte) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	fa.h.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("POST %s: server error %d for body %q:\n%s", path, w.Code, clip(body), w.Body.Bytes())
	}
	if w.Header().Get("X-Request-ID") == "" {
		t.Errorf("POST %s: no X-Request-ID", path)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("POST %s: %d with a body that is not a JSON object (%v): %q", path, w.Code, err, clip(w.Body.Bytes()))
	}
	if w.Code >= 200 && w.Code < 300 {
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("POST %s: %d with Content-Type %q", path, w.Code, ct)
		}
		return w.Code, m
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("POST %s: %d with Content-Type %q, want application/problem+json", path, w.Code, ct)
	}
	if code, _ := m["code"].(string); code == "" || m["status"] != float64(w.Code) || m["type"] == nil || m["title"] == nil {
		t.Fatalf("POST %s: %d with a body that is not a problem: %s", path, w.Code, w.Body.Bytes())
	}
	if w.Code == http.StatusUnprocessableEntity {
		// Without an Idempotency-Key every 422 here is a validation failure or an unknown member,
		// naming its fields.
		errs, _ := m["errors"].([]any)
		if (m["code"] != "validation_failed" && m["code"] != "unknown_field") || len(errs) == 0 {
			t.Fatalf("POST %s: 422 without field errors: %s", path, w.Body.Bytes())
		}
		for _, e := range errs {
			fe, _ := e.(map[string]any)
			if f, _ := fe["field"].(string); f == "" {
				t.Fatalf("POST %s: field error without a field: %s", path, w.Body.Bytes())
			}
			if msg, _ := fe["message"].(string); msg == "" {
				t.Fatalf("POST %s: field error without a message: %s", path, w.Body.Bytes())
			}
		}
	}
	return w.Code, m
}

// must is post for the set-up steps inside an iteration: anything but want fails it.
func (fa *fuzzApp) must(t *testing.T, path, token string, body any, want int) map[string]any {
	t.Helper()
	var j []byte // nil: no body, for the commands that take none
	if body != nil {
		var err error
		if j, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	code, m := fa.post(t, path, token, j)
	if code != want {
		t.Fatalf("POST %s: %d, want %d: %v", path, code, want, m)
	}
	return m
}

func clip(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "…"...)
	}
	return b
}

// allowed fails t unless status is one of want.
func allowed(t *testing.T, what string, status int, m map[string]any, want ...int) {
	t.Helper()
	for _, w := range want {
		if status == w {
			return
		}
	}
	t.Fatalf("%s: unexpected status %d: %v", what, status, m)
}

var (
	issueTypes = map[string]bool{"refund": true, "quality": true, "false_advertising": true, "unfair_terms": true,
		"delivery": true, "after_sales": true, "privacy": true, "fraud": true, "other": true}
	// moneyRe is API.md's money: 0.00 to 99999999.99, at most two decimals (no sign, exponent,
	// spaces or leading zeros).
	moneyRe  = regexp.MustCompile(`^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$`)
	numberRx = regexp.MustCompile(`^DSB[0-9]{14}$`)
)

// canonicalMoney is the two-decimal form of a string moneyRe accepts.
func canonicalMoney(s string) string {
	i, frac, _ := strings.Cut(s, ".")
	return i + "." + (frac + "00")[:2]
}

// titleVerdict says whether the service must accept a title as JSON delivers it (invalid
// UTF-8 becomes U+FFFD on both sides) and whether the case is one where the contract and the
// service may reasonably differ.
func titleVerdict(s string) (ok, unsure bool) {
	s = string([]rune(s))
	for _, r := range s {
		if r == '\r' {
			// API.md allows tab and newline only; the service also lets CR through.
			unsure = true
		} else if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return false, false
		}
	}
	if strings.TrimSpace(s) == "" {
		return false, false
	}
	n, trimmed := utf8.RuneCountInString(s), utf8.RuneCountInString(strings.TrimSpace(s))
	if (n >= 5 && n <= 100) != (trimmed >= 5 && trimmed <= 100) {
		// The service counts the title before trimming it, and stores it trimmed.
		unsure = true
	}
	return n >= 5 && n <= 100, unsure
}

func (fa *fuzzApp) validBody(overrides map[string]any) []byte {
	b, _ := json.Marshal(complaintBody(fa.platformID, overrides))
	return b
}

// checkCreated checks a 201 complaint of the consumer channel.
func checkCreated(t *testing.T, m map[string]any) {
	t.Helper()
	if m["status"] != "pending_review" || m["status_label"] != "待审核" || m["channel"] != "consumer" {
		t.Fatalf("201 complaint not pending_review on the consumer channel: %v", m)
	}
	if n, _ := m["number"].(string); !numberRx.MatchString(n) {
		t.Fatalf("201 complaint with number %q", n)
	}
	if id, _ := m["id"].(string); id == "" {
		t.Fatalf("201 complaint without id: %v", m)
	}
	if _, has := m["flags"]; has {
		t.Fatalf("the owner sees flags: %v", m)
	}
	if a, ok := m["amount"].(string); ok && !moneyRe.MatchString(a) {
		t.Fatalf("201 complaint with amount %q", a)
	}
	if it, _ := m["issue_type"].(string); !issueTypes[it] {
		t.Fatalf("201 complaint with issue_type %q", it)
	}
}

func FuzzCreateComplaint(f *testing.F) {
	fa := newFuzzApp(f)
	long := strings.Repeat("长", 6000)
	valid := string(fa.validBody(nil))
	// withRaw splices raw bytes in as the title's JSON string content.
	withRaw := func(raw string) []byte {
		return []byte(strings.Replace(valid, `"title":"商品未发货且拒绝退款"`, `"title":"`+raw+`"`, 1))
	}
	raws := [][]byte{
		[]byte(valid),
		fa.validBody(map[string]any{"order_no": nil, "amount": nil}),
		fa.validBody(map[string]any{"evidence_ids": []string{fa.consumerEvidence}, "order_no": "EV1"}),
		fa.validBody(map[string]any{"evidence_ids": []string{fa.platformEvidence}, "order_no": "EV2"}),
		fa.validBody(map[string]any{"order_no": "   ", "demands": []string{"refund", "exchange", "compensation", "apology", "other"}}),
		fa.validBody(map[string]any{"contact_phone": "+8613800138000", "order_no": "P86"}),
		nil, []byte(""), []byte("{}"), []byte("null"), []byte("[]"), []byte(`""`), []byte("0"), []byte("true"),
		[]byte("{"), []byte(`{"title":`), []byte(valid + "{}"), []byte(valid + " "), []byte("\xef\xbb\xbf" + valid),
		// Wrong types.
		[]byte(`{"platform_id":1}`), []byte(`{"demands":"refund"}`), []byte(`{"demands":[1,2]}`), []byte(`{"demands":[null]}`),
		[]byte(`{"declaration_accepted":"true"}`), []byte(`{"amount":19.99}`), []byte(`{"evidence_ids":{}}`),
		[]byte(`{"evidence_ids":[{}]}`), []byte(`{"order_no":null,"amount":null,"title":null}`), []byte(`{"title":{"a":1}}`),
		fa.validBody(map[string]any{"amount": 1999, "order_no": "T1"}),
		fa.validBody(map[string]any{"declaration_accepted": 1, "order_no": "T2"}),
		fa.validBody(map[string]any{"order_no": 12345}),
		// Huge numbers.
		[]byte(`{"amount":1e400}`), []byte(`{"declaration_accepted":1e999}`), []byte(`{"title":123456789012345678901234567890}`),
		[]byte(`{"demands":[-1e308,1e308]}`),
		// Deep nesting, at the top and inside a member.
		[]byte(strings.Repeat("[", 20000) + strings.Repeat("]", 20000)),
		[]byte(`{"demands":` + strings.Repeat("[", 12000) + strings.Repeat("]", 12000) + `}`),
		[]byte(`{"a":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5001)),
		// Invalid UTF-8 and control characters, escaped and raw.
		withRaw("\xff\xfe商品未发货"), withRaw("商品\xc3\x28未发货"), withRaw(`商品未发货\u0000拒绝退款`),
		withRaw("商品未发货\x01拒绝退款"), withRaw(`商品未发货\u001b[31m`), withRaw(`商品未发货\u007f拒绝`),
		withRaw(`商品未发货\u0085拒绝`), withRaw(`商品未发货\ud800拒绝`), withRaw(`商品未发货\u2028拒绝`),
		withRaw(`商品未发货\r\n拒绝`), withRaw(`	商品	未发货	`),
		// Over every length limit.
		fa.validBody(map[string]any{"title": long}), fa.validBody(map[string]any{"description": long}),
		fa.validBody(map[string]any{"order_no": long}), fa.validBody(map[string]any{"contact_name": long}),
		fa.validBody(map[string]any{"platform_id": long}), fa.validBody(map[string]any{"contact_phone": long}),
		fa.validBody(map[string]any{"demands": []string{long}}), fa.validBody(map[string]any{"evidence_ids": []string{long}}),
		fa.validBody(map[string]any{"amount": long}), fa.validBody(map[string]any{"issue_type": long}),
		fa.validBody(map[string]any{"evidence_ids": make([]string, 5000)}),
		fa.validBody(map[string]any{"demands": strings.Split(strings.Repeat("refund,", 5000), ",")}),
		// Money strings.
		fa.validBody(map[string]any{"amount": "1e3"}), fa.validBody(map[string]any{"amount": "-0.00"}),
		fa.validBody(map[string]any{"amount": "99999999.999"}), fa.validBody(map[string]any{"amount": "99999999.99", "order_no": "MAX"}),
		fa.validBody(map[string]any{"amount": "0x10"}), fa.validBody(map[string]any{"amount": "NaN"}),
		// Duplicate members: the last one wins.
		[]byte(strings.Replace(valid, `{`, `{"title":"x",`, 1)),
	}
	for _, raw := range raws {
		f.Add(raw, "refund", "1999.00", "商品未发货且拒绝退款")
	}
	templates := [][3]string{
		{"quality", "1e3", "商品质量存在严重问题"}, {"other", "-0.00", "其他问题需要平台处理"},
		{"fraud", "99999999.999", "涉嫌诈骗的商家行为"}, {"delivery", "99999999.99", "发货物流严重延误"},
		{"after_sales", "0.00", "售后服务不到位"}, {"privacy", "0", "个人信息被泄露"}, {"unfair_terms", "0.5", "霸王条款"},
		{"false_advertising", "00.50", "虚假宣传的商品详情"}, {"REFUND", "1.00", "商品未发货且拒绝退款"},
		{"refund ", " 1.00", "商品未发货且拒绝退款"}, {"", "", ""}, {"refund\x00", "+1.00", "商品\x00未发货"},
		{"refund", "1.", "   abc"}, {"refund", ".5", "abc  \t\n"}, {"refund", "１２", "\xff\xfe\xfd\xfc\xfb"},
		{"refund", "1_000", strings.Repeat("长", 101)}, {"refund", "100000000", strings.Repeat("长", 100)},
		{"refund", "Infinity", strings.Repeat("x", 6000)}, {"refund", "1.999", "商品未发货\r拒绝退款"},
		{"refund", "9223372036854775807", "商品\u200b未发货"}, {"refund", "0.01", "\u0085\u0085\u0085\u0085\u0085"},
		// Valid money, titles at the edges.
		{"refund", "1.00", "   abc"}, {"refund", "1.5", "abc  \t\n"}, {"refund", "10", "商品未发货\r拒绝退款"},
		{"refund", "0.10", "商品\t未发货\n拒绝"}, {"refund", "7", "\u3000\u3000商品未发货"}, {"refund", "8.8", "12345"},
		{"refund", "99.9", strings.Repeat("长", 100) + " "}, {"refund", "3", "商品未发货\x7f"},
	}
	for _, tp := range templates {
		f.Add([]byte("{}"), tp[0], tp[1], tp[2])
	}

	f.Fuzz(func(t *testing.T, raw []byte, issueType, amount, title string) {
		// The body as it came.
		status, m := fa.post(t, "/api/v1/complaints", fa.consumer, raw)
		allowed(t, "raw body", status, m, http.StatusCreated, http.StatusBadRequest, http.StatusConflict,
			http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
		switch status {
		case http.StatusCreated:
			checkCreated(t, m)
		case http.StatusConflict:
			if m["code"] != "duplicate_complaint" || m["existing_id"] == nil {
				t.Fatalf("409 that is not a duplicate with existing_id: %v", m)
			}
		}

		// A valid complaint with three fields taken from the fuzzer: the answer is 201 exactly
		// when the contract allows them.
		body, err := json.Marshal(complaintBody(fa.platformID, map[string]any{"issue_type": issueType, "amount": amount,
			"title": title, "order_no": fa.nextOrder()}))
		if err != nil {
			t.Fatal(err)
		}
		status, m = fa.post(t, "/api/v1/complaints", fa.consumer, body)
		allowed(t, "templated body", status, m, http.StatusCreated, http.StatusUnprocessableEntity)
		titleOK, unsure := titleVerdict(title)
		want := issueTypes[issueType] && moneyRe.MatchString(amount) && titleOK
		if got := status == http.StatusCreated; got != want && !(unsure && issueTypes[issueType] && moneyRe.MatchString(amount)) {
			t.Fatalf("issue_type %q, amount %q, title %q: status %d, want created=%v: %v", issueType, amount, title, status, want, m)
		}
		if status == http.StatusCreated {
			checkCreated(t, m)
			if m["amount"] != canonicalMoney(amount) || m["issue_type"] != issueType {
				t.Fatalf("amount %q stored as %v, issue_type %q as %v", amount, m["amount"], issueType, m["issue_type"])
			}
		}
	})
}

// Actions the second target fuzzes, on a complaint kept in a state that admits each.
const (
	actSupplement = iota
	actRating
	actWithdraw
	actReply
	actCount
)

var actionNames = [actCount]string{"supplements", "rating", "withdraw", "replies"}

// target returns a complaint in the state that admits action, filing a new one when the last
// was used up (rated, withdrawn, or grown long by supplements or replies).
func (fa *fuzzApp) target(t *testing.T, targets *[actCount]string, uses *[actCount]int, action int) string {
	t.Helper()
	if targets[action] != "" && uses[action] < 20 {
		return targets[action]
	}
	c := fa.must(t, "/api/v1/complaints", fa.consumer, complaintBody(fa.platformID, map[string]any{"order_no": fa.nextOrder()}), http.StatusCreated)
	id := c["id"].(string)
	if action != actSupplement {
		fa.must(t, "/api/v1/admin/complaints/"+id+"/accept", fa.admin, nil, http.StatusOK)
	}
	if action == actRating {
		fa.must(t, "/api/v1/platform/complaints/"+id+"/replies", fa.key, map[string]any{"content": "您好，已为您办理退款。"}, http.StatusCreated)
	}
	targets[action], uses[action] = id, 0
	return id
}

func FuzzComplaintActions(f *testing.F) {
	fa := newFuzzApp(f)
	long := strings.Repeat("长", 6000)
	bodies := []string{
		"", "{}", "null", "[]", `""`, "{", `{"text":`, "0", "\xef\xbb\xbf{}",
		`{"text":"已补充订单截图和付款凭证。"}`, `{"text":"补充","evidence_ids":["` + fa.consumerEvidence + `"]}`,
		`{"text":"补充","evidence_ids":["` + fa.platformEvidence + `"]}`, `{"text":""}`, `{"text":null}`, `{"text":1}`,
		`{"text":"x","evidence_ids":"x"}`, `{"text":"x","evidence_ids":[1]}`, `{"text":"x","evidence_ids":["nope"]}`,
		`{"score":8}`, `{"score":0}`, `{"score":11}`, `{"score":-1}`, `{"score":5.5}`, `{"score":"8"}`, `{"score":1e400}`,
		`{"score":-9223372036854775809}`, `{"score":9223372036854775807}`, `{"score":9223372036854775808}`,
		`{"score":8,"comment":"处理及时"}`, `{"score":8,"comment":null}`, `{"score":8,"comment":"   "}`,
		`{"score":8,"comment":"` + long + `"}`, `{"score":8,"comment":"a\u0000b"}`, `{"score":null}`, `{"score":true}`,
		`{"reason":"误操作"}`, `{"reason":""}`, `{"reason":["x"]}`, `{"reason":"` + long + `"}`, `{"reason":"a\u001bb"}`,
		`{"content":"您好，已为您办理退款，款项将在1-3个工作日内原路退回。"}`, `{"content":""}`, `{"content":"` + long + `"}`,
		`{"content":"ok","evidence_ids":["` + fa.platformEvidence + `"]}`, `{"content":"ok","evidence_ids":["` + fa.consumerEvidence + `"]}`,
		`{"content":"a\u0000b"}`, `{"content":"\ud800"}`, "{\"content\":\"raw\x01control\"}", "{\"text\":\"\xff\xfe\"}",
		`{"content":"ok","evidence_ids":` + strings.Repeat("[", 12000) + strings.Repeat("]", 12000) + `}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
	}
	for _, b := range bodies {
		for a := range actCount {
			f.Add(uint8(a), []byte(b))
		}
	}
	var (
		targets [actCount]string
		uses    [actCount]int
	)

	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		act := int(action) % actCount
		id := fa.target(t, &targets, &uses, act)
		token, path := fa.consumer, "/api/v1/complaints/"+id+"/"+actionNames[act]
		success, to := http.StatusOK, map[int]string{actSupplement: "pending_review", actRating: "completed", actWithdraw: "withdrawn"}[act]
		if act == actReply {
			token, path, success, to = fa.key, "/api/v1/platform/complaints/"+id+"/replies", http.StatusCreated, "replied"
		}
		status, m := fa.post(t, path, token, body)
		allowed(t, actionNames[act], status, m, success, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
		if status != success {
			return
		}
		uses[act]++
		if act == actRating || act == actWithdraw {
			targets[act] = "" // final: the next iteration needs a new complaint
		}
		if m["id"] != id || m["status"] != to {
			t.Fatalf("%s: %d with id %v status %v, want %s in %s", actionNames[act], status, m["id"], m["status"], id, to)
		}
	})
}
