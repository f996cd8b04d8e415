package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The 仅退款 investigation end to end: created open, complaints tagged at filing, by rule (with
// its preview) and by id, a questionnaire answered by 20 merchants, and a report whose every
// figure equals a recomputation from the rows with this test's own SQL and arithmetic. Once
// reported, the report does not change when the data do.
func TestCampaignEndToEnd(t *testing.T) {
	cw := newCampaignWorld(t)
	w := cw.world
	camp := w.campaign(w.admin, map[string]any{"platform_ids": []string{w.platformID, cw.pddID}})
	id := camp["id"].(string)

	file := func(platform, issue, title, desc, order string, extra map[string]any) string {
		t.Helper()
		o := map[string]any{"issue_type": issue, "title": title, "description": desc, "order_no": order}
		for k, v := range extra {
			o[k] = v
		}
		return expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, body: complaintBody(platform, o)}), http.StatusCreated)["id"].(string)
	}
	long := "，商家以各种理由拒绝处理，客服不予回复，请平台介入。"
	c1 := file(w.platformID, "refund", "商品未发货要求退款", "买家申请仅退款后商家拒绝"+long, "O1", nil)
	file(w.platformID, "quality", "商品质量问题严重", "收到商品有质量问题，提到仅退款也不理"+long, "O2", nil)
	c3 := file(cw.pddID, "refund", "平台仅退款规则不公", "退款申请被平台驳回多次"+long, "O3", nil)
	c4 := file(cw.pddID, "refund", "退款迟迟不到账户", "退款申请已经同意但没有到账"+long, "O4", nil)
	c5 := file(cw.jdID, "refund", "京东仅退款被拒绝", "申请仅退款被拒绝"+long, "O5", nil)
	c6 := file(w.platformID, "refund", "仅退款申请无人处理", "提交申请后一直无人处理"+long, "O6", nil)
	c7 := file(w.platformID, "other", "客服态度恶劣问题", "客服辱骂消费者并拒绝沟通"+long, "O7", map[string]any{"campaign_id": id})
	merchant, _, merchantPhone := w.registerPhone("merchant")
	r1 := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(cw.pddID, map[string]any{"campaign_id": id})}), http.StatusCreated)["id"].(string)

	// The rule: refund complaints mentioning 仅退款 on the campaign's platforms; previewed, then
	// applied twice (the second time tags nothing).
	rule := map[string]any{"issue_types": []string{"refund"}, "keywords": []string{"仅退款"}}
	var ownCount int64
	w.st.DB().Raw(`SELECT COUNT(*) FROM complaints WHERE platform_id IN (?, ?) AND issue_type = 'refund'
		AND (title LIKE '%仅退款%' OR description LIKE '%仅退款%') AND created_at >= ? AND created_at < ?`,
		w.platformID, cw.pddID, time.Date(2026, 11, 19, 16, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)).Scan(&ownCount)
	pv := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/tag-rule/preview", token: w.admin, body: rule}), http.StatusOK)
	want := []any{c1, c3, c6}
	if pv["matched"] != float64(ownCount) || ownCount != 3 || pv["to_tag"] != float64(3) || pv["already_tagged"] != float64(0) || !reflect.DeepEqual(pv["sample_ids"], want) {
		t.Fatalf("preview: %v (own count %d)", pv, ownCount)
	}
	var n int64
	if w.st.DB().Table("campaign_complaints").Count(&n); n != 2 {
		t.Fatalf("the preview tagged something: %d memberships", n)
	}
	ap := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/tag-rule/apply", token: w.admin, body: rule}), http.StatusOK)
	again := expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/tag-rule/apply", token: w.admin, body: rule}), http.StatusOK)
	if ap["tagged"] != float64(3) || ap["remaining"] != float64(0) || again["tagged"] != float64(0) {
		t.Fatalf("apply: %v, again: %v", ap, again)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/tag-rule/preview", token: w.admin,
		body: map[string]any{"platform_ids": []string{cw.jdID}}}), http.StatusUnprocessableEntity, "validation_failed")
	tag := func(ids ...string) *response {
		return w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/complaints", token: w.admin, body: map[string]any{"complaint_ids": ids}})
	}
	if m := expect(t, tag(c4, c1), http.StatusOK); m["tagged"] != float64(1) || m["already_tagged"] != float64(1) {
		t.Fatalf("tag by id: %v", m)
	}
	expect(t, tag(c5), http.StatusUnprocessableEntity, "validation_failed")
	expect(t, tag("nope"), http.StatusUnprocessableEntity, "validation_failed")

	// The complaints' lives: c1 replied in 1 h, c3 in 80 h (late), c6 never, c7 in 2 h and
	// rated 9, c4 left in review, r1 (delivered at once) replied in 1 h and rated 4.
	for _, c := range []string{c1, c3, c6, c7} {
		w.accept(c)
	}
	w.advance(time.Hour)
	w.reply(w.key, c1, "您好，已为您办理退款。")
	w.reply(cw.pddKey, r1, "已核实，退款款项将退回商家。")
	w.advance(time.Hour)
	w.reply(w.key, c7, "已联系客服主管处理。")
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + c7 + "/rating", token: w.consumer, body: map[string]any{"score": 9}}), http.StatusOK)
	merchant = w.login(merchantPhone)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + r1 + "/rating", token: merchant, body: map[string]any{"score": 4}}), http.StatusOK)
	w.advance(78 * time.Hour)
	w.reply(cw.pddKey, c3, "已按规则复核。")

	// 20 merchants answer the merchant questionnaire; a consumer the consumer one.
	q := w.questionnaire(id, merchantQuestionnaire)
	cq := w.questionnaire(id, consumerQuestionnaire)
	qs := questionIDs(q)
	qpath := "/api/v1/campaigns/" + id + "/questionnaires/" + q["id"].(string) + "/responses"
	for i := range 20 {
		tok, _ := w.register("merchant")
		single := []string{"o1"}
		if i%4 == 0 {
			single = []string{"o2"}
		}
		multiple := [][]string{{"o1"}, {"o1", "o2"}, {"o2", "o3"}}[i%3]
		answers := []map[string]any{{"question_id": qs[0], "option_ids": single}, {"question_id": qs[1], "option_ids": multiple},
			{"question_id": qs[2], "scale": i%5 + 1}}
		if i%2 == 0 {
			answers = append(answers, map[string]any{"question_id": qs[3], "text": fmt.Sprintf("建议%d：要求买家提供凭证", i)})
		}
		expect(t, w.do(req{method: "POST", path: qpath, token: tok, body: map[string]any{"answers": answers}}), http.StatusCreated)
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/campaigns/" + id + "/questionnaires/" + cq["id"].(string) + "/responses", token: w.consumer,
		body: map[string]any{"answers": []map[string]any{{"question_id": questionIDs(cq)[0], "option_ids": []string{"o2"}}}}}), http.StatusCreated)

	// Past every reply window, closed: the live report equals the recomputation.
	w.advance(6 * 24 * time.Hour)
	w.moveCampaign(id, "closed")
	live := expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"}), http.StatusOK)
	if live["frozen"] != false || live["complaint_count"] != float64(6) {
		t.Fatalf("live report: %v", live)
	}
	checkReportAgainstRows(t, w, id, live, w.clock.Now())
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/campaigns/" + id + "/report", token: w.admin}), http.StatusOK)
	texts := func(r map[string]any) any {
		return r["questionnaires"].([]any)[0].(map[string]any)["questions"].([]any)[3].(map[string]any)["texts"]
	}
	if texts(live) != nil || len(texts(staff).([]any)) != 10 {
		t.Fatalf("free text: public %v, staff %v", texts(live), texts(staff))
	}

	// Reported: frozen, and changing the data afterwards changes nothing.
	w.moveCampaign(id, "reported")
	frozen := w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"})
	fm := expect(t, frozen, http.StatusOK)
	if fm["frozen"] != true || fm["status"] != "reported" {
		t.Fatalf("frozen report: %v", fm)
	}
	checkReportAgainstRows(t, w, id, fm, w.clock.Now())
	w.advance(time.Hour)
	w.reply(w.key, c6, "迟到的回复。")
	w.accept(c4)
	w.st.DB().Exec("DELETE FROM questionnaire_answers WHERE question_id = ?", qs[0])
	after := w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"})
	if string(after.Body) != string(frozen.Body) {
		t.Fatalf("the frozen report changed:\n%s\n%s", frozen.Body, after.Body)
	}
	if texts(expect(t, w.do(req{method: "GET", path: "/api/v1/admin/campaigns/" + id + "/report", token: w.admin}), http.StatusOK)) == nil {
		t.Fatal("the frozen staff report lost its free text")
	}
}

