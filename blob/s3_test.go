package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/internal/testkit"
)

// requestLog records the requests an S3 server received.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.URL.Path+" range="+r.Header.Get("Range"))
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reqs
	l.reqs = nil
	return r
}

func count(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// A blob the bucket already holds is not sent again, and a range is fetched as a range.
func TestS3SendsOnceAndReadsRanges(t *testing.T) {
	t.Parallel()
	var log requestLog
	srv := testkit.StartS3(t, testkit.S3Options{Wrap: log.wrap})
	st := srv.Store(t)
	data := pattern(50_000)
	key := put(t, st, data)
	if n := count(log.take(), "PUT "); n != 1 {
		t.Fatalf("%d PUT requests for a new blob, want 1", n)
	}
	put(t, st, data)
	if n := count(log.take(), "PUT "); n != 0 {
		t.Fatalf("%d PUT requests for a blob already stored, want 0", n)
	}
	// An object under the hash that is not those bytes (written by something else) is replaced.
	if _, err := srv.Backend.PutObject("evidence", key, map[string]string{}, strings.NewReader("truncated"), 9, nil); err != nil {
		t.Fatal(err)
	}
	put(t, st, data)
	if n := count(log.take(), "PUT "); n != 1 {
		t.Fatalf("%d PUT requests over a foreign object, want 1", n)
	}
	if got := readAll(t, st, key); !bytes.Equal(got, data) {
		t.Fatal("a foreign object under the hash was kept")
	}
	log.take()

	r, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Seek(40_000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data[40_000:]) {
		t.Fatalf("read from the middle: %d bytes, %v", len(got), err)
	}
	var gets []string
	for _, req := range log.take() {
		if strings.HasPrefix(req, "GET ") {
			gets = append(gets, req)
		}
	}
	if len(gets) != 1 || !strings.HasSuffix(gets[0], "range=bytes=40000-") {
		t.Fatalf("GET requests %q, want one for bytes=40000-", gets)
	}
}

// A blob larger than the client's part size goes up as a multipart upload, from the spooled
// file, and reads back whole.
func TestS3LargeBlob(t *testing.T) {
	t.Parallel()
	srv := testkit.StartS3(t, testkit.S3Options{})
	st := srv.Store(t)
	data := pattern(17 << 20)
	key := put(t, st, data)
	if got := readAll(t, st, key); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(data))
	}
}

// A service that cannot be reached, or answers with server errors, is unavailable (503 to
// clients, retried later), not a fault; a missing bucket fails the readiness check.
func TestS3Unavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var failing sync.Map
	srv := testkit.StartS3(t, testkit.S3Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := failing.Load("on"); ok {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	cfg := srv.Config(t.TempDir())
	cfg.MaxRetries = 1
	st, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := put(t, st, []byte("stored before the outage"))

	failing.Store("on", true)
	if _, err := st.Open(ctx, key); !blob.IsUnavailable(err) {
		t.Errorf("Open during 503s: %v, want unavailable", err)
	}
	w, _ := st.Create(ctx)
	_, _ = w.Write([]byte("during the outage"))
	if err := w.Commit(ctx, keyOf([]byte("during the outage"))); !blob.IsUnavailable(err) {
		t.Errorf("Commit during 503s: %v, want unavailable", err)
	}
	if err := st.Check(ctx); err == nil {
		t.Error("Check passed during 503s")
	}
	failing.Delete("on")

	srv.Close()
	if _, err := st.Open(ctx, key); !blob.IsUnavailable(err) {
		t.Errorf("Open of a closed server: %v, want unavailable", err)
	}
	if err := st.Check(ctx); !blob.IsUnavailable(err) {
		t.Errorf("Check of a closed server: %v, want unavailable", err)
	}

	other := testkit.StartS3(t, testkit.S3Options{})
	cfg = other.Config(t.TempDir())
	cfg.Bucket = "no-such-bucket"
	missing, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Check(ctx); err == nil || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Errorf("Check of a missing bucket: %v", err)
	}
	if errors.Is(missing.Check(ctx), blob.ErrNotExist) {
		t.Error("a missing bucket reads as a missing blob")
	}
}

// A prefix keeps the blobs under it, so that a bucket can be shared.
func TestS3Prefix(t *testing.T) {
	t.Parallel()
	srv := testkit.StartS3(t, testkit.S3Options{})
	cfg := srv.Config(t.TempDir())
	cfg.Prefix = "dsb/evidence/"
	st, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := put(t, st, []byte("prefixed"))
	if _, err := srv.Backend.HeadObject("evidence", "dsb/evidence/"+key); err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
}
