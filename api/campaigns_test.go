package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// campaignWorld is a world with a second watched platform (拼多多) and a third one the
// campaign does not watch (京东).
type campaignWorld struct {
	*world
	pddID, pddKey, jdID string
}

func newCampaignWorld(t *testing.T) *campaignWorld {
	w := newWorld(t)
	cw := &campaignWorld{world: w}
	contact := map[string]any{"onboarded": true, "after_sales_contact": map[string]string{"phone": "95188"}}
	cw.pddID = w.createPlatform(w.admin, "pinduoduo", map[string]any{"name": "拼多多", "onboarded": true, "after_sales_contact": contact["after_sales_contact"]})["id"].(string)
	cw.pddKey, _ = w.issueKey(w.admin, cw.pddID)
	cw.jdID = w.createPlatform(w.admin, "jd", contact)["id"].(string)
	return cw
}

// campaign creates a campaign as staff with the members given over the defaults.
func (w *world) campaign(token string, overrides map[string]any) map[string]any {
	w.t.Helper()
	body := map[string]any{"title": "电商平台“仅退款”调查行动", "topic": "调查电商平台“仅退款”服务的现状、漏洞与困局。",
		"start_date": "2026-11-20", "end_date": "2026-12-31", "platform_ids": []string{w.platformID},
		"issue_types": []string{"refund"}, "keywords": []string{"仅退款"}, "status": "open"}
	for k, v := range overrides {
		body[k] = v
	}
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns", token: token, body: body}), http.StatusCreated)
}

func (w *world) moveCampaign(id, status string) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/status", token: w.admin,
		body: map[string]string{"status": status}}), http.StatusOK)
}

// merchantQuestionnaire is the 仅退款 investigation's questionnaire for merchants: one question
// of each kind.
var merchantQuestionnaire = map[string]any{"audience": "merchant", "title": "电商平台“仅退款”商家调查问卷", "questions": []map[string]any{
	{"kind": "single", "text": "您的店铺是否遭遇过“仅退款”？", "required": true, "options": []string{"遭遇过", "未遭遇过"}},
	{"kind": "multiple", "text": "您遭遇“仅退款”的主要平台有哪些？", "required": true, "options": []string{"拼多多", "淘宝", "抖音电商"}},
	{"kind": "scale", "text": "“仅退款”对您经营的影响程度（1–5）", "required": true, "options": []string{}},
	{"kind": "text", "text": "您对平台“仅退款”规则有何建议？", "required": false, "options": []string{}},
}}

var consumerQuestionnaire = map[string]any{"audience": "consumer", "title": "电商平台“仅退款”消费者调查问卷", "questions": []map[string]any{
	{"kind": "single", "text": "您是否使用过“仅退款”服务？", "required": true, "options": []string{"使用过", "没有使用过"}},
}}

func (w *world) questionnaire(campaignID string, body map[string]any) map[string]any {
	w.t.Helper()
	return expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + campaignID + "/questionnaires", token: w.admin, body: body}), http.StatusCreated)
}

func questionIDs(q map[string]any) []string {
	var ids []string
	for _, qq := range q["questions"].([]any) {
		ids = append(ids, qq.(map[string]any)["id"].(string))
	}
	return ids
}

func TestCampaignStatusMachine(t *testing.T) {
	w := newWorld(t)
	c := w.campaign(w.admin, map[string]any{"status": nil})
	if c["status"] != "planned" || c["status_label"] != "筹备中" || c["reported_at"] != nil {
		t.Fatalf("created: %v", c)
	}
	id := c["id"].(string)
	move := func(status string, want int) {
		t.Helper()
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/status", token: w.admin,
			body: map[string]string{"status": status}}), want)
	}
	move("closed", http.StatusConflict)
	move("reported", http.StatusConflict)
	move("planned", http.StatusConflict)
	move("bogus", http.StatusUnprocessableEntity)
	for _, step := range []struct{ status, label string }{{"open", "进行中"}, {"closed", "已结束"}, {"reported", "已发布报告"}} {
		got := w.moveCampaign(id, step.status)
		if got["status"] != step.status || got["status_label"] != step.label {
			t.Fatalf("moved to %s: %v", step.status, got)
		}
	}
	move("open", http.StatusConflict)
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id}), http.StatusOK)
	if got["status"] != "reported" || got["reported_at"] == nil {
		t.Fatalf("reported: %v", got)
	}
	// A campaign starts planned or open, nothing else; its dates and lists are checked.
	for _, bad := range []map[string]any{{"status": "closed"}, {"start_date": "2026-02-30"}, {"end_date": "2026-11-01"},
		{"platform_ids": []string{"nope"}}, {"issue_types": []string{"nope"}}, {"keywords": []string{""}}, {"title": ""}} {
		body := map[string]any{"title": "调查行动", "topic": "主题", "start_date": "2026-11-20", "end_date": "2026-12-31",
			"platform_ids": []string{}, "issue_types": []string{}, "keywords": []string{}}
		for k, v := range bad {
			body[k] = v
		}
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns", token: w.admin, body: body}), http.StatusUnprocessableEntity, "validation_failed")
	}
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns?status=reported"}), http.StatusOK)
	if n := len(list["data"].([]any)); n != 1 {
		t.Fatalf("reported campaigns: %d", n)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns?status=nope"}), http.StatusUnprocessableEntity, "validation_failed")
}

