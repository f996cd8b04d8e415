package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/dianshubao/dianshubao/internal/testkit"
)

// TestInstancesShareEvidenceInS3: two instances — two routers wired as main wires them —
// over one database and one S3 bucket (an S3 protocol server in this process, reached through
// the real client). Each serves the files uploaded through the other, with ranges and
// conditional requests; the same bytes are stored once; a bucket that stops answering is 503
// and fails /readyz.
func TestInstancesShareEvidenceInS3(t *testing.T) {
	srv := testkit.StartS3(t, testkit.S3Options{})
	a := newWorldWith(t, func(o *appOptions) { o.instance, o.blobs = "instance-a", srv.Store(t) })
	b := newApp(t, func(o *appOptions) { o.store, o.instance, o.blobs = a.st, "instance-b", srv.Store(t) })
	get := func(app *testApp, token, id string, header map[string]string) *response {
		return app.do(req{method: "GET", path: "/api/v1/evidence/" + id, token: token, header: header})
	}

	png := pngPadded(200_000)
	fromA := expect(t, a.upload(a.consumer, "截图.png", "image/png", png), http.StatusCreated)
	r := get(b, a.consumer, fromA["id"].(string), nil)
	if r.Code != http.StatusOK || !bytes.Equal(r.Body, png) || r.Header.Get("ETag") != `"`+sha256Of(png)+`"` {
		t.Fatalf("instance B serving A's upload: %d, %d bytes, ETag %s\n%s", r.Code, len(r.Body), r.Header.Get("ETag"), r.Body)
	}
	r = get(b, a.consumer, fromA["id"].(string), map[string]string{"Range": "bytes=100000-100099"})
	if r.Code != http.StatusPartialContent || !bytes.Equal(r.Body, png[100000:100100]) ||
		r.Header.Get("Content-Range") != "bytes 100000-100099/200000" {
		t.Fatalf("range through B: %d %q %d bytes", r.Code, r.Header.Get("Content-Range"), len(r.Body))
	}
	r = get(b, a.consumer, fromA["id"].(string), map[string]string{"If-None-Match": `"` + sha256Of(png) + `"`})
	if r.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match through B: %d", r.Code)
	}
	expect(t, get(b, a.consumer, fromA["id"].(string), map[string]string{"Range": "bytes=300000-"}),
		http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")

	pdf := []byte(minimalPDF)
	fromB := expect(t, b.upload(a.key, "回复.pdf", "", pdf), http.StatusCreated)
	r = get(a.testApp, a.admin, fromB["id"].(string), nil)
	if r.Code != http.StatusOK || !bytes.Equal(r.Body, pdf) || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("instance A serving B's upload: %d %q", r.Code, r.Header.Get("Content-Type"))
	}

	// The same bytes through the other instance: another evidence row, one object.
	again := expect(t, b.upload(a.consumer, "again.png", "image/png", png), http.StatusCreated)
	if again["sha256"] != fromA["sha256"] || again["id"] == fromA["id"] {
		t.Fatalf("re-upload: %v", again)
	}
	objs, err := srv.Backend.ListBucket("evidence", nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 2 {
		t.Fatalf("%d objects in the bucket, want 2 (one PNG, one PDF)", len(objs.Contents))
	}

	expect(t, a.do(req{method: "GET", path: "/readyz"}), http.StatusOK)
	srv.Close()
	start := time.Now()
	r = b.do(req{method: "GET", path: "/api/v1/evidence/" + fromA["id"].(string), token: a.consumer, raw: true})
	unavailable(t, "download", r, time.Since(start))
	if p := r.JSON(t); !strings.Contains(p["detail"].(string), "evidence storage") {
		t.Errorf("detail %q does not name the evidence storage", p["detail"])
	}
	body, ct := multipartFile(t, "file", "later.png", "image/png", testPNG(t))
	start = time.Now()
	unavailable(t, "upload", a.do(req{method: "POST", path: "/api/v1/evidence", token: a.consumer, body: body,
		header: map[string]string{"Content-Type": ct}, raw: true}), time.Since(start))
	start = time.Now()
	ready := a.do(req{method: "GET", path: "/readyz", raw: true})
	unavailable(t, "readyz", ready, time.Since(start))
	if ready.JSON(t)["checks"].(map[string]any)["evidence_storage"] != "unavailable" {
		t.Fatalf("readyz with the bucket gone: %s", ready.Body)
	}
}
