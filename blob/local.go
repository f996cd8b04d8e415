package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Local is a Store on the local disk: <dir>/<sha[:2]>/<sha>, with uploads in progress in
// <dir>/tmp (same file system, so that moving them into place is an atomic rename). It suits
// one instance: another instance cannot read what this one stored.
type Local struct {
	dir string
	tmp spool
}

// NewLocal stores blobs under dir, created on first use.
func NewLocal(dir string) *Local {
	return &Local{dir: dir, tmp: spool{dir: filepath.Join(dir, "tmp")}}
}

// path is where the blob of key lives.
func (l *Local) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.dir, key[:2], key), nil
}

// Create implements Store.
func (l *Local) Create(context.Context) (Writer, error) {
	f, err := l.tmp.create()
	if err != nil {
		return nil, err
	}
	return &localWriter{l: l, f: f}, nil
}

// Open implements Store.
func (l *Local) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Stat implements Store.
func (l *Local) Stat(_ context.Context, key string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return Info{}, err
	}
	return Info{Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Delete implements Store.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Check implements Store: the directory can take new files.
func (l *Local) Check(context.Context) error { return l.tmp.check() }

// SweepTemp implements Store.
func (l *Local) SweepTemp(ctx context.Context, age time.Duration) (int, error) {
	return l.tmp.sweep(ctx, age)
}

type localWriter struct {
	l    *Local
	f    *os.File
	done bool
}

func (w *localWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit flushes the file to disk before renaming it into place, so that an upload the client
// saw acknowledged survives a crash, then flushes the directory that records the rename.
func (w *localWriter) Commit(_ context.Context, key string) error {
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

func (w *localWriter) Abort() error {
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
