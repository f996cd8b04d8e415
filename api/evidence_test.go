package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"runtime"
	"strings"
	"testing"
)

// multipartFile builds a multipart/form-data body with one file part; partType is the
// Content-Type the client claims for the part (the server must ignore it).
func multipartFile(t testing.TB, field, filename, partType string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": field, "filename": filename}))
	if partType != "" {
		h.Set("Content-Type", partType)
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

func (a *testApp) upload(token, filename, partType string, content []byte) *response {
	a.t.Helper()
	body, ct := multipartFile(a.t, "file", filename, partType, content)
	return a.do(req{method: "POST", path: "/api/v1/evidence", token: token, body: body,
		header: map[string]string{"Content-Type": ct}})
}

func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pngPadded is a valid PNG signature followed by zeros: sniffed as PNG, of exactly n bytes.
func pngPadded(n int) []byte {
	b := make([]byte, n)
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return b
}

func TestEvidenceUploadSniffsType(t *testing.T) {
	a := newApp(t)
	consumer, _ := a.register("consumer")
	merchant, _ := a.register("merchant")
	pngBytes, jpegBytes := testPNG(t), testJPEG(t)
	elf := append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 120)...)

	cases := []struct {
		name, token, filename, partType string
		content                         []byte
		status                          int
		code, contentType               string
	}{
		{"png with a wrong part type", consumer, "截图.png", "text/plain", pngBytes, 201, "", "image/png"},
		{"jpeg", consumer, "photo.jpg", "image/jpeg", jpegBytes, 201, "", "image/jpeg"},
		{"jpeg named .pdf", merchant, "invoice.pdf", "application/pdf", jpegBytes, 201, "", "image/jpeg"},
		{"pdf", merchant, "发票.pdf", "application/octet-stream", []byte(minimalPDF), 201, "", "application/pdf"},
		{"text named photo.png", consumer, "photo.png", "image/png", []byte("this is plain text, not a picture\n"), 415, "unsupported_media_type", ""},
		{"html named photo.png", consumer, "photo.png", "image/png", []byte("<!DOCTYPE html><script>alert(1)</script>"), 415, "unsupported_media_type", ""},
		{"elf named x.jpg", consumer, "x.jpg", "image/jpeg", elf, 415, "unsupported_media_type", ""},
		{"empty file", consumer, "empty.png", "image/png", nil, 422, "validation_failed", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.upload(tc.token, tc.filename, tc.partType, tc.content)
			var m map[string]any
			if tc.code == "" {
				m = expect(t, r, tc.status)
			} else {
				m = expect(t, r, tc.status, tc.code)
			}
			if tc.status != 201 {
				if tc.status == 422 {
					assertFieldError(t, m, "file")
				}
				if tc.status == 415 && !strings.Contains(m["detail"].(string), "image/png") {
					t.Errorf("415 does not list the allowed types: %v", m["detail"])
				}
				return
			}
			if m["content_type"] != tc.contentType || m["sha256"] != sha256Of(tc.content) ||
				m["size"] != float64(len(tc.content)) || m["filename"] != tc.filename || m["id"] == "" {
				t.Fatalf("upload answered %s", r.Body)
			}
			if len(m) != 5 {
				t.Errorf("evidence view has unexpected members: %s", r.Body)
			}
		})
	}
}

func assertFieldError(t testing.TB, m map[string]any, field string) {
	t.Helper()
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["field"] == field {
			return
		}
	}
	t.Fatalf("no field error for %q: %v", field, m)
}

func TestEvidenceUploadRequests(t *testing.T) {
	a := newApp(t)
	consumer, _ := a.register("consumer")
	admin := a.adminToken()

	t.Run("missing file part", func(t *testing.T) {
		body, ct := multipartFile(t, "attachment", "a.png", "image/png", testPNG(t))
		m := expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: body,
			header: map[string]string{"Content-Type": ct}}), 422, "validation_failed")
		assertFieldError(t, m, "file")
	})
	t.Run("other fields before the file are skipped", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("note", "第一张")
		fw, _ := mw.CreateFormFile("file", "a.png")
		_, _ = fw.Write(testPNG(t))
		_ = mw.Close()
		expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: buf.Bytes(),
			header: map[string]string{"Content-Type": mw.FormDataContentType()}}), 201)
	})
	t.Run("not multipart", func(t *testing.T) {
		expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: map[string]string{"file": "x"}}),
			415, "multipart_required")
	})
	t.Run("multipart without boundary", func(t *testing.T) {
		expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: "x",
			header: map[string]string{"Content-Type": "multipart/form-data"}}), 400, "malformed_multipart")
	})
	t.Run("truncated multipart", func(t *testing.T) {
		body, ct := multipartFile(t, "file", "a.png", "", testPNG(t))
		expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: body[:len(body)/2],
			header: map[string]string{"Content-Type": ct}}), 400)
	})
	t.Run("no credentials", func(t *testing.T) {
		expect(t, a.upload("", "a.png", "", testPNG(t)), 401)
	})
	t.Run("staff may not upload", func(t *testing.T) {
		expect(t, a.upload(admin, "a.png", "", testPNG(t)), 403, "forbidden")
	})
	t.Run("file name is cleaned", func(t *testing.T) {
		m := expect(t, a.upload(consumer, "C:\\fakepath\\证据\u202e.png", "", testPNG(t)), 201)
		if m["filename"] != "证据.png" {
			t.Fatalf("filename %q", m["filename"])
		}
	})
	t.Run("same bytes twice", func(t *testing.T) {
		p := testPNG(t)
		m1 := expect(t, a.upload(consumer, "a.png", "", p), 201)
		m2 := expect(t, a.upload(consumer, "b.png", "", p), 201)
		if m1["id"] == m2["id"] || m1["sha256"] != m2["sha256"] {
			t.Fatalf("two uploads of the same bytes: %v %v", m1, m2)
		}
	})
}

