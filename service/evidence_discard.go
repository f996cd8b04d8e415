package service

import (
	"context"
	"errors"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// Discard removes a file the person uploaded with a form that was then refused (the site's
// filing forms upload and file in one submission, so a refusal must not leave the file
// behind): the row at once, the bytes through the work queue's erase-blob job, which keeps
// them while another row stores the same content. A file that is cited (also by a citation
// being committed at the same time), or not the person's, is left as it is; an upload of the
// same content under way when the job runs keeps its bytes or is refused, to be sent again
// (eraseBlob).
func (e *Evidence) Discard(ctx context.Context, p *models.Principal, id string) error {
	if p == nil || p.Kind != models.PrincipalPerson || id == "" {
		return nil
	}
	t := now(e.clock)
	return e.st.Tx(ctx, func(tx *store.Store) error {
		ev, err := tx.UncitedEvidenceForUpdate(ctx, id)
		if errors.Is(err, models.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.UploaderKind != models.UploaderUser || ev.UploaderID != p.UserID {
			return nil
		}
		if err := tx.DeleteEvidence(ctx, id); err != nil {
			return err
		}
		return tx.EnqueueJobs(ctx, []models.Job{{ID: models.NewID(), Kind: models.JobEraseBlob, State: models.JobAvailable,
			DueAt: t, Ref: ev.SHA256, Destination: models.DestinationBlobs, CreatedAt: t, UpdatedAt: t}})
	})
}
