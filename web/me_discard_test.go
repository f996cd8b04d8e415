package web_test

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/queue"
)

// storedFiles counts the files under the evidence directory (blobs, not temporary spools).
func (s *accountSite) storedFiles(t *testing.T) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(s.evidenceDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func (s *accountSite) evidenceRows(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := s.st.DB().Table("evidence").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// runJobs runs the work queue's due jobs once, as the service's runner does.
func (s *accountSite) runJobs(t *testing.T) {
	t.Helper()
	r := queue.New(s.st, queue.Config{Workers: 1, Sweep: time.Hour, Lease: 45 * time.Second, Clock: s.clock,
		Logger: slog.New(slog.DiscardHandler)}, s.svc.JobHandlers(), nil)
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A filing form refused after its file was stored leaves nothing behind: the file's row goes at
// once and its bytes with the next run of the work queue — unless another complaint cites the
// same content, whose download still works.
func TestRefusedFilingLeavesNoFile(t *testing.T) {
	s := newAccountSite(t, false)
	b := s.browser()
	b.register(t, "13900139091", "冯一")
	rows, files := s.evidenceRows(t), s.storedFiles(t)
	bad := s.filing(b.csrf(t, "/me/complaints/new"))
	bad.Set("title", "")
	if p := b.postMultipart(t, "/me/complaints/new", bad, "截图.png", []byte("\x89PNG\r\n\x1a\nonly this refused form")); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("a refused filing: %d", p.code)
	}
	if got := s.evidenceRows(t); got != rows {
		t.Fatalf("a refused filing left its file's row: %d → %d", rows, got)
	}
	s.runJobs(t)
	if got := s.storedFiles(t); got != files {
		t.Fatalf("a refused filing left its bytes: %d → %d files", files, got)
	}

	// The same content cited by a complaint stays.
	path := b.fileWithImage(t, s)
	cited := evidenceLink.FindStringSubmatch(b.get(t, path).body)
	if cited == nil {
		t.Fatal("the complaint links no evidence")
	}
	rows, files = s.evidenceRows(t), s.storedFiles(t)
	bad = s.filing(b.csrf(t, "/me/complaints/new"))
	bad.Set("order_no", "TB2026112799999")
	bad.Set("title", "")
	if p := b.postMultipart(t, "/me/complaints/new", bad, "订单截图.png", pngBytes); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("a refused filing: %d", p.code)
	}
	s.runJobs(t)
	if got := s.evidenceRows(t); got != rows {
		t.Fatalf("evidence rows: %d → %d", rows, got)
	}
	if got := s.storedFiles(t); got != files {
		t.Fatalf("files: %d → %d", files, got)
	}
	if p := b.get(t, cited[1]); p.code != http.StatusOK || p.body != string(pngBytes) {
		t.Fatalf("the cited file after the refused form's was removed: %d", p.code)
	}

	// A refused supplement's file goes the same way.
	rows = s.evidenceRows(t)
	if p := b.postMultipart(t, path+"/supplements", map[string][]string{"csrf": {b.csrf(t, path)}, "text": {""}},
		"补充.png", []byte("\x89PNG\r\n\x1a\na refused supplement")); p.code != http.StatusUnprocessableEntity {
		t.Fatalf("a refused supplement: %d", p.code)
	}
	if got := s.evidenceRows(t); got != rows {
		t.Fatalf("a refused supplement left its file's row: %d → %d", rows, got)
	}
}
