package testkit

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/dianshubao/dianshubao/blob"
)

// S3Server is an S3 protocol server in the test process (gofakes3 over HTTPS, as a bucket is
// reached in production), so that the real client and the wire protocol are exercised.
type S3Server struct {
	*httptest.Server
	Backend gofakes3.Backend
}

// S3Options shape the server StartS3 starts.
type S3Options struct {
	// Backend replaces the in-memory backend.
	Backend gofakes3.Backend
	// Wrap wraps the server's handler (to count or break requests).
	Wrap func(http.Handler) http.Handler
}

// StartS3 starts an S3 server with an empty bucket named "evidence", stopped when the test
// ends.
func StartS3(t testing.TB, opts S3Options) *S3Server {
	t.Helper()
	if opts.Backend == nil {
		opts.Backend = s3mem.New()
	}
	if err := opts.Backend.CreateBucket("evidence"); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	var h http.Handler = gofakes3.New(opts.Backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return &S3Server{Server: srv, Backend: opts.Backend}
}

// Config is the configuration of a client of the server's bucket, spooling under spoolDir.
func (s *S3Server) Config(spoolDir string) blob.S3Config {
	u, _ := url.Parse(s.URL)
	pathStyle := true
	return blob.S3Config{Endpoint: u.Host, Bucket: "evidence", Region: "us-east-1", AccessKey: "test-access",
		SecretKey: "test-secret", PathStyle: &pathStyle, Secure: true, SpoolDir: spoolDir,
		Transport: s.Client().Transport}
}

// Store is a client of the server's bucket.
func (s *S3Server) Store(t testing.TB) *blob.S3 {
	t.Helper()
	st, err := blob.NewS3(s.Config(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Discard is a backend that keeps nothing of what is put into it but its length; reads find
// nothing. It lets a test send large objects without the server holding them.
type Discard struct {
	gofakes3.Backend
	Received atomic.Int64
}

// PutObject implements gofakes3.Backend.
func (d *Discard) PutObject(_, _ string, _ map[string]string, input io.Reader, _ int64, _ *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	n, err := io.Copy(io.Discard, input)
	d.Received.Add(n)
	return gofakes3.PutObjectResult{}, err
}

// DiscardParts wraps an S3 server so that the parts of multipart uploads are counted and
// dropped rather than kept (gofakes3 holds parts in memory), and completing an upload stores
// nothing. With Discard it lets a test measure the client's memory alone.
func DiscardParts(received *atomic.Int64) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			switch {
			case r.Method == http.MethodPut && q.Has("uploadId"):
				n, err := io.Copy(io.Discard, r.Body)
				received.Add(n)
				if err != nil {
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				w.Header().Set("ETag", `"`+fmt.Sprintf("%032x", n)+`"`)
			case r.Method == http.MethodPost && q.Has("uploadId"):
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/xml")
				_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Location>%s</Location><Bucket>evidence</Bucket><Key>%s</Key><ETag>"%032x-1"</ETag></CompleteMultipartUploadResult>`,
					r.URL.Path, r.URL.Path, 1)
			default:
				h.ServeHTTP(w, r)
			}
		})
	}
}
