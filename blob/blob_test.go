package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/internal/testkit"
)

// backend is one Store under test with the directory its uploads are spooled in.
type backend struct {
	st    blob.Store
	spool string
}

// backends are the stores every test of this file runs against: the local directory and a
// bucket of an S3 protocol server in this process, through the real client.
func backends(t *testing.T) map[string]func(t *testing.T) backend {
	return map[string]func(t *testing.T) backend{
		"local": func(t *testing.T) backend {
			dir := t.TempDir()
			return backend{st: blob.NewLocal(dir), spool: filepath.Join(dir, "tmp")}
		},
		"s3": func(t *testing.T) backend {
			srv := testkit.StartS3(t, testkit.S3Options{})
			spool := t.TempDir()
			st, err := blob.NewS3(srv.Config(spool))
			if err != nil {
				t.Fatal(err)
			}
			return backend{st: st, spool: spool}
		},
	}
}

func forEachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t))
		})
	}
}

func keyOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func put(t *testing.T, st blob.Store, data []byte) string {
	t.Helper()
	ctx := context.Background()
	w, err := st.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Written in pieces, as an upload arrives.
	for chunk := range slices.Chunk(data, 7000) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	key := keyOf(data)
	if err := w.Commit(ctx, key); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	return key
}

func readAll(t *testing.T, st blob.Store, key string) []byte {
	t.Helper()
	r, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func spoolEmpty(t *testing.T, dir string) {
	t.Helper()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		data := pattern(100_000)
		key := put(t, b.st, data)
		if got := readAll(t, b.st, key); !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes, want the %d written", len(got), len(data))
		}
		info, err := b.st.Stat(ctx, key)
		if err != nil || info.Size != int64(len(data)) || info.ModTime.IsZero() {
			t.Fatalf("Stat = %+v, %v", info, err)
		}
		spoolEmpty(t, b.spool)

		// The same bytes again: committed, kept once.
		if put(t, b.st, data) != key {
			t.Fatal("same bytes, different key")
		}
		if got := readAll(t, b.st, key); !bytes.Equal(got, data) {
			t.Fatal("the blob changed when the same bytes were committed again")
		}
		spoolEmpty(t, b.spool)
	})
}

func TestSeekServesTheMiddle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		data := pattern(300_000)
		key := put(t, b.st, data)
		r, err := b.st.Open(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		// What http.ServeContent does: the size from the end, then the range.
		end, err := r.Seek(0, io.SeekEnd)
		if err != nil || end != int64(len(data)) {
			t.Fatalf("Seek(0, End) = %d, %v", end, err)
		}
		if _, err := r.Seek(123_456, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 1000)
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data[123_456:124_456]) {
			t.Fatal("the range read is not the bytes at its offset")
		}
		if _, err := r.Seek(10, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(r, got[:10]); err != nil || !bytes.Equal(got[:10], data[10:20]) {
			t.Fatalf("seeking back: %v", err)
		}
	})
}

func TestMissingAndDeleted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		missing := keyOf([]byte("never stored"))
		if _, err := b.st.Open(ctx, missing); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("Open of a missing blob: %v, want ErrNotExist", err)
		}
		if _, err := b.st.Stat(ctx, missing); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("Stat of a missing blob: %v, want ErrNotExist", err)
		}
		if err := b.st.Delete(ctx, missing); err != nil {
			t.Fatalf("Delete of a missing blob: %v", err)
		}
		key := put(t, b.st, []byte("to be erased"))
		if err := b.st.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := b.st.Stat(ctx, key); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("Stat after Delete: %v", err)
		}
		if _, err := b.st.Open(ctx, key); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("Open after Delete: %v", err)
		}
	})
}

func TestInvalidKeysAreRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		for _, bad := range []string{"../../etc/passwd", strings.Repeat("A", 64), "abc", strings.Repeat("a", 63) + "/"} {
			if _, err := b.st.Open(ctx, bad); err == nil || errors.Is(err, blob.ErrNotExist) {
				t.Errorf("Open(%q) = %v, want an invalid key error", bad, err)
			}
			if err := b.st.Delete(ctx, bad); err == nil {
				t.Errorf("Delete(%q) succeeded", bad)
			}
			w, err := b.st.Create(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write([]byte("x"))
			if err := w.Commit(ctx, bad); err == nil {
				t.Errorf("Commit(%q) succeeded", bad)
			}
			_ = w.Abort()
		}
		spoolEmpty(t, b.spool)
	})
}

func TestAbortAndSweep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		w, err := b.st.Create(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("half an upload"))
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		spoolEmpty(t, b.spool)
		if _, err := b.st.Stat(ctx, keyOf([]byte("half an upload"))); !errors.Is(err, blob.ErrNotExist) {
			t.Fatalf("an aborted upload was stored: %v", err)
		}

		// A crash leaves temporary files: stale ones are swept, fresh ones are not.
		stale, _ := b.st.Create(ctx)
		fresh, _ := b.st.Create(ctx)
		entries, _ := os.ReadDir(b.spool)
		if len(entries) != 2 {
			t.Fatalf("%d temporary files, want 2", len(entries))
		}
		old := time.Now().Add(-2 * time.Hour)
		_ = os.Chtimes(filepath.Join(b.spool, entries[0].Name()), old, old)
		n, err := b.st.SweepTemp(ctx, time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("SweepTemp = %d, %v; want 1", n, err)
		}
		_ = stale.Abort()
		_ = fresh.Abort()
		spoolEmpty(t, b.spool)
	})
}

func TestCheck(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		if err := b.st.Check(context.Background()); err != nil {
			t.Fatalf("Check: %v", err)
		}
	})
}
