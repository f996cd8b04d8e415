// Package blob keeps evidence bytes under the SHA-256 of their content: on the local disk of
// one instance (Local) or in an S3-compatible bucket that every instance shares (S3: Aliyun
// OSS, Tencent COS, MinIO, SeaweedFS, AWS).
package blob

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Store keeps blobs under their key, the SHA-256 of their content in 64 lowercase hex digits.
// The key is known only once every byte has been read, so writing goes through a Writer that
// is committed under its key at the end.
type Store interface {
	// Create starts a new blob whose key is not known yet.
	Create(ctx context.Context) (Writer, error)
	// Open reads the blob stored under key; a missing blob is an error matching ErrNotExist.
	// The reader seeks without reading what it skips, so ranges are served from the middle.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Stat describes the blob stored under key, or answers an error matching ErrNotExist.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob stored under key; a missing blob is not an error.
	Delete(ctx context.Context, key string) error
	// Check tells whether the storage can be used now (readiness).
	Check(ctx context.Context) error
	// SweepTemp removes what uploads that never finished (a crash) left behind, older than age.
	SweepTemp(ctx context.Context, age time.Duration) (int, error)
}

// Writer receives the bytes of one blob; Commit or Abort ends it.
type Writer interface {
	io.Writer
	// Commit makes the bytes durable under key before it returns. A blob already stored under
	// key is kept as it is: same key, same bytes.
	Commit(ctx context.Context, key string) error
	// Abort discards the bytes; after Commit it does nothing.
	Abort() error
}

// Info describes a stored blob.
type Info struct {
	Size    int64
	ModTime time.Time
}

// ErrNotExist is matched (errors.Is) by the error of a blob that is not stored; it is
// fs.ErrNotExist, so os errors match it too.
var ErrNotExist = fs.ErrNotExist

// ErrUnavailable is matched by errors that say the storage could not be reached or answered
// with a server error: the request may succeed if retried a little later.
var ErrUnavailable = errors.New("blob storage unavailable")

// IsUnavailable reports whether err says the blob storage could not be reached for now.
func IsUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// CheckKey refuses anything but 64 lowercase hex digits, so that no key can name another
// path or object.
func CheckKey(key string) error {
	if len(key) != sha256.Size*2 || strings.Trim(key, "0123456789abcdef") != "" {
		return fmt.Errorf("invalid blob key %q", key)
	}
	return nil
}
