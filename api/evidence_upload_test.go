package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

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
