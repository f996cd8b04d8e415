package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func blobWorld(t *testing.T) (*store.Store, *Services, *models.Principal) {
	t.Helper()
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(st, kv.NewMemory(clock.Now), Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), EvidenceDir: t.TempDir()})
	return st, svc, &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
}

func (e *Evidence) readAll(t *testing.T, p *models.Principal, id string) []byte {
	t.Helper()
	_, rc, err := e.Open(context.Background(), p, id)
	if err != nil {
		t.Fatalf("open %s: %v", id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A refused form's file is discarded; the person chooses the same file again at once. If the
// erase-blob job runs between the new upload's bytes (Receive) and its row (Save), the row is
// not written over missing bytes: the upload is refused as unavailable (send it again), and
// sent again it is stored and reads back whole.
func TestEraseBetweenAnUploadsBytesAndItsRow(t *testing.T) {
	ctx := context.Background()
	_, svc, p := blobWorld(t)
	content := append(append([]byte{}, pngHead...), []byte("the same screenshot")...)
	first, err := svc.Evidence.Upload(ctx, p, "a.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Evidence.Discard(ctx, p, first.ID); err != nil {
		t.Fatal(err)
	}
	again, err := svc.Evidence.Receive(ctx, p, "a.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Evidence.eraseBlob(ctx, again.SHA256); err != nil { // the queue runs between the two steps
		t.Fatal(err)
	}
	if _, err := svc.Evidence.Save(ctx, again); !IsUnavailable(err) {
		t.Fatalf("saving a row whose bytes were erased: %v, want an unavailable error (send again)", err)
	}
	resent, err := svc.Evidence.Upload(ctx, p, "a.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Evidence.readAll(t, p, resent.ID); !bytes.Equal(got, content) {
		t.Fatalf("the file sent again reads %q", got)
	}
}

// An erase-blob job that runs while an upload's row of the same content is written but not
// committed waits for it and keeps the bytes.
func TestEraseWaitsForARowBeingWritten(t *testing.T) {
	ctx := context.Background()
	st, svc, p := blobWorld(t)
	content := append(append([]byte{}, pngHead...), []byte("written at the same time")...)
	ev, err := svc.Evidence.Receive(ctx, p, "b.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	written, release, txDone, erased := make(chan struct{}), make(chan struct{}), make(chan error, 1), make(chan error, 1)
	go func() {
		txDone <- st.Tx(ctx, func(tx *store.Store) error {
			if err := tx.CreateEvidence(ctx, ev); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	go func() { erased <- svc.Evidence.eraseBlob(ctx, ev.SHA256) }()
	select {
	case err := <-erased:
		t.Fatalf("the erase job did not wait for the row being written: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-txDone; err != nil {
		t.Fatal(err)
	}
	if err := <-erased; err != nil {
		t.Fatal(err)
	}
	if got := svc.Evidence.readAll(t, p, ev.ID); !bytes.Equal(got, content) {
		t.Fatalf("the bytes of a row written during the erase job: %q", got)
	}
}

// An upload whose row is written while an erase job holds its mark (checked, deleted, not yet
// committed) waits for the job and is then refused, not stored over the missing bytes.
func TestUploadWaitsForAnEraseUnderWay(t *testing.T) {
	ctx := context.Background()
	st, svc, p := blobWorld(t)
	content := append(append([]byte{}, pngHead...), []byte("deleted at the same time")...)
	ev, err := svc.Evidence.Receive(ctx, p, "c.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	deleted, release, jobDone, saved := make(chan struct{}), make(chan struct{}), make(chan error, 1), make(chan error, 1)
	go func() {
		jobDone <- st.Tx(ctx, func(tx *store.Store) error {
			if err := tx.MarkBlobDeletion(ctx, ev.SHA256, time.Now()); err != nil {
				return err
			}
			if err := svc.Evidence.blobStore().Delete(ctx, ev.SHA256); err != nil {
				return err
			}
			close(deleted)
			<-release
			return nil
		})
	}()
	<-deleted
	go func() { _, err := svc.Evidence.Save(ctx, ev); saved <- err }()
	select {
	case err := <-saved:
		close(release)
		t.Fatalf("the upload did not wait for the erase under way: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-jobDone; err != nil {
		t.Fatal(err)
	}
	if err := <-saved; !IsUnavailable(err) {
		t.Fatalf("an upload whose bytes were erased meanwhile: %v, want an unavailable error", err)
	}
	var n int64
	st.DB().Model(&models.Evidence{}).Where("id = ?", ev.ID).Count(&n)
	if n != 0 {
		t.Fatal("a row was stored over erased bytes")
	}
}

// countingBlobs counts the Stat calls of the store it wraps.
type countingBlobs struct {
	BlobStore
	stats atomic.Int64
}

func (c *countingBlobs) Stat(ctx context.Context, key string) (blob.Info, error) {
	c.stats.Add(1)
	return c.BlobStore.Stat(ctx, key)
}

// An upload of content that was never deleted reads only the (absent) mark, no blob storage;
// one of content deleted within the mark's day checks its bytes; the janitor drops marks a day
// old, after which such an upload checks nothing again.
func TestUploadChecksItsBytesOnlyAfterADeletion(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	blobs := &countingBlobs{BlobStore: blob.NewLocal(t.TempDir())}
	svc := New(st, kv.NewMemory(clock.Now), Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), Blobs: blobs})
	p := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
	upload := func(body string) *models.Evidence {
		t.Helper()
		ev, err := svc.Evidence.Upload(ctx, p, "x.png", bytes.NewReader(append(append([]byte{}, pngHead...), body...)))
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for _, b := range []string{"one", "two", "three"} {
		upload(b)
	}
	if n := blobs.stats.Load(); n != 0 {
		t.Fatalf("uploads of content never deleted read blob storage %d times", n)
	}
	gone := upload("deleted")
	if err := svc.Evidence.Discard(ctx, p, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Evidence.eraseBlob(ctx, gone.SHA256); err != nil {
		t.Fatal(err)
	}
	upload("deleted")
	if n := blobs.stats.Load(); n != 1 {
		t.Fatalf("an upload of content deleted an instant ago checked its bytes %d times, want 1", n)
	}
	clock.Advance(25 * time.Hour)
	if _, err := svc.Retention.Janitor(ctx); err != nil {
		t.Fatal(err)
	}
	var marks int64
	st.DB().Model(&models.BlobDeletion{}).Count(&marks)
	if marks != 0 {
		t.Fatalf("%d marks left a day after the deletion", marks)
	}
	upload("deleted")
	if n := blobs.stats.Load(); n != 1 {
		t.Fatalf("after the mark went, an upload still checked its bytes (%d checks)", n)
	}
}