// Filing with campaign_id joins the complaint to an open campaign that watches its platform in
// the filing's own transaction; any other campaign is 422 and nothing is stored.
func TestFilingJoinsCampaign(t *testing.T) {
	cw := newCampaignWorld(t)
	w := cw.world
	open := w.campaign(w.admin, nil)["id"].(string)
	planned := w.campaign(w.admin, map[string]any{"status": "planned"})["id"].(string)
	everyPlatform := w.campaign(w.admin, map[string]any{"platform_ids": []string{}})["id"].(string)
	count := func(table string) (n int64) {
		t.Helper()
		if err := w.st.DB().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, bad := range []struct{ campaign, platform string }{{planned, w.platformID}, {"nope", w.platformID}, {open, cw.jdID}} {
		r := w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(bad.platform,
			map[string]any{"campaign_id": bad.campaign, "order_no": fmt.Sprintf("BAD%d", i)})})
		m := expect(t, r, http.StatusUnprocessableEntity, "validation_failed")
		if fmt.Sprint(m["errors"]) == "" || count("complaints") != 0 || count("campaign_complaints") != 0 {
			t.Fatalf("refused filing %d stored something: %v", i, m)
		}
	}
	c := w.file(w.consumer, map[string]any{"campaign_id": open})
	merchant, _ := w.register("merchant")
	ro := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(cw.pddID, map[string]any{"campaign_id": everyPlatform})}), http.StatusCreated)
	w.file(w.consumer, map[string]any{"campaign_id": nil, "order_no": "TB-OTHER"})
	var rows []struct{ CampaignID, ComplaintID, Source, TaggedBy string }
	if err := w.st.DB().Table("campaign_complaints").Order("campaign_id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].CampaignID != open || rows[0].ComplaintID != c["id"] || rows[0].Source != "filing" || rows[0].TaggedBy != w.consumerID ||
		rows[1].CampaignID != everyPlatform || rows[1].ComplaintID != ro["id"] {
		t.Fatalf("memberships: %+v", rows)
	}
	// A closed campaign takes no more.
	w.moveCampaign(open, "closed")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(w.platformID,
		map[string]any{"campaign_id": open, "order_no": "TB-LATE"})}), http.StatusUnprocessableEntity, "validation_failed")
}

