package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/pdftext"
)

// publishedCase makes a completed consumer complaint into a published case titled title.
func (w *world) publishedCase(title string) (caseID, complaintID string) {
	w.t.Helper()
	complaintID = w.completed(w.consumer, nil)
	caseID = w.draftCase(complaintID, map[string]any{"title": title})["id"].(string)
	w.publishCase(caseID)
	return caseID, complaintID
}

func (w *world) unpublishCase(id string) {
	w.t.Helper()
	expect(w.t, w.do(req{method: "POST", path: "/api/v1/admin/cases/" + id + "/unpublish", token: w.admin}), http.StatusOK)
}

// caseIDs are the ids of a report's cases, in order.
func caseIDs(t *testing.T, report map[string]any) []string {
	t.Helper()
	ids := []string{}
	for _, c := range report["cases"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

// TestCampaignReportLinksCases: a campaign's report lists the published cases of its tagged
// complaints, newest first, and not those of other complaints; an unpublished case is gone from
// it at once, also once the report is frozen, whose stored copy never held the cases.
func TestCampaignReportLinksCases(t *testing.T) {
	w := newWorld(t)
	id := w.campaign(w.admin, nil)["id"].(string)
	k1, c1 := w.publishedCase("商家拒不发货平台督促退款")
	w.advance(time.Minute)
	k2, c2 := w.publishedCase("商品质量问题获全额赔付")
	w.advance(time.Minute)
	k3, _ := w.publishedCase("未入行动的案例")
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/campaigns/" + id + "/complaints", token: w.admin,
		body: map[string]any{"complaint_ids": []string{c1, c2}}}), http.StatusOK)
	report := func() map[string]any {
		t.Helper()
		return expect(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"}), http.StatusOK)
	}

	r := report()
	if got := caseIDs(t, r); !reflect.DeepEqual(got, []string{k2, k1}) {
		t.Fatalf("cases %v, want %v (not %s)", got, []string{k2, k1}, k3)
	}
	first := r["cases"].([]any)[0].(map[string]any)
	if first["title"] != "商品质量问题获全额赔付" || first["platform_id"] != w.platformID || first["platform_name"] != "淘宝" ||
		first["sector"] != "digital_retail" || first["sector_label"] != "数字零售" || first["published_at"] == "" {
		t.Fatalf("case reference: %v", first)
	}
	noPersonalInformation(t, w.do(req{method: "GET", path: "/api/v1/campaigns/" + id + "/report"}).Body)

	w.unpublishCase(k1)
	if got := caseIDs(t, report()); !reflect.DeepEqual(got, []string{k2}) {
		t.Fatalf("after unpublishing %s: %v", k1, got)
	}

	w.moveCampaign(id, "closed")
	w.moveCampaign(id, "reported")
	frozen := report()
	if frozen["frozen"] != true || !reflect.DeepEqual(caseIDs(t, frozen), []string{k2}) {
		t.Fatalf("frozen report: %v", frozen)
	}
	var stored string
	w.st.DB().Raw("SELECT report FROM campaigns WHERE id = ?", id).Scan(&stored)
	if stored == "" || strings.Contains(stored, k2) {
		t.Fatalf("the frozen report stores its cases: %s", stored)
	}
	w.unpublishCase(k2)
	after := report()
	staff := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/campaigns/" + id + "/report", token: w.admin}), http.StatusOK)
	if len(caseIDs(t, after)) != 0 || len(caseIDs(t, staff)) != 0 {
		t.Fatalf("an unpublished case stays in the frozen report: %v / %v", after["cases"], staff["cases"])
	}
	delete(after, "cases")
	delete(frozen, "cases")
	if !reflect.DeepEqual(after, frozen) {
		t.Fatalf("the frozen figures changed:\n%v\n%v", frozen, after)
	}
	w.publishCase(k1)
	if got := caseIDs(t, report()); !reflect.DeepEqual(got, []string{k1}) {
		t.Fatalf("after publishing %s again: %v", k1, got)
	}
}

