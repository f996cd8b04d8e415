package service

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Discard leaves a cited file as it is, also when the citation is being written at the same
// time: a filing's transaction that has linked the file but not committed yet must not lose
// the file to a concurrent Discard.
func TestDiscardWhileBeingCited(t *testing.T) {
	ctx := context.Background()
	st, svc, p := blobWorld(t)
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

// Discard leaves another person's file as it is: a refused form discards only what its own
// person uploaded.
func TestDiscardLeavesAnothersFile(t *testing.T) {
	ctx := context.Background()
	st, svc, p := blobWorld(t)
	ev, err := svc.Evidence.Upload(ctx, p, "a.png", bytes.NewReader(append(append([]byte{}, pngHead...), "alice's"...)))
	if err != nil {
		t.Fatal(err)
	}
	bob := &models.Principal{Kind: models.PrincipalPerson, UserID: "bob", Role: models.RoleConsumer}
	if err := svc.Evidence.Discard(ctx, bob, ev.ID); err != nil {
		t.Fatal(err)
	}
	var rows, jobs int64
	st.DB().Model(&models.Evidence{}).Where("id = ?", ev.ID).Count(&rows)
	st.DB().Model(&models.Job{}).Where("kind = ?", models.JobEraseBlob).Count(&jobs)
	if rows != 1 || jobs != 0 {
		t.Fatalf("another person's discard: %d rows left, %d erase jobs queued", rows, jobs)
	}
}
