package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// lastEvent is the platform's latest webhook body of a type, decoded, with its size.
func (a *testApp) lastEvent(platformID, eventType string) (map[string]any, int) {
	a.t.Helper()
	evs := a.eventsOf(platformID, eventType)
	if len(evs) == 0 {
		a.t.Fatalf("no %s event", eventType)
	}
	body := evs[len(evs)-1].Payload
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		a.t.Fatal(err)
	}
	return m, len(body)
}

// texts lists the member of each entry of a supplements or replies list.
func texts(list any, member string) []string {
	var out []string
	for _, e := range list.([]any) {
		out = append(out, e.(map[string]any)[member].(string))
	}
	return out
}

// A complaint with more supplements and replies than an event lists: the event carries the
// latest 20 of each, the totals, and the path of the whole complaint, which the API serves.
func TestEventPayloadIsBounded(t *testing.T) {
	w := newWorldWith(t, func(o *appOptions) {
		o.maxima = service.Limits{SupplementsPerComplaint: 40, RepliesPerComplaint: 60}
	})
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	for i := range 24 {
		w.clock.Advance(1e9)
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": fmt.Sprintf("第%d条补充", i)}}), http.StatusOK)
	}
	for i := range 55 {
		w.clock.Advance(1e9)
		w.reply(w.key, id, fmt.Sprintf("第%d次回复", i))
	}
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
		body: map[string]any{"text": "第24条补充"}}), http.StatusOK)

	ev, size := w.lastEvent(w.platformID, models.EventComplaintSupplemented)
	if size > service.EventPayloadMaxBytes {
		t.Fatalf("payload of %d bytes, over the cap of %d", size, service.EventPayloadMaxBytes)
	}
	data := ev["data"].(map[string]any)
	c := data["complaint"].(map[string]any)
	if c["supplement_count"] != float64(25) || c["reply_count"] != float64(55) {
		t.Fatalf("counts %v and %v, want 25 and 55", c["supplement_count"], c["reply_count"])
	}
	if data["url"] != "/api/v1/platform/complaints/"+id {
		t.Fatalf("url %v", data["url"])
	}

	full := expect(t, w.do(req{method: "GET", path: data["url"].(string), token: w.key}), http.StatusOK)
	allSupplements, allReplies := texts(full["supplements"], "text"), texts(full["replies"], "content")
	if len(allSupplements) != 25 || len(allReplies) != 55 || full["supplement_count"] != float64(25) || full["reply_count"] != float64(55) {
		t.Fatalf("the API shows %d supplements and %d replies, counts %v and %v", len(allSupplements), len(allReplies),
			full["supplement_count"], full["reply_count"])
	}
	if got, want := texts(c["supplements"], "text"), allSupplements[5:]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("the event lists supplements %v, want the latest 20 %v", got, want)
	}
	if got, want := texts(c["replies"], "content"), allReplies[35:]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("the event lists replies %v, want the latest 20 %v", got, want)
	}
	// Apart from the lists, the event's complaint is the API's.
	for _, m := range []map[string]any{c, full} {
		delete(m, "supplements")
		delete(m, "replies")
	}
	if !equalJSON(c, full) {
		t.Fatalf("the event's complaint differs from the API's:\n%v\n%v", c, full)
	}
}

// Long supplements and replies: the event lists fewer than 20 of each so that the body stays
// within its cap, the latest kept, the newest supplement among them.
func TestEventPayloadStaysWithinItsCap(t *testing.T) {
	w := newWorld(t)
	id := w.file(w.consumer, nil)["id"].(string)
	w.accept(id)
	// '<' is escaped in JSON as \u003c: six bytes a character, the most a text can take.
	long := func(i int) string { return fmt.Sprintf("%02d", i) + strings.Repeat("<", 4998) }
	// Replies and supplements alternate, a second apart: reply 0, supplement 0, reply 1, …
	for i := range 20 {
		w.clock.Advance(1e9)
		w.reply(w.key, id, long(i))
		w.clock.Advance(1e9)
		expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + id + "/supplements", token: w.consumer,
			body: map[string]any{"text": long(i)}}), http.StatusOK)
	}
	ev, size := w.lastEvent(w.platformID, models.EventComplaintSupplemented)
	if size > service.EventPayloadMaxBytes {
		t.Fatalf("payload of %d bytes, over the cap of %d", size, service.EventPayloadMaxBytes)
	}
	// 40 entries of 30 KB would be 1.2 MB: some were left out, but not more than needed.
	if size < service.EventPayloadMaxBytes-64<<10 {
		t.Fatalf("payload of %d bytes: more was left out than the cap needs", size)
	}
	c := ev["data"].(map[string]any)["complaint"].(map[string]any)
	if c["supplement_count"] != float64(20) || c["reply_count"] != float64(20) {
		t.Fatalf("counts %v and %v, want 20 and 20", c["supplement_count"], c["reply_count"])
	}
	sup, rep := texts(c["supplements"], "text"), texts(c["replies"], "content")
	// The oldest entries, of either list, were left out: what is listed is the tail of
	// reply 0, supplement 0, reply 1, …, supplement 19.
	if len(sup)+len(rep) >= 40 || len(sup) == 0 || (len(sup) != len(rep) && len(sup) != len(rep)+1) {
		t.Fatalf("%d supplements and %d replies listed", len(sup), len(rep))
	}
	if sup[len(sup)-1] != long(19) {
		t.Fatal("the newest supplement is not the last listed")
	}
	for i, s := range sup {
		if want := long(20 - len(sup) + i); s != want {
			t.Fatalf("supplement %d is %.4s…, want %.4s…", i, s, want)
		}
	}
	for i, r := range rep {
		if want := long(20 - len(rep) + i); r != want {
			t.Fatalf("reply %d is %.4s…, want %.4s…", i, r, want)
		}
	}
}