// TestPeriodicReportLinks: November's consumer report lists the consumer case published in
// November, not the refund-only one (the merchant report's) nor December's, and the campaign
// whose days overlap November, not a later one. Frozen, it stores them; once the case is
// unpublished it is gone from the JSON and the PDF, whose ETags change, while every figure
// stays as frozen.
func TestPeriodicReportLinks(t *testing.T) {
	w := newWorld(t)
	camp := w.campaign(w.admin, nil)["id"].(string)
	later := w.campaign(w.admin, map[string]any{"title": "明年的调查行动", "start_date": "2027-01-05", "end_date": "2027-02-01", "status": nil})["id"].(string)
	nov, _ := w.publishedCase("十一月的典型案例")

	// A refund-only complaint, replied to and rated by its merchant, published as a case.
	merchant, _, merchantPhone := w.registerPhone("merchant")
	r1 := expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant,
		body: refundBody(w.platformID, nil)}), http.StatusCreated)["id"].(string)
	w.reply(w.key, r1, "已核实，退款款项将退回商家。")
	merchant = w.login(merchantPhone)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + r1 + "/rating", token: merchant, body: map[string]any{"score": 6}}), http.StatusOK)
	refund := w.draftCase(r1, map[string]any{"title": "仅退款的典型案例"})["id"].(string)
	w.publishCase(refund)

	w.clock.Set(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	w.advance(0)
	dec, _ := w.publishedCase("十二月的典型案例")

	get := func(path string) (*response, map[string]any) {
		t.Helper()
		r := w.do(req{method: "GET", path: path})
		return r, expect(t, r, http.StatusOK)
	}
	_, consumer := get("/api/v1/reports/2026-11/consumer")
	_, merchantReport := get("/api/v1/reports/2026-11/merchant")
	if got := caseIDs(t, consumer); !reflect.DeepEqual(got, []string{nov}) {
		t.Fatalf("consumer report cases %v, want [%s] (not %s, %s)", got, nov, refund, dec)
	}
	if got := caseIDs(t, merchantReport); !reflect.DeepEqual(got, []string{refund}) {
		t.Fatalf("merchant report cases %v, want [%s]", got, refund)
	}
	campaigns := consumer["campaigns"].([]any)
	if len(campaigns) != 1 || campaigns[0].(map[string]any)["id"] != camp || campaigns[0].(map[string]any)["status_label"] != "进行中" {
		t.Fatalf("campaigns %v, want %s only (not %s)", campaigns, camp, later)
	}
	if _, decReport := get("/api/v1/reports/2026-12/consumer"); !reflect.DeepEqual(caseIDs(t, decReport), []string{dec}) {
		t.Fatalf("December's cases: %v", decReport["cases"])
	}

	// Frozen with its rating list.
	w.clock.Set(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC).Add(168 * time.Hour))
	w.advance(0)
	if _, err := w.svc.Reports.FreezeDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	fr, frozen := get("/api/v1/reports/2026-11/consumer")
	pdf := w.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer.pdf"})
	text, err := pdftext.Text(pdf.Body)
	if err != nil {
		t.Fatal(err)
	}
	if frozen["frozen"] != true || !reflect.DeepEqual(caseIDs(t, frozen), []string{nov}) ||
		!strings.Contains(text, "十一月的典型案例") || !strings.Contains(text, "典型案例") || !strings.Contains(text, "调查行动") ||
		!strings.Contains(text, "电商平台“仅退款”调查行动") {
		t.Fatalf("frozen report %v; PDF text:\n%s", frozen["cases"], text)
	}

	w.unpublishCase(nov)
	w.clock.Advance(2 * time.Hour) // past every cache
	ar, after := get("/api/v1/reports/2026-11/consumer")
	if len(caseIDs(t, after)) != 0 || ar.Header.Get("ETag") == fr.Header.Get("ETag") {
		t.Fatalf("the unpublished case stays: %v (ETag %s)", after["cases"], ar.Header.Get("ETag"))
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer", header: map[string]string{"If-None-Match": fr.Header.Get("ETag")}}),
		http.StatusOK)
	pdfAfter := w.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer.pdf"})
	textAfter, err := pdftext.Text(pdfAfter.Body)
	if err != nil {
		t.Fatal(err)
	}
	if pdfAfter.Header.Get("ETag") == pdf.Header.Get("ETag") || strings.Contains(textAfter, "十一月的典型案例") ||
		!strings.Contains(textAfter, "电商平台“仅退款”调查行动") {
		t.Fatalf("the PDF still lists the unpublished case:\n%s", textAfter)
	}
	delete(after, "cases")
	delete(frozen, "cases")
	if !reflect.DeepEqual(after, frozen) {
		t.Fatalf("a frozen report's figures changed:\n%v\n%v", frozen, after)
	}
	// The JSON served agrees with the JSON the ETag names: asked again, it is 304.
	expect(t, w.do(req{method: "GET", path: "/api/v1/reports/2026-11/consumer", header: map[string]string{"If-None-Match": ar.Header.Get("ETag")}}),
		http.StatusNotModified)

	// A report frozen before reports linked cases and campaigns is sent with both lists empty.
	snap, err := w.st.ReportSnapshotOf(t.Context(), "2026-11", "consumer")
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	if err := json.Unmarshal(snap.Body, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "cases")
	delete(old, "campaigns")
	body, _ := json.Marshal(old)
	w.st.DB().Exec("UPDATE report_snapshots SET body = ? WHERE period = ? AND kind = ?", body, "2026-11", "consumer")
	if _, r := get("/api/v1/reports/2026-11/consumer"); len(r["cases"].([]any)) != 0 || len(r["campaigns"].([]any)) != 0 || r["received"] != frozen["received"] {
		t.Fatalf("an older snapshot: %v %v", r["cases"], r["campaigns"])
	}
}
