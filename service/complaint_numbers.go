package service

import (
	"context"
	"fmt"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// numberBlock hands out complaint numbers from a block reserved for this instance, so that
// filings do not all lock the day's counter row; a restart or a refused filing leaves a gap.
type numberBlock struct {
	day        string
	next, last int64
}

// complaintNumberBlock is how many numbers an instance reserves at a time.
const complaintNumberBlock = 50

// number returns the next complaint number for a filing at t: DSB, the China date, 6 digits.
func (cs *Complaints) number(ctx context.Context, t time.Time) (string, error) {
	day := t.In(models.ChinaTime).Format("20060102")
	cs.numbersMu.Lock()
	defer cs.numbersMu.Unlock()
	nb := &cs.numbers
	if nb.day != day || nb.next > nb.last {
		var first, last int64
		err := cs.st.Tx(ctx, func(tx *store.Store) error {
			var err error
			first, last, err = tx.ReserveComplaintNumbers(ctx, day, complaintNumberBlock)
			return err
		})
		if err != nil {
			return "", err
		}
		*nb = numberBlock{day: day, next: first, last: last}
	}
	n := nb.next
	nb.next++
	return fmt.Sprintf("DSB%s%06d", day, n), nil
}
