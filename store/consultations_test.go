package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// TestNotificationKindWidenedOnUpgrade: a database whose notifications.kind was 16 characters
// wide (before the consultations' kinds) upgrades, and takes consultation_assigned whole.
func TestNotificationKindWidenedOnUpgrade(t *testing.T) {
	driver, dsn := testkit.StoreDSN(t)
	ctx := context.Background()
	st, err := store.Open(ctx, driver, dsn, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if driver == "mysql" {
		if err := st.DB().Exec("ALTER TABLE notifications MODIFY kind varchar(16) NOT NULL").Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	n := models.Notification{ID: models.NewID(), ComplaintID: "c1", Phone: "13800138000", Kind: models.NotifyConsultationAssigned,
		Text: "【电诉宝】…", Status: models.NotificationPending, CreatedAt: time.Now().UTC()}
	if err := st.AddNotifications(ctx, []models.Notification{n}); err != nil {
		t.Fatal(err)
	}
	got, err := st.NotificationByID(ctx, n.ID)
	if err != nil || got.Kind != models.NotifyConsultationAssigned {
		t.Fatalf("kind %q, %v", got.Kind, err)
	}
}

// TestAssignableLawyers: active profiles with the specialty whose lawyer account is enabled,
// in id order; the specialty matches as a whole JSON member (ip_law is not in zip_law).
func TestAssignableLawyers(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Millisecond)
	account := func(id string, disabled bool) *string {
		u := models.User{ID: id, Role: models.RoleLawyer, PasswordHash: "x", RealName: id, CreatedAt: at, UpdatedAt: at}
		if disabled {
			u.DisabledAt = &at
		}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return &u.ID
	}
	for _, l := range []models.Lawyer{
		{ID: "l1", UserID: account("u1", false), Specialties: []string{"ip_law"}, Active: true},
		{ID: "l2", UserID: account("u2", true), Specialties: []string{"ip_law"}, Active: true},
		{ID: "l3", UserID: account("u3", false), Specialties: []string{"ip_law"}, Active: false},
		{ID: "l4", Specialties: []string{"ip_law"}, Active: true},
		{ID: "l5", UserID: account("u5", false), Specialties: []string{"zip_law", "contract_law"}, Active: true},
		{ID: "l0", UserID: account("u0", false), Specialties: []string{"contract_law", "ip_law"}, Active: true},
	} {
		l.Name, l.Firm, l.City, l.Bio, l.CreatedAt, l.UpdatedAt, l.Version = "律师", "律所", "杭州", "简介", at, at, 1
		if err := st.CreateLawyer(ctx, &l); err != nil {
			t.Fatal(err)
		}
	}
	ls, err := st.AssignableLawyers(ctx, models.SpecialtyIP)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range ls {
		ids = append(ids, l.ID)
	}
	if len(ids) != 2 || ids[0] != "l0" || ids[1] != "l1" {
		t.Fatalf("assignable: %v, want [l0 l1]", ids)
	}
	loads, err := st.OpenConsultationLoads(ctx, ids)
	if err != nil || len(loads) != 0 {
		t.Fatalf("loads %v, %v", loads, err)
	}
}
