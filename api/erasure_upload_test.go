package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/models"
)

// TestUploadFinishingAfterAnErasureIsRefused: an upload can take minutes, longer than the
// erasure and its sweep a minute later. One whose bytes arrive after its person was erased gets
// no evidence row (401 invalid_token), and the bytes already stored are deleted like the
// erasure's own.
func TestUploadFinishingAfterAnErasureIsRefused(t *testing.T) {
	store := blob.NewLocal(t.TempDir())
	a := newApp(t, func(o *appOptions) { o.blobs = store })
	token, id := a.register("consumer")
	p := &models.Principal{Kind: models.PrincipalPerson, UserID: id, Role: models.RoleConsumer}
	ctx := context.Background()
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 512)...)
	// The bytes arrive and are stored …
	ev, err := a.svc.Evidence.Receive(ctx, p, "张三-13900000001.png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Stat(ctx, ev.SHA256); err != nil {
		t.Fatalf("the received bytes are not stored: %v", err)
	}
	// … the person is erased meanwhile …
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/me", token: token}), http.StatusOK)
	a.runJobs() // the erasure's own jobs, its sweep included once due
	a.clock.Advance(2 * 60e9)
	a.runJobs()
	// … and the row is refused when the upload ends.
	if _, err := a.svc.Evidence.Save(ctx, ev); !errors.Is(err, models.ErrInvalidToken) {
		t.Fatalf("save after the erasure: %v, want invalid_token", err)
	}
	var rows int64
	if err := a.st.DB().Model(&models.Evidence{}).Where("uploader_id = ?", id).Count(&rows).Error; err != nil || rows != 0 {
		t.Fatalf("%d evidence rows of the erased person (%v)", rows, err)
	}
	if a.runJobs() == 0 {
		t.Fatal("no job deleted the stored bytes")
	}
	held, err := a.st.EvidenceHoldsBlob(ctx, ev.SHA256)
	if err != nil || held {
		t.Fatalf("blob still held: %v %v", held, err)
	}
	if _, err := store.Stat(ctx, ev.SHA256); err == nil {
		t.Error("the erased person's bytes are still in storage")
	}
}
