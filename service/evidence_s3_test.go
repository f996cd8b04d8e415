package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// peakHeap runs f while sampling the heap, and returns how far the heap grew above what it
// was before.
func peakHeap(f func()) uint64 {
	old := debug.SetGCPercent(10) // garbage is collected soon, so the samples show what is held
	defer debug.SetGCPercent(old)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// An upload to S3 is streamed: files several times larger than the memory they may use go
// through Receive, the client and the wire into a bucket, in one PUT and as a multipart
// upload, and the heap never holds them.
func TestUploadToS3IsStreamed(t *testing.T) {
	for _, size := range []int64{12 << 20, 40 << 20} {
		t.Run(fmt.Sprintf("%dMiB", size>>20), func(t *testing.T) { uploadWithin(t, size, 2<<20) })
	}
}

func uploadWithin(t *testing.T, size int64, budget uint64) {
	var parts atomic.Int64
	sink := &testkit.Discard{Backend: s3mem.New()}
	srv := testkit.StartS3(t, testkit.S3Options{Backend: sink, Wrap: testkit.DiscardParts(&parts)})
	e := newEvidenceService(t, size)
	e.blobs = srv.Store(t)
	alice := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}

	var ev *models.Evidence
	var err error
	grew := peakHeap(func() {
		file := io.MultiReader(bytes.NewReader(pngHead), io.LimitReader(zeros{}, size-int64(len(pngHead))))
		ev, err = e.Receive(context.Background(), alice, "big.png", file)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Received.Load() + parts.Load(); ev.Size != size || got != size {
		t.Fatalf("stored %d bytes, the bucket received %d; want %d", ev.Size, got, size)
	}
	if multipart := parts.Load() > 0; multipart != (size > 16<<20) {
		t.Fatalf("multipart upload: %v for %d MiB", multipart, size>>20)
	}
	t.Logf("heap grew by %d KiB for a %d MiB upload", grew>>10, size>>20)
	if grew > budget {
		t.Fatalf("the heap grew by %d MiB during a %d MiB upload (budget %d MiB): the file was held in memory",
			grew>>20, size>>20, budget>>20)
	}
}

// Bytes missing under an evidence row are a fault of the service (500), not an outage (503),
// on either store: a local file system error is not a network error.
func TestMissingBlobIsNotAnOutage(t *testing.T) {
	ctx := context.Background()
	alice := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
	srv := testkit.StartS3(t, testkit.S3Options{})
	for name, blobs := range map[string]BlobStore{"local": blob.NewLocal(t.TempDir()), "s3": srv.Store(t)} {
		t.Run(name, func(t *testing.T) {
			e := newEvidenceService(t, 1<<20)
			e.blobs = blobs
			ev, err := e.Upload(ctx, alice, "a.png", bytes.NewReader(pngHead))
			if err != nil {
				t.Fatal(err)
			}
			if err := blobs.Delete(ctx, ev.SHA256); err != nil {
				t.Fatal(err)
			}
			_, _, err = e.Open(ctx, alice, ev.ID)
			if !errors.Is(err, blob.ErrNotExist) || IsUnavailable(err) {
				t.Fatalf("Open of evidence whose bytes are gone: %v (unavailable: %v)", err, IsUnavailable(err))
			}
		})
	}
}
