package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LocalBlobs is a BlobStore on the local disk: <dir>/<sha[:2]>/<sha>, with uploads in
// progress in <dir>/tmp (same file system, so that moving them into place is an atomic rename).
type LocalBlobs struct {
	dir string
}

// NewLocalBlobs stores blobs under dir, created on first use.
func NewLocalBlobs(dir string) *LocalBlobs { return &LocalBlobs{dir: dir} }

func (l *LocalBlobs) tmpDir() string { return filepath.Join(l.dir, "tmp") }

// path is where the blob of key lives; keys are checked so that no key can name another path.
func (l *LocalBlobs) path(key string) (string, error) {
	if len(key) != sha256.Size*2 || strings.Trim(key, "0123456789abcdef") != "" {
		return "", fmt.Errorf("invalid blob key %q", key)
	}
	return filepath.Join(l.dir, key[:2], key), nil
}

// Create implements BlobStore.
func (l *LocalBlobs) Create(context.Context) (BlobWriter, error) {
	if err := os.MkdirAll(l.tmpDir(), 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(l.tmpDir(), "upload-*")
	if err != nil {
		return nil, err
	}
	return &localBlobWriter{l: l, f: f}, nil
}

// Open implements BlobStore.
func (l *LocalBlobs) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// SweepTemp removes temporary files older than age (left by a crash mid-upload).
func (l *LocalBlobs) SweepTemp(ctx context.Context, age time.Duration) (int, error) {
	entries, err := os.ReadDir(l.tmpDir())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	// File times are the file system's, so they are compared with the wall clock.
	cutoff := time.Now().Add(-age)
	n := 0
	for _, de := range entries {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() || info.ModTime().After(cutoff) {
			continue
		}
		if os.Remove(filepath.Join(l.tmpDir(), de.Name())) == nil {
			n++
		}
	}
	return n, nil
}

type localBlobWriter struct {
	l    *LocalBlobs
	f    *os.File
	done bool
}

func (w *localBlobWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit flushes the file to disk before renaming it into place, so that an upload the client
// saw acknowledged survives a crash, then flushes the directory that records the rename.
func (w *localBlobWriter) Commit(_ context.Context, key string) error {
	if w.done {
		return errors.New("blob already finished")
	}
	final, err := w.l.path(key)
	if err != nil {
		return err
	}
	tmp := w.f.Name()
	w.done = true
	if err := w.f.Sync(); err != nil {
		_ = w.f.Close()
		_ = os.Remove(tmp)
		return err
	}
	if err := w.f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	shard := filepath.Dir(final)
	if err := os.Mkdir(shard, 0o750); err == nil {
		if err := syncDir(w.l.dir); err != nil {
			_ = os.Remove(tmp)
			return err
		}
	} else if !errors.Is(err, os.ErrExist) {
		_ = os.Remove(tmp)
		return err
	}
	if _, err := os.Stat(final); err == nil {
		// Same hash, same bytes: keep the stored blob.
		return os.Remove(tmp)
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(shard)
}

func (w *localBlobWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.f.Close()
	return os.Remove(w.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
