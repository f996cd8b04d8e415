package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

func box(size byte, s string) []byte { return append([]byte{0, 0, 0, size}, s...) }

func TestEvidenceTypeSniffing(t *testing.T) {
	riff := func(form string) []byte {
		return append([]byte("RIFF\x24\x00\x00\x00"+form), make([]byte, 32)...)
	}
	pad := func(b []byte) []byte { return append(b, make([]byte, 64)...) }
	cases := []struct {
		name string
		head []byte
		want string
		ok   bool
	}{
		{"jpeg", pad([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}), "image/jpeg", true},
		{"png", pad([]byte("\x89PNG\r\n\x1a\n")), "image/png", true},
		{"gif", pad([]byte("GIF89a")), "image/gif", true},
		{"webp", append(riff("WEBP"), "VP8 "...), "image/webp", true},
		{"wav", append(riff("WAVE"), "fmt "...), "audio/wav", true},
		{"mp3 id3", pad([]byte("ID3\x03\x00\x00\x00\x00\x01\x00")), "audio/mpeg", true},
		{"mp3 frame", pad([]byte{0xFF, 0xFB, 0x90, 0x64}), "audio/mpeg", true},
		{"m4a", pad(box(0x20, "ftypM4A \x00\x00\x00\x00M4A mp42isom")), "audio/x-m4a", true},
		{"audio mp4 (m4b)", pad(box(0x20, "ftypM4B \x00\x00\x00\x00M4B mp42isom")), "audio/x-m4a", true},
		{"mp4", pad(box(0x20, "ftypisom\x00\x00\x02\x00isomiso2avc1mp41")), "video/mp4", true},
		{"m4v", pad(box(0x20, "ftypM4V \x00\x00\x00\x00M4V mp42isom")), "video/mp4", true},
		{"quicktime", pad(box(0x14, "ftypqt  \x00\x00\x02\x00qt  ")), "video/quicktime", true},
		{"pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "application/pdf", true},
		{"text", []byte("just some words, not a picture\n"), "text/plain", false},
		{"elf", pad([]byte("\x7fELF\x02\x01\x01")), "application/x-elf", false},
		{"zip", pad([]byte("PK\x03\x04\x14\x00\x00\x00")), "application/", false},
		{"heic", pad(box(0x18, "ftypheic\x00\x00\x00\x00mif1heic")), "image/heic", false},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", false},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "text/html", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := evidenceType(tc.head)
			if ok != tc.ok || !strings.HasPrefix(got, tc.want) {
				t.Fatalf("evidenceType = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("很", 300) + ".jpg"
	cases := []struct{ in, want string }{
		{"photo.png", "photo.png"},
		{"", "evidence"},
		{"   ", "evidence"},
		{"..", "evidence"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\张三\聊天记录.png`, "聊天记录.png"},
		{"a\x00b\nc\x1b.pdf", "abc.pdf"},
		{"invoice\u202egpj.exe", "invoicegpj.exe"},
		{"bad\xffutf8.png", "badutf8.png"},
		{"dir/", "evidence"},
	}
	for _, tc := range cases {
		if got := cleanFilename(tc.in); got != tc.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := cleanFilename(long)
	if n := utf8.RuneCountInString(got); n != 255 || !strings.HasSuffix(got, ".jpg") {
		t.Errorf("long name: %d characters, %q…", n, got[len(got)-8:])
	}
}

func newEvidenceService(t *testing.T, maxBytes int64) *Evidence {
	st := testkit.Store(t)
	return &Evidence{st: st, clock: testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)),
		log: slog.New(slog.DiscardHandler), dir: t.TempDir(), maxBytes: maxBytes}
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestUploadLimitsAndOwnership(t *testing.T) {
	ctx := context.Background()
	e := newEvidenceService(t, 1024)
	alice := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
	bob := &models.Principal{Kind: models.PrincipalPerson, UserID: "bob", Role: models.RoleConsumer}
	plat := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: "alice"} // same id, other kind
	staff := &models.Principal{Kind: models.PrincipalPerson, UserID: "mod", Role: models.RoleModerator}

	file := func(n int) io.Reader {
		return io.MultiReader(bytes.NewReader(pngHead), io.LimitReader(zeros{}, int64(n-len(pngHead))))
	}

	if _, err := e.Upload(ctx, staff, "x.png", file(100)); !errors.Is(err, models.ErrForbidden) {
		t.Fatalf("staff upload: %v", err)
	}
	if _, err := e.Upload(ctx, alice, "x.png", file(1025)); !isKind(err, models.KindTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := e.Upload(ctx, alice, "x.png", strings.NewReader("")); !isKind(err, models.KindValidation) {
		t.Fatalf("empty: %v", err)
	}
	readErr := errors.New("connection reset")
	if _, err := e.Upload(ctx, alice, "x.png", io.MultiReader(bytes.NewReader(pngHead), errReader{readErr})); !isKind(err, models.KindBadRequest) || !errors.Is(err, readErr) {
		t.Fatalf("read error: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(e.dir, "tmp")); len(left) != 0 {
		t.Fatalf("refused uploads left temp files: %v", left)
	}

	var ids []string
	for i := 0; i < 3; i++ {
		ev, err := e.Upload(ctx, alice, "x.png", file(1024))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	other, err := e.Upload(ctx, bob, "y.png", file(200))
	if err != nil {
		t.Fatal(err)
	}

	got, err := e.OwnedEvidence(ctx, alice, []string{ids[2], ids[0], ids[2], ids[1], ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != ids[2] || got[1].ID != ids[0] || got[2].ID != ids[1] {
		t.Fatalf("OwnedEvidence order/dedupe: %+v", got)
	}
	if got, err := e.OwnedEvidence(ctx, alice, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v %v", got, err)
	}
	for name, tc := range map[string]struct {
		p   *models.Principal
		ids []string
	}{
		"someone else's":      {alice, []string{ids[0], other.ID}},
		"unknown":             {alice, []string{"nope"}},
		"same id, other kind": {plat, []string{ids[0]}},
		"staff own nothing":   {staff, []string{ids[0]}},
		"long garbage id":     {alice, []string{strings.Repeat("x", 10000)}},
		"more than 20 (distinct)": {alice, func() []string {
			s := make([]string, 21)
			for i := range s {
				s[i] = strings.Repeat("a", i+1)
			}
			return s
		}()},
	} {
		_, err := e.OwnedEvidence(ctx, tc.p, tc.ids)
		var de *models.Error
		if !errors.As(err, &de) || de.Kind != models.KindValidation || len(de.Fields) != 1 || de.Fields[0].Field != "evidence_ids" {
			t.Errorf("%s: %v", name, err)
		} else if len(de.Fields[0].Message) > 200 {
			t.Errorf("%s: message echoes too much: %d bytes", name, len(de.Fields[0].Message))
		}
	}
	// 25 copies of 20 distinct ids are fine.
	many := make([]string, 0, 25)
	for range 25 {
		many = append(many, ids[0])
	}
	if _, err := e.OwnedEvidence(ctx, alice, many); err != nil {
		t.Fatalf("duplicates count once: %v", err)
	}

	// Links are idempotent, within one call and across calls.
	if err := e.st.LinkEvidence(ctx, "c1", []string{ids[0], ids[1], ids[0]}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.LinkEvidence(ctx, "c1", []string{ids[1], ids[2]}); err != nil {
		t.Fatalf("linking again: %v", err)
	}
	var links int64
	e.st.DB().Model(&models.EvidenceLink{}).Where("complaint_id = ?", "c1").Count(&links)
	if links != 3 {
		t.Fatalf("%d links, want 3", links)
	}

	// Access: uploader and staff see it, another consumer does not.
	for name, tc := range map[string]struct {
		p  *models.Principal
		ok bool
	}{"uploader": {alice, true}, "staff": {staff, true}, "other consumer": {bob, false}, "nobody": {nil, false}} {
		_, f, err := e.Open(ctx, tc.p, ids[0])
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			_ = f.Close()
		} else if !isKind(err, models.KindNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
}

func isKind(err error, k models.Kind) bool {
	var de *models.Error
	return errors.As(err, &de) && de.Kind == k
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
