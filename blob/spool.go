package blob

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// spool is a directory of uploads in progress, one temporary file each.
type spool struct{ dir string }

// create opens a new temporary file, creating the directory on first use.
func (s spool) create() (*os.File, error) {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return nil, err
	}
	return os.CreateTemp(s.dir, "upload-*")
}

// check tells whether temporary files can be created.
func (s spool) check() error {
	f, err := s.create()
	if err != nil {
		return err
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

// sweep removes temporary files older than age (left by a crash mid-upload).
func (s spool) sweep(ctx context.Context, age time.Duration) (int, error) {
	entries, err := os.ReadDir(s.dir)
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
		if os.Remove(filepath.Join(s.dir, de.Name())) == nil {
			n++
		}
	}
	return n, nil
}