func TestEvidenceUploadSizeLimit(t *testing.T) {
	const limit = 64 << 10
	a := newApp(t, func(o *appOptions) { o.evidenceMaxBytes = limit })
	consumer, _ := a.register("consumer")

	at := pngPadded(limit)
	m := expect(t, a.upload(consumer, "at-limit.png", "image/png", at), 201)
	if m["size"] != float64(limit) || m["sha256"] != sha256Of(at) {
		t.Fatalf("at the limit: %v", m)
	}
	expect(t, a.upload(consumer, "over.png", "image/png", pngPadded(limit+1)), 413, "file_too_large")
	// Far over the limit, the request body cap answers the same way.
	expect(t, a.upload(consumer, "way-over.png", "image/png", pngPadded(limit+2<<20)), 413, "file_too_large")

	// Other fields count against the body cap (the limit plus 1 MiB for the multipart framing).
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", strings.Repeat("x", 2<<20))
	fw, _ := mw.CreateFormFile("file", "small.png")
	_, _ = fw.Write(testPNG(t))
	_ = mw.Close()
	expect(t, a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: buf.Bytes(),
		header: map[string]string{"Content-Type": mw.FormDataContentType()}}), 413, "file_too_large")
}

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

// endlessReader produces a PNG-looking stream without holding it: the signature, then zeros.
type endlessReader struct{ n int64 }

func (r *endlessReader) Read(p []byte) (int, error) {
	clear(p)
	if r.n == 0 && len(p) >= 8 {
		copy(p, "\x89PNG\r\n\x1a\n")
	}
	r.n += int64(len(p))
	return len(p), nil
}

// countingReader counts what the server pulled from the body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestEvidenceUploadStreamsWithoutBuffering(t *testing.T) {
	const limit = 1 << 20
	const bodySize = 64 << 20
	a := newApp(t, func(o *appOptions) { o.evidenceMaxBytes = limit })
	consumer, _ := a.register("consumer")

	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("file", "huge.png"); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := &countingReader{r: io.MultiReader(&head, io.LimitReader(&endlessReader{}, bodySize), strings.NewReader(tail))}

	rq := httptest.NewRequest("POST", "/api/v1/evidence", body)
	rq.Header.Set("Content-Type", mw.FormDataContentType())
	rq.Header.Set("Authorization", "Bearer "+consumer)
	w := httptest.NewRecorder()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	a.h.ServeHTTP(w, rq)
	runtime.ReadMemStats(&after)

	if w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	var p struct{ Code string }
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if p.Code != "file_too_large" {
		t.Fatalf("code %q", p.Code)
	}
	if body.n > 4*limit {
		t.Errorf("the server read %d bytes of a %d-byte body with a %d-byte limit", body.n, bodySize, limit)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("allocated %d bytes handling a %d-byte upload", grew, bodySize)
	} else {
		t.Logf("read %d bytes, allocated %d bytes", body.n, grew)
	}
}

func TestEvidenceUploadIdempotency(t *testing.T) {
	a := newApp(t)
	consumer, _ := a.register("consumer")
	png := testPNG(t)
	body, ct := multipartFile(t, "file", "a.png", "image/png", png)
	send := func(b []byte, ct, key string) *response {
		return a.do(req{method: "POST", path: "/api/v1/evidence", token: consumer, body: b,
			header: map[string]string{"Content-Type": ct, "Idempotency-Key": key}})
	}
	first := expect(t, send(body, ct, "upload-1"), http.StatusCreated)
	again := send(body, ct, "upload-1")
	if m := expect(t, again, http.StatusCreated); m["id"] != first["id"] || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %v vs %v", m, first)
	}
	other, otherCT := multipartFile(t, "file", "b.jpg", "image/jpeg", testJPEG(t))
	expect(t, send(other, otherCT, "upload-1"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	// Only the first upload's row remains.
	var n int64
	a.st.DB().Table("evidence").Count(&n)
	if n != 1 {
		t.Fatalf("%d evidence rows, want 1", n)
	}
}
