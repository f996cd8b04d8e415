package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config points at a bucket of an S3-compatible service.
type S3Config struct {
	// Endpoint is host[:port], without a scheme (Secure chooses https or http).
	Endpoint string
	Bucket   string
	// Prefix is put before every key (for example "evidence/"), to share a bucket.
	Prefix string
	// Region is the bucket's region; empty asks the service (one request, then cached).
	Region string
	// AccessKey and SecretKey sign requests; both empty take credentials from the environment
	// (AWS_ACCESS_KEY_ID…, MINIO_ACCESS_KEY…) or the instance's IAM role.
	AccessKey, SecretKey string
	// PathStyle addresses the bucket in the path (host/bucket/key: MinIO, SeaweedFS) when true,
	// in the host name (bucket.host/key: Aliyun OSS, Tencent COS) when false; nil lets the
	// client choose by endpoint.
	PathStyle *bool
	Secure    bool
	// SpoolDir holds uploads in progress on the local disk until their hash is known.
	SpoolDir string
	// MaxRetries bounds the attempts of one request that meets a network or server error
	// (default 3, with a backoff of up to a second between them), so that a client waits
	// seconds, not tens of seconds, for its 503 while the service is down.
	MaxRetries int
	// Transport replaces the default HTTP transport (tests).
	Transport http.RoundTripper
}

// S3 is a Store in an S3-compatible bucket, shared by every instance that points at it.
//
// An upload is spooled to a temporary local file while it is hashed, then sent once, with
// its length, under its content address: no temporary object is copied and deleted (a copy
// costs a second request and its limits differ between services), a blob already stored is
// not sent again, a crash mid-upload leaves only a local file that SweepTemp removes (never an
// object or an unfinished multipart upload in the bucket), and memory stays a few buffers per
// upload whatever its size. Downloads are streamed from the bucket; seeking starts a ranged
// GET, so ranges are served without reading what comes before them.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
	tmp    spool
}

// NewS3 builds the client; it makes no request (Check does).
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("S3 storage needs an endpoint and a bucket")
	}
	if cfg.SpoolDir == "" {
		return nil, errors.New("S3 storage needs a local directory to spool uploads")
	}
	var creds *credentials.Credentials
	if cfg.AccessKey != "" || cfg.SecretKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.EnvMinio{}, &credentials.IAM{}})
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle != nil {
		lookup = minio.BucketLookupDNS
		if *cfg.PathStyle {
			lookup = minio.BucketLookupPath
		}
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: creds, Secure: cfg.Secure, Region: cfg.Region,
		BucketLookup: lookup, Transport: cfg.Transport, MaxRetries: cfg.MaxRetries})
	if err != nil {
		return nil, fmt.Errorf("S3 storage: %w", err)
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, tmp: spool{dir: cfg.SpoolDir}}, nil
}

func (s *S3) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// Create implements Store.
func (s *S3) Create(context.Context) (Writer, error) {
	f, err := s.tmp.create()
	if err != nil {
		return nil, err
	}
	return &s3Writer{s: s, f: f}, nil
}

// Open implements Store. The object is looked up before Open returns, so that a missing or
// unreachable blob is told apart here rather than in the middle of a response.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.classify("open", name, err)
	}
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, s.classify("open", name, err)
	}
	return obj, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	name, err := s.object(key)
	if err != nil {
		return Info{}, err
	}
	oi, err := s.c.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.classify("stat", name, err)
	}
	return Info{Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	// S3 answers a delete of a missing key with success.
	if err := s.c.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return s.classify("delete", name, err)
	}
	return nil
}

// Check implements Store: the bucket exists and answers with these credentials, and uploads
// can be spooled.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.classify("check bucket", "", err)
	}
	if !ok {
		return fmt.Errorf("S3 bucket %q does not exist", s.bucket)
	}
	return s.tmp.check()
}

// SweepTemp implements Store: uploads are spooled locally, so that is where a crash leaves
// something behind.
func (s *S3) SweepTemp(ctx context.Context, age time.Duration) (int, error) {
	return s.tmp.sweep(ctx, age)
}

// classify makes a missing object match ErrNotExist and an unreachable service or a server
// error (5xx, throttling) match ErrUnavailable.
func (s *S3) classify(op, name string, err error) error {
	what := fmt.Sprintf("S3 %s s3://%s/%s", op, s.bucket, name)
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket:
		return fmt.Errorf("%s: %w: %w", what, ErrNotExist, err)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.Code == "SlowDown":
		return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
	case resp.StatusCode == 0 && unreachable(err):
		return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unreachable tells network failures and timeouts from other errors without a response.
func unreachable(err error) bool {
	var netErr net.Error
	var urlErr *url.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) || errors.As(err, &urlErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "connection refused") ||
		strings.Contains(err.Error(), "connection reset")
}

type s3Writer struct {
	s    *S3
	f    *os.File
	size int64
	done bool
}

func (w *s3Writer) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.size += int64(n)
	return n, err
}

// Commit sends the spooled file under key, unless the bucket holds it already, and removes
// the file. PutObject returns once the service has stored the object.
func (w *s3Writer) Commit(ctx context.Context, key string) error {
	if w.done {
		return errors.New("blob already finished")
	}
	w.done = true
	defer func() {
		_ = w.f.Close()
		_ = os.Remove(w.f.Name())
	}()
	name, err := w.s.object(key)
	if err != nil {
		return err
	}
	oi, err := w.s.c.StatObject(ctx, w.s.bucket, name, minio.StatObjectOptions{})
	switch {
	case err == nil && oi.Size == w.size:
		return nil // same key, same bytes: nothing to send
	case err == nil:
		// An object of another length under this hash was not written by this store (a PUT is
		// all or nothing): replace it with the bytes the hash names.
	default:
		if err := w.s.classify("stat", name, err); !errors.Is(err, ErrNotExist) {
			return err
		}
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// *os.File is an io.ReaderAt: the client streams it (in sections when it is large enough
	// for a multipart upload) and never buffers it whole.
	_, err = w.s.c.PutObject(ctx, w.s.bucket, name, w.f, w.size,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return w.s.classify("put", name, err)
	}
	return nil
}

func (w *s3Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.f.Close()
	return os.Remove(w.f.Name())
}
