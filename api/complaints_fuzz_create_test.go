package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

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
