package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/kv"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// A refused form's file is discarded and its bytes queued for deletion; the person chooses the
// same file again at once ("已上传的证据需重新选择"). If the erase-blob job runs between the new
// upload's blob commit (Receive) and its row (Save), it sees no row holding the content and
// deletes the bytes the new row is about to point at.
func TestDiscardThenSameFileAgainBreak(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(st, kv.NewMemory(clock.Now), Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), EvidenceDir: t.TempDir()})
	p := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
	content := append(append([]byte{}, pngHead...), []byte("the same screenshot")...)

	first, err := svc.Evidence.Receive(ctx, p, "a.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Evidence.Save(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := svc.Evidence.Discard(ctx, p, first.ID); err != nil {
		t.Fatal(err)
	}
	var jobs []models.Job
	if err := st.DB().Where("kind = ?", models.JobEraseBlob).Find(&jobs).Error; err != nil || len(jobs) != 1 {
		t.Fatalf("erase jobs: %v %d", err, len(jobs))
	}

	again, err := svc.Evidence.Receive(ctx, p, "a.png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	svc.Erasures.eraseBlobJob(ctx, &jobs[0]) // the queue runs between the two steps
	if _, err := svc.Evidence.Save(ctx, again); err != nil {
		t.Fatal(err)
	}
	_, rc, err := svc.Evidence.Open(ctx, p, again.ID)
	if err != nil {
		t.Fatalf("the file chosen again cannot be opened: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("the file chosen again reads %q, %v", got, err)
	}
}

// Discard leaves a cited file as it is, also when the citation is being written at the same
// time: a filing's transaction that has linked the file but not committed yet must not lose
// the file to a concurrent Discard.
func TestDiscardWhileBeingCitedBreak(t *testing.T) {
	ctx := context.Background()
	st := testkit.Store(t)
	clock := testkit.NewClock(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	svc := New(st, kv.NewMemory(clock.Now), Options{Clock: clock, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler), EvidenceDir: t.TempDir()})
	p := &models.Principal{Kind: models.PrincipalPerson, UserID: "alice", Role: models.RoleConsumer}
	ev, err := svc.Evidence.Receive(ctx, p, "a.png", bytes.NewReader(append(append([]byte{}, pngHead...), "cited"...)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Evidence.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	linked, release, discarded := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	txDone := make(chan error, 1)
	go func() {
		txDone <- st.Tx(ctx, func(tx *store.Store) error {
			if err := tx.DB().Create(&models.EvidenceLink{EvidenceID: ev.ID, ComplaintID: "c-1"}).Error; err != nil {
				return err
			}
			close(linked)
			<-release
			return nil
		})
	}()
	<-linked
	go func() { discarded <- svc.Evidence.Discard(ctx, p, ev.ID) }()
	select {
	case err := <-discarded:
		close(release)
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second): // Discard waits for the citing transaction
		close(release)
		if err := <-discarded; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-txDone; err != nil {
		t.Fatal(err)
	}
	var n int64
	st.DB().Model(&models.Evidence{}).Where("id = ?", ev.ID).Count(&n)
	if n != 1 {
		t.Fatal("a file cited by a transaction running at the same time was deleted by Discard")
	}
}
