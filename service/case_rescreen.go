package service

import (
	"context"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// rescreenBatch is how many published cases one statement of a re-screening reads.
const rescreenBatch = 200

// withdrawListed withdraws, in tx, every published case whose texts or tags hold a term that
// screen matches (`withdrawn`, reason `screened`), and returns their ids: a term added to the
// list takes its published cases off every public page in the transaction that adds it, as
// publishing refuses them (screenCase). Staff can rephrase such a case and publish it again.
//
// tx holds the list's version row (ScreeningList.Add writes it first), which every
// publication and edit of a case takes before the case (Cases.change): none runs meanwhile,
// and one that committed before is read here. The published cases are read without a lock;
// only a matching one is locked and read again (a withdrawal or an erasure may have come
// between).
func (cs *Cases) withdrawListed(ctx context.Context, tx *store.Store, screen *models.Screener) ([]string, error) {
	var withdrawn []string
	after := ""
	for {
		ks, err := tx.PublishedCases(ctx, after, rescreenBatch)
		if err != nil {
			return nil, err
		}
		for i := range ks {
			if screenCaseWith(&ks[i], screen) == nil {
				continue
			}
			k, err := tx.CaseForUpdate(ctx, ks[i].ID)
			if err != nil {
				return nil, err
			}
			if k.Status != models.CasePublished || screenCaseWith(k, screen) == nil {
				continue
			}
			before, reason := k.Version, models.UnpublishedByScreening
			k.Status, k.UnpublishedReason = models.CaseWithdrawn, &reason
			k.UpdatedAt, k.Version = now(cs.clock), k.Version+1
			if err := tx.SaveCase(ctx, before, k); err != nil {
				return nil, err
			}
			withdrawn = append(withdrawn, k.ID)
		}
		if len(ks) < rescreenBatch {
			return withdrawn, nil
		}
		after = ks[len(ks)-1].ID
	}
}
