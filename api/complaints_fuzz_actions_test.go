package api_test

import (
	"net/http"
	"strings"
	"testing"
)

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
