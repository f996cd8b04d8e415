package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
)

// holdRowLock locks rows from another transaction until the test ends.
func holdRowLock(t *testing.T, f *fixture, query string, args ...any) {
	t.Helper()
	tx := f.st.DB().Begin()
	t.Cleanup(func() { tx.Rollback() })
	var got []string
	if err := tx.Raw(query, args...).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
}

// TestFilingTakesNoHotRow: with the complainant's user row and the day's counter row locked by
// someone else, a filing still goes through (its number comes from the instance's block and
// its duplicate check from the claims table).
func TestFilingTakesNoHotRow(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("row locks need DSB_TEST_MYSQL_DSN; SQLite serialises writers anyway")
	}
	f := newFixture(t)
	f.file(f.consumer, "first") // reserves this instance's block
	holdRowLock(t, f, "SELECT id FROM users WHERE id = ? FOR UPDATE", f.consumer.UserID)
	holdRowLock(t, f, "SELECT day FROM complaint_sequences FOR UPDATE")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := f.svc.Complaints.Create(ctx, f.consumer, f.complaintRequest("second")); err != nil {
		t.Fatalf("filing waited on a hot row: %v", err)
	}
}

// TestStrangerTakesNoRowLock: somebody else's complaint is not found before any lock is
// asked for, so a stranger neither waits for its row nor holds it.
func TestStrangerTakesNoRowLock(t *testing.T) {
	if testkit.Driver() != "mysql" {
		t.Skip("row locks need DSB_TEST_MYSQL_DSN; SQLite serialises writers anyway")
	}
	f := newFixture(t)
	c := f.file(f.consumer, "mine")
	if _, err := f.svc.Complaints.Accept(context.Background(), f.moderator, c.ID); err != nil {
		t.Fatal(err)
	}
	holdRowLock(t, f, "SELECT id FROM complaints WHERE id = ? FOR UPDATE", c.ID)
	stranger := f.person(models.RoleConsumer)
	otherPlatform := &models.Principal{Kind: models.PrincipalPlatform, PlatformID: "someone-else", APIKeyID: "k"}
	cs := f.svc.Complaints
	attempts := map[string]func(ctx context.Context) error{
		"withdraw": func(ctx context.Context) error {
			_, err := cs.Withdraw(ctx, stranger, c.ID, WithdrawRequest{Reason: "不是我的"})
			return err
		},
		"supplement": func(ctx context.Context) error {
			_, err := cs.Supplement(ctx, stranger, c.ID, SupplementRequest{Text: "不是我的"})
			return err
		},
		"rate": func(ctx context.Context) error {
			_, err := cs.Rate(ctx, stranger, c.ID, RatingRequest{Score: 1})
			return err
		},
		"reply": func(ctx context.Context) error {
			_, err := cs.Reply(ctx, otherPlatform, c.ID, ReplyRequest{Content: "不是我们的"})
			return err
		},
	}
	for name, try := range attempts {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := try(ctx); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("%v, want not found at once", err)
			}
		})
	}
}
