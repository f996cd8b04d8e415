package api_test

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"testing"
)

func TestEvidenceDownloadAccess(t *testing.T) {
	a := newApp(t)
	owner, _ := a.register("consumer")
	other, _ := a.register("consumer")
	admin := a.adminToken()
	pl := a.createPlatform(admin, "taobao", nil)
	key, _ := a.issueKey(admin, pl["id"].(string))

	content := testPNG(t)
	ev := expect(t, a.upload(owner, "聊天记录 1.png", "text/plain", content), 201)
	path := "/api/v1/evidence/" + ev["id"].(string)

	for _, who := range []struct{ name, token string }{{"uploader", owner}, {"staff", admin}} {
		t.Run(who.name, func(t *testing.T) {
			r := a.do(req{method: "GET", path: path, token: who.token})
			if r.Code != 200 || !bytes.Equal(r.Body, content) {
				t.Fatalf("download: %d, %d bytes", r.Code, len(r.Body))
			}
			want := map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
				"Cache-Control": "private, max-age=0"}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != "聊天记录 1.png" {
				t.Errorf("Content-Disposition %q: %v %v", r.Header.Get("Content-Disposition"), params, err)
			}
			if !strings.Contains(r.Header.Get("Content-Disposition"), "filename*=utf-8''") {
				t.Errorf("Content-Disposition %q does not use RFC 5987 encoding", r.Header.Get("Content-Disposition"))
			}
		})
	}
	t.Run("another consumer", func(t *testing.T) {
		expect(t, a.do(req{method: "GET", path: path, token: other}), 404, "not_found")
	})
	t.Run("a platform no complaint links", func(t *testing.T) {
		expect(t, a.do(req{method: "GET", path: path, token: key}), 404, "not_found")
	})
	t.Run("unknown id", func(t *testing.T) {
		expect(t, a.do(req{method: "GET", path: "/api/v1/evidence/0000000000000000", token: owner}), 404, "not_found")
	})
	t.Run("no credentials", func(t *testing.T) {
		expect(t, a.do(req{method: "GET", path: path}), 401)
	})
	t.Run("range", func(t *testing.T) {
		r := a.do(req{method: "GET", path: path, token: owner, header: map[string]string{"Range": "bytes=0-7"}})
		if r.Code != http.StatusPartialContent || !bytes.Equal(r.Body, content[:8]) {
			t.Fatalf("range: %d %q", r.Code, r.Body)
		}
		r = a.do(req{method: "GET", path: path, token: owner, header: map[string]string{"Range": "bytes=999999-"}})
		expect(t, r, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
	})
	t.Run("etag", func(t *testing.T) {
		r := a.do(req{method: "GET", path: path, token: owner, header: map[string]string{"If-None-Match": `"` + sha256Of(content) + `"`}})
		if r.Code != http.StatusNotModified {
			t.Fatalf("If-None-Match with the hash: %d", r.Code)
		}
	})

	t.Run("platform uploads and downloads its own", func(t *testing.T) {
		pdf := []byte(minimalPDF)
		m := expect(t, a.upload(key, "reply.pdf", "", pdf), 201)
		p := "/api/v1/evidence/" + m["id"].(string)
		r := a.do(req{method: "GET", path: p, token: key})
		if r.Code != 200 || !bytes.Equal(r.Body, pdf) || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("platform download: %d %q", r.Code, r.Header.Get("Content-Type"))
		}
		expect(t, a.do(req{method: "GET", path: p, token: owner}), 404)
		if r := a.do(req{method: "GET", path: p, token: admin}); r.Code != 200 {
			t.Fatalf("staff download of a platform's file: %d", r.Code)
		}
	})
}
