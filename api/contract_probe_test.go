package api_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/internal/openapi"
)

// TestEveryOperationDeclaresWhatItAnswers sends every operation of the document the requests
// integrators get wrong — no credentials, each kind of principal, a malformed body, a member
// the operation does not know, a body that is not an object, the wrong media type, a body
// over the limit, an id that does not exist — and checks each answer against the document
// (its status declared, its body the declared schema). No answer may be a 5xx.
func TestEveryOperationDeclaresWhatItAnswers(t *testing.T) {
	a := newApp(t)
	admin := a.adminToken()
	consumer, _ := a.register("consumer")
	merchant, _ := a.register("merchant")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users", token: admin,
		body: map[string]any{"role": "moderator", "email": "probe-mod@example.com", "password": "password-123", "real_name": "李四"}}), 201)
	moderator := expect(t, a.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"email": "probe-mod@example.com", "password": "password-123"}}), 200)["access_token"].(string)
	platform := a.createPlatform(admin, "probe", nil)
	key, _ := a.issueKey(admin, platform["id"].(string))
	principals := map[string]string{"anonymous": "", "consumer": consumer, "merchant": merchant,
		"moderator": moderator, "admin": admin, "platform": key, "bogus": "dsb_live_0000000000000000000000000000000000"}

	doc, err := openapi.V3()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	paths := make([]string, 0, len(doc.Paths.Map()))
	for p := range doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	probes := 0
	for _, p := range paths {
		if !strings.HasPrefix(p, "/api/") {
			continue
		}
		path := param.ReplaceAllString(p, "01a2b3c4d5e6f708192a3b4c5d6e7f80")
		for method, op := range doc.Paths.Value(p).Operations() {
			bodies := []req{{}}
			if op.RequestBody != nil {
				bodies = []req{
					{body: `{"title":`},
					{body: `{"no_such_member":1}`},
					{body: `null`},
					{body: `[]`},
					{body: `"text"`},
					{body: "{}", header: map[string]string{"Content-Type": "text/plain"}},
					{body: "{}", contentLength: 64 << 20},
					{body: `{"x":"\xff"}`},
				}
			}
			for name, token := range principals {
				for _, b := range bodies {
					b.method, b.path, b.token = method, path, token
					r := a.do(b)
					probes++
					if r.Code >= 500 {
						t.Errorf("%s %s as %s: %d", method, p, name, r.Code)
					}
				}
			}
		}
	}
	t.Logf("%d probes", probes)
}

// TestDocumentsAreServed: the Swagger document (without an empty host) and its OpenAPI 3
// conversion are served, as JSON.
func TestDocumentsAreServed(t *testing.T) {
	a := newApp(t)
	v2 := a.do(req{method: "GET", path: "/swagger/doc.json", raw: true})
	v3 := a.do(req{method: "GET", path: "/openapi.json"})
	if v2.Code != 200 || v3.Code != 200 {
		t.Fatalf("doc.json %d, openapi.json %d", v2.Code, v3.Code)
	}
	if d := v2.JSON(t); d["swagger"] != "2.0" || d["host"] != nil {
		t.Errorf("doc.json: swagger %v, host %v", d["swagger"], d["host"])
	}
	if d := v3.JSON(t); !strings.HasPrefix(fmt.Sprint(d["openapi"]), "3.0") || d["paths"].(map[string]any)["/api/v1/complaints"] == nil {
		t.Errorf("openapi.json: %.300s", v3.Body)
	}
	if ui := a.do(req{method: "GET", path: "/swagger/index.html", raw: true}); ui.Code != 200 {
		t.Errorf("the Swagger UI: %d", ui.Code)
	}
}
