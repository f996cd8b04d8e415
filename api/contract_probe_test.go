package api_test

import (
	"fmt"
	"net/http"
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
	probes, checked := 0, 0
	for _, p := range paths {
		if !strings.HasPrefix(p, "/api/") {
			continue
		}
		path := param.ReplaceAllString(p, "01a2b3c4d5e6f708192a3b4c5d6e7f80")
		for method, op := range doc.Paths.Value(p).Operations() {
			// Each bad body, and the problem every JSON endpoint answers it with alike once the
			// caller may use the endpoint.
			type probe struct {
				req
				status int
				code   string
			}
			bodies := []probe{{}}
			// Commands that take no body refuse one as the JSON endpoints do.
			takesJSON := op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil
			bodyless := op.RequestBody == nil && method != http.MethodGet
			if takesJSON || bodyless {
				bodies = []probe{
					{req{body: `{"title":`}, 400, "malformed_json"},
					{req{body: `{"no_such_member":1}`}, 422, "unknown_field"},
					{req{body: `null`}, 422, "validation_failed"},
					{req{body: `[]`}, 422, "validation_failed"},
					{req{body: `"text"`}, 422, "validation_failed"},
					{req{body: "{}", header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type"},
					{req{body: "{}", contentLength: 64 << 20}, 413, "body_too_large"},
					{req{body: "{\"x\":\"\xff\"}"}, 400, "malformed_json"},
				}
			}
			for name, token := range principals {
				for _, b := range bodies {
					b.method, b.path, b.token = method, path, token
					r := a.do(b.req)
					probes++
					if r.Code >= 500 {
						t.Errorf("%s %s as %s: %d", method, p, name, r.Code)
					}
					switch r.Code {
					case 401, 403, 404, 413: // the caller, or the size, is refused before the body is read
						if r.Code == 413 && b.status != 413 {
							t.Errorf("%s %s as %s: 413 for %.40q", method, p, name, b.body)
						}
						continue
					}
					if b.status != 0 {
						checked++
					}
					if b.status != 0 && (r.Code != b.status || r.JSON(t)["code"] != b.code) {
						t.Errorf("%s %s as %s with %.40q: %d %s, want %d %s", method, p, name, b.body, r.Code, r.Body, b.status, b.code)
					}
				}
			}
		}
	}
	t.Logf("%d probes, %d bad bodies read by an endpoint the caller may use", probes, checked)
	if checked < 100 {
		t.Errorf("only %d bad bodies reached an endpoint's body reading", checked)
	}
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