// checkReportAgainstRows recomputes a report's figures from the raw rows: the tagged
// complaints read with this test's own SQL, the formula of API.md 7 applied here in floats,
// and the questionnaire answers counted with SQL.
func checkReportAgainstRows(t *testing.T, w *world, campaignID string, report map[string]any, at time.Time) {
	t.Helper()
	var rows []struct {
		PlatformID                         string
		Status                             string
		AcceptedAt, DeliveredAt, RepliedAt *time.Time
		RatingScore                        *int
	}
	w.st.DB().Raw(`SELECT c.platform_id, c.status, c.accepted_at, c.delivered_at, c.first_replied_at AS replied_at, c.rating_score
		FROM campaign_complaints m JOIN complaints c ON c.id = m.complaint_id WHERE m.campaign_id = ?`, campaignID).Scan(&rows)
	type agg struct {
		filed, accepted, delivered, replied, rated, scores int
		timely                                             float64
	}
	want := map[string]*agg{}
	for _, r := range rows {
		a := want[r.PlatformID]
		if a == nil {
			a = &agg{}
			want[r.PlatformID] = a
		}
		a.filed++
		if r.AcceptedAt != nil && slices.Contains([]string{"awaiting_contact", "delivered", "replied", "completed"}, r.Status) {
			a.accepted++
		}
		if r.DeliveredAt == nil || !slices.Contains([]string{"delivered", "replied", "completed"}, r.Status) ||
			(r.RepliedAt == nil && at.Sub(*r.DeliveredAt) < 120*time.Hour) {
			continue
		}
		a.delivered++
		if r.RepliedAt != nil {
			a.replied++
			switch d := r.RepliedAt.Sub(*r.DeliveredAt); {
			case d < 72*time.Hour:
				a.timely += 1
			case d < 120*time.Hour:
				a.timely += 0.6
			}
		}
		if r.RatingScore != nil {
			a.rated++
			a.scores += *r.RatingScore
		}
	}
	round := func(x float64, d int) string {
		return fmt.Sprintf("%.*f", d, math.Round(x*math.Pow10(d))/math.Pow10(d))
	}
	lines := report["platforms"].([]any)
	if len(lines) != len(want) {
		t.Fatalf("%d platform lines, want %d: %v", len(lines), len(want), lines)
	}
	for _, l := range lines {
		line := l.(map[string]any)
		a := want[line["platform"].(map[string]any)["id"].(string)]
		got := fmt.Sprint(line["filed"], line["accepted"], line["delivered"], line["replied"], line["rated"])
		if exp := fmt.Sprint(a.filed, a.accepted, a.delivered, a.replied, a.rated); got != exp {
			t.Errorf("%v: counts %s, want %s", line["platform"], got, exp)
		}
		rr, tl, sat := 0.0, 0.0, 0.0
		if a.delivered > 0 {
			rr = float64(a.replied) / float64(a.delivered)
		}
		if a.replied > 0 {
			tl = a.timely / float64(a.replied)
		}
		if a.rated > 0 {
			sat = float64(a.scores) / float64(a.rated)
			if round(line["satisfaction"].(float64), 2) != round(sat, 2) {
				t.Errorf("%v: satisfaction %v, want %s", line["platform"], line["satisfaction"], round(sat, 2))
			}
		} else if line["satisfaction"] != nil {
			t.Errorf("%v: satisfaction %v without ratings", line["platform"], line["satisfaction"])
		}
		index := rr*0.5 + tl*0.3 + sat/10*0.2
		if round(line["reply_rate"].(float64), 4) != round(rr, 4) || round(line["timeliness"].(float64), 4) != round(tl, 4) ||
			round(line["index"].(float64), 4) != round(index, 4) {
			t.Errorf("%v: rate %v timeliness %v index %v, want %s %s %s", line["platform"], line["reply_rate"], line["timeliness"], line["index"],
				round(rr, 4), round(tl, 4), round(index, 4))
		}
	}

	for _, qr := range report["questionnaires"].([]any) {
		qm := qr.(map[string]any)
		var responses int64
		w.st.DB().Raw("SELECT COUNT(*) FROM questionnaire_responses WHERE questionnaire_id = ?", qm["id"]).Scan(&responses)
		if qm["responses"] != float64(responses) {
			t.Errorf("questionnaire %v: %v responses, want %d", qm["title"], qm["responses"], responses)
		}
		for _, qq := range qm["questions"].([]any) {
			question := qq.(map[string]any)
			var answered int64
			w.st.DB().Raw("SELECT COUNT(DISTINCT response_id) FROM questionnaire_answers WHERE question_id = ?", question["id"]).Scan(&answered)
			if question["answered"] != float64(answered) {
				t.Errorf("question %v: answered %v, want %d", question["text"], question["answered"], answered)
			}
			for _, o := range question["options"].([]any) {
				opt := o.(map[string]any)
				var count int64
				w.st.DB().Raw("SELECT COUNT(*) FROM questionnaire_answers WHERE question_id = ? AND (option_id = ? OR CAST(scale AS CHAR) = ?)",
					question["id"], opt["id"], opt["id"]).Scan(&count)
				if opt["count"] != float64(count) || round(opt["share"].(float64), 4) != round(float64(count)/float64(max(answered, 1)), 4) {
					t.Errorf("question %v option %v: %v (%v), want %d", question["text"], opt["label"], opt["count"], opt["share"], count)
				}
			}
		}
	}
	if t.Failed() {
		b, _ := json.MarshalIndent(report, "", " ")
		t.Logf("report: %s", b)
	}
}
