package api_test

import "testing"

// Every campaign route, for every kind of caller: public reads for everyone, staff commands for
// moderators and admins, answers for the questionnaire's own audience only.
func TestCampaignRoutesAuthorisation(t *testing.T) {
	w := newWorld(t)
	tokens := w.principals()
	id := w.campaign(w.admin, nil)["id"].(string)
	other := w.campaign(w.admin, map[string]any{"status": "planned"})["id"].(string)
	mq := w.questionnaire(id, merchantQuestionnaire)
	cq := w.questionnaire(id, consumerQuestionnaire)
	complaint := w.file(w.consumer, nil)["id"].(string)
	mqs, cqs := questionIDs(mq), questionIDs(cq)
	merchantAnswers := map[string]any{"answers": []map[string]any{{"question_id": mqs[0], "option_ids": []string{"o1"}},
		{"question_id": mqs[1], "option_ids": []string{"o2"}}, {"question_id": mqs[2], "scale": 3}}}
	consumerAnswers := map[string]any{"answers": []map[string]any{{"question_id": cqs[0], "option_ids": []string{"o1"}}}}
	staff := []string{"moderator", "admin"}
	base, adm := "/api/v1/campaigns/", "/api/v1/admin/campaigns/"
	checkAccess(t, w, tokens, []access{
		{method: "GET", path: "/api/v1/campaigns", allowed: []string{"public"}},
		{method: "GET", path: base + id, allowed: []string{"public"}},
		{method: "GET", path: base + id + "/report", allowed: []string{"public"}},
		{method: "GET", path: base + id + "/questionnaires", allowed: []string{"public"}},
		{method: "POST", path: base + id + "/questionnaires/" + mq["id"].(string) + "/responses", body: merchantAnswers, allowed: []string{"merchant"}},
		{method: "POST", path: base + id + "/questionnaires/" + cq["id"].(string) + "/responses", body: consumerAnswers, allowed: []string{"consumer"}},
		{method: "POST", path: "/api/v1/admin/campaigns", body: map[string]any{"title": "调查行动", "topic": "主题", "start_date": "2026-11-20",
			"end_date": "2026-12-31", "platform_ids": []string{}, "issue_types": []string{}, "keywords": []string{}}, allowed: staff},
		{method: "POST", path: adm + id + "/complaints", body: map[string]any{"complaint_ids": []string{complaint}}, allowed: staff},
		{method: "POST", path: adm + id + "/tag-rule/preview", body: map[string]any{"keywords": []string{"退款"}}, allowed: staff},
		{method: "POST", path: adm + id + "/tag-rule/apply", body: map[string]any{"keywords": []string{"退款"}}, allowed: staff},
		{method: "POST", path: adm + other + "/questionnaires", body: consumerQuestionnaire, allowed: staff},
		{method: "GET", path: adm + id + "/report", allowed: staff},
		{method: "POST", path: adm + other + "/status", body: map[string]any{"status": "open"}, allowed: staff},
	})
}