func TestQuestionnaireAnswers(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	q := w.questionnaire(id, merchantQuestionnaire)
	if q["audience_label"] != "商家" || q["questions"].([]any)[2].(map[string]any)["kind_label"] != "量表题（1–5分）" {
		t.Fatalf("questionnaire: %v", q)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/questionnaires", token: w.admin, body: merchantQuestionnaire}), http.StatusConflict, "invalid_state")
	for _, bad := range []map[string]any{
		{"audience": "lawyer", "title": "问卷", "questions": []map[string]any{{"kind": "text", "text": "建议", "required": false, "options": []string{}}}},
		{"audience": "consumer", "title": "问卷", "questions": []map[string]any{{"kind": "single", "text": "是否", "required": true, "options": []string{"是"}}}},
		{"audience": "consumer", "title": "问卷", "questions": []map[string]any{{"kind": "scale", "text": "程度", "required": true, "options": []string{"1"}}}},
		{"audience": "consumer", "title": "问卷", "questions": []map[string]any{}},
	} {
		expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/questionnaires", token: w.admin, body: bad}), http.StatusUnprocessableEntity, "validation_failed")
	}
	qid, qs := q["id"].(string), questionIDs(q)
	path := "/api/v1/campaigns/" + id + "/questionnaires/" + qid + "/responses"
	merchant, _ := w.register("merchant")
	good := []map[string]any{{"question_id": qs[0], "option_ids": []string{"o1"}}, {"question_id": qs[1], "option_ids": []string{"o1", "o3"}},
		{"question_id": qs[2], "scale": 4}}
	for name, answers := range map[string][]map[string]any{
		"required left out":      good[:2],
		"two options for single": {{"question_id": qs[0], "option_ids": []string{"o1", "o2"}}, good[1], good[2]},
		"unknown option":         {{"question_id": qs[0], "option_ids": []string{"o9"}}, good[1], good[2]},
		"scale out of range":     {good[0], good[1], {"question_id": qs[2], "scale": 6}},
		"wrong kind of answer":   {good[0], good[1], {"question_id": qs[2], "text": "很大"}},
		"unknown question":       {good[0], good[1], good[2], {"question_id": "nope", "text": "x"}},
		"answered twice":         {good[0], good[0], good[1], good[2]},
		"empty text":             {good[0], good[1], good[2], {"question_id": qs[3], "text": " "}},
	} {
		r := w.do(req{method: "POST", path: path, token: merchant, body: map[string]any{"answers": answers}})
		if r.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	expect(t, w.do(req{method: "POST", path: path, token: w.consumer, body: map[string]any{"answers": good}}), http.StatusForbidden, "forbidden")
	expect(t, w.do(req{method: "POST", path: path, token: merchant, body: map[string]any{"answers": good}}), http.StatusCreated)
	expect(t, w.do(req{method: "POST", path: path, token: merchant, body: map[string]any{"answers": good}}), http.StatusConflict, "already_answered")
	var n int64
	w.st.DB().Table("questionnaire_answers").Count(&n)
	if n != 4 { // o1, o1+o3, the scale
		t.Fatalf("%d answer rows, want 4", n)
	}
	// Answers are taken while the campaign is open; questionnaires added while planned or open.
	other, _ := w.register("merchant")
	w.moveCampaign(id, "closed")
	expect(t, w.do(req{method: "POST", path: path, token: other, body: map[string]any{"answers": good}}), http.StatusConflict, "invalid_state")
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/questionnaires", token: w.admin, body: consumerQuestionnaire}), http.StatusConflict, "invalid_state")
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/questionnaires"}), http.StatusOK)
	if n := len(list["data"].([]any)); n != 1 {
		t.Fatalf("%d questionnaires", n)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/nope/questionnaires"}), http.StatusNotFound)
}

// An erased account's free-text answers go with it; its choices keep counting.
func TestErasureRemovesFreeTextAnswers(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	q := w.questionnaire(id, merchantQuestionnaire)
	qs := questionIDs(q)
	merchant, _ := w.register("merchant")
	expect(t, w.do(req{method: "POST", path: "/api/v1/campaigns/" + id + "/questionnaires/" + q["id"].(string) + "/responses", token: merchant,
		body: map[string]any{"answers": []map[string]any{{"question_id": qs[0], "option_ids": []string{"o1"}}, {"question_id": qs[1], "option_ids": []string{"o2"}},
			{"question_id": qs[2], "scale": 2}, {"question_id": qs[3], "text": "我是张三，电话13800138000"}}}}), http.StatusCreated)
	// The report frozen before the erasure does not keep the words either.
	w.moveCampaign(id, "closed")
	w.moveCampaign(id, "reported")
	staffReport := func() string {
		return string(expect2(t, w.do(req{method: "GET", path: "/api/v1/admin/campaigns/" + id + "/report", token: w.admin}), http.StatusOK).Body)
	}
	if !strings.Contains(staffReport(), "13800138000") {
		t.Fatal("the staff report lacks the free-text answer before the erasure")
	}
	var frozen string
	w.st.DB().Table("campaigns").Where("id = ?", id).Select("report").Scan(&frozen)
	if strings.Contains(frozen, "13800138000") {
		t.Fatal("the frozen report stores a free-text answer")
	}
	expect(t, w.do(req{method: "DELETE", path: "/api/v1/me", token: merchant}), http.StatusOK)
	if r := staffReport(); strings.Contains(r, "13800138000") || strings.Contains(r, "张三") {
		t.Fatalf("the staff report still shows the erased person's words: %s", r)
	}
	var texts, kept int64
	w.st.DB().Table("questionnaire_answers").Where("text IS NOT NULL").Count(&texts)
	w.st.DB().Table("questionnaire_answers").Where("text IS NULL").Count(&kept)
	if texts != 0 || kept != 3 {
		t.Fatalf("after erasure: %d text answers, %d others; want 0 and 3", texts, kept)
	}
}

// A retried answer sheet with its Idempotency-Key replays the first answer instead of being
// refused as a second one.
func TestQuestionnaireAnswerReplay(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	q := w.questionnaire(id, consumerQuestionnaire)
	body := map[string]any{"answers": []map[string]any{{"question_id": questionIDs(q)[0], "option_ids": []string{"o1"}}}}
	path := "/api/v1/campaigns/" + id + "/questionnaires/" + q["id"].(string) + "/responses"
	hdr := map[string]string{"Idempotency-Key": "answer-1"}
	first := w.do(req{method: "POST", path: path, token: w.consumer, body: body, header: hdr})
	again := w.do(req{method: "POST", path: path, token: w.consumer, body: body, header: hdr})
	expect(t, first, http.StatusCreated)
	if again.Code != http.StatusCreated || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.Code, again.Body)
	}
	expect(t, w.do(req{method: "POST", path: path, token: w.consumer, body: body}), http.StatusConflict, "already_answered")
}
