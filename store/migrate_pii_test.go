package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/datakey"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

func openWithKeys(t *testing.T, driver, dsn string, keys *datakey.Keyring, logs *lockedBuffer) (*store.Store, error) {
	t.Helper()
	if logs == nil {
		logs = &lockedBuffer{}
	}
	st, err := store.Open(context.Background(), driver, dsn, store.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Keys: keys})
	if err == nil {
		t.Cleanup(func() { _ = st.Close() })
	}
	return st, err
}

func keyring(t *testing.T, current, previous string) *datakey.Keyring {
	t.Helper()
	var prev []byte
	if previous != "" {
		prev = []byte(previous)
	}
	k, err := datakey.New([]byte(current), prev)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rawColumn reads one column of a table as stored, ordered by id.
func rawColumn(t *testing.T, st *store.Store, table, column string) []string {
	t.Helper()
	var out []string
	must(t, st.DB().Table(table).Order("id").Pluck(column, &out).Error)
	return out
}

// TestMigrationSealsRowsInClear: a database from before encryption — phones and names in
// clear, more rows than one batch, the old unique index on the phone — is sealed at start-up
// under the current key, with its lookup hashes; what looked rows up finds them; a second
// start changes nothing.
func TestMigrationSealsRowsInClear(t *testing.T) {
	driver, dsn := testkit.StoreDSN(t)
	ctx := context.Background()
	keys := keyring(t, "migration-test-key-0123456789abcdef", "")
	st, err := openWithKeys(t, driver, dsn, keys, nil)
	must(t, err)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const users = 450
	defer store.SetSealWindow(7)() // many windows, the last one partly filled
	var rows []map[string]any
	for i := range users {
		rows = append(rows, map[string]any{"id": fmt.Sprintf("u%04d", i), "role": "consumer", "phone": fmt.Sprintf("137%08d", i),
			"password_hash": "x", "real_name": fmt.Sprintf("王五%d", i), "created_at": at, "updated_at": at})
	}
	must(t, st.DB().Table("users").CreateInBatches(rows, 100).Error)
	must(t, st.DB().Exec("CREATE UNIQUE INDEX idx_users_phone ON users (phone)").Error)
	must(t, st.DB().Table("complaints").Create(map[string]any{"id": "c1", "number": "DSB2026010100001", "channel": "consumer",
		"complainant_type": "consumer", "complainant_id": "u0001", "platform_id": "p1", "status": "delivered", "description": "d",
		"contact_name": "赵六", "contact_phone": "13700000001", "content_hash": "h", "created_at": at, "updated_at": at, "version": 1}).Error)
	must(t, st.DB().Table("notifications").Create(map[string]any{"id": "n1", "complaint_id": "c1", "phone": "13700000001",
		"kind": "delivered", "text": "t", "status": "sent", "attempts": 1, "created_at": at}).Error)
	payload := `{"contact_name":"赵六","contact_phone":"13700000001"}`
	must(t, st.DB().Table("webhook_events").Create(map[string]any{"id": "e1", "platform_id": "p1", "type": "complaint.delivered",
		"payload": []byte(payload), "created_at": at}).Error)

	logs := &lockedBuffer{}
	st2, err := openWithKeys(t, driver, dsn, keys, logs)
	must(t, err)
	sealed := datakey.Prefix + keys.KeyID() + ":"
	for _, c := range [][2]string{{"users", "phone"}, {"users", "real_name"}, {"complaints", "contact_name"},
		{"complaints", "contact_phone"}, {"notifications", "phone"}, {"webhook_events", "payload"}} {
		for _, v := range rawColumn(t, st2, c[0], c[1]) {
			if !strings.HasPrefix(v, sealed) || strings.Contains(v, "1370") || strings.Contains(v, "王五") || strings.Contains(v, "赵六") {
				t.Fatalf("%s.%s after the migration: %q", c[0], c[1], v)
			}
		}
	}
	for _, want := range []string{`"table":"users","rows":450`, `"table":"complaints","rows":1`, `"table":"notifications","rows":1`, `"table":"webhook_events","rows":1`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if st2.DB().Migrator().HasIndex(&models.User{}, "idx_users_phone") {
		t.Fatal("the unique index over the sealed phone is still there")
	}

	u, err := st2.UserByPhone(ctx, "13700000321")
	if err != nil || u.ID != "u0321" || u.RealName != "王五321" || *u.Phone != "13700000321" {
		t.Fatalf("login lookup after the migration: %+v %v", u, err)
	}
	found, err := st2.ListUsers(ctx, store.UserFilter{Query: "王五7", Limit: 10})
	if err != nil || len(found) != 1 || found[0].ID != "u0007" {
		t.Fatalf("name search: %v %v", found, err)
	}
	ns, err := st2.ListNotifications(ctx, "13700000001", "", 10)
	if err != nil || len(ns) != 1 || ns[0].Phone != "13700000001" {
		t.Fatalf("notification filter: %+v %v", ns, err)
	}
	c, err := st2.ComplaintRow(ctx, "c1")
	if err != nil || c.ContactName != "赵六" || c.ContactPhone != "13700000001" {
		t.Fatalf("complaint: %+v %v", c, err)
	}
	evs, err := st2.WebhookEventsByIDs(ctx, []string{"e1"})
	if err != nil || len(evs) != 1 || string(evs[0].Payload) != payload {
		t.Fatalf("event payload: %v %v", evs, err)
	}

	// Rows in clear among sealed ones, far apart (a late writer of an old version): each window
	// finds its own.
	for _, id := range []string{"u0003x", "u0200x", "u9999"} {
		must(t, st2.DB().Table("users").Create(map[string]any{"id": id, "role": "consumer", "phone": "1380000" + id[1:5],
			"password_hash": "x", "real_name": "李四", "created_at": at, "updated_at": at}).Error)
	}
	late := &lockedBuffer{}
	if _, err := openWithKeys(t, driver, dsn, keys, late); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(late.String(), `"table":"users","rows":3`) {
		t.Fatalf("the late rows in clear were not sealed:\n%s", late.String())
	}
	for _, v := range rawColumn(t, st2, "users", "real_name") {
		if !strings.HasPrefix(v, sealed) {
			t.Fatalf("users.real_name after the second start: %q", v)
		}
	}

	before := rawColumn(t, st2, "users", "phone")
	again := &lockedBuffer{}
	st3, err := openWithKeys(t, driver, dsn, keys, again)
	must(t, err)
	if after := rawColumn(t, st3, "users", "phone"); fmt.Sprint(after) != fmt.Sprint(before) || strings.Contains(again.String(), "personal data sealed") {
		t.Fatalf("a second start sealed again:\n%s", again.String())
	}
}

// TestDataKeyRotation: with the new key current and the old one previous, values sealed with
// the old key stay readable and findable — those from before the start are re-sealed with the
// new key by the start-up migration, and those an instance still on the old key writes
// meanwhile are read as they are; new values use the new key; a phone taken under the old key
// stays taken. Without the previous key, a start that finds old values refuses, naming the key.
func TestDataKeyRotation(t *testing.T) {
	driver, dsn := testkit.StoreDSN(t)
	ctx := context.Background()
	const oldKey, newKey = "old-data-key-0123456789abcdefghijk", "new-data-key-0123456789abcdefghijk"
	old := keyring(t, oldKey, "")
	st1, err := openWithKeys(t, driver, dsn, old, nil)
	must(t, err)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	user := func(id, phone, name string) *models.User {
		return &models.User{ID: id, Role: models.RoleConsumer, Phone: &phone, PasswordHash: "x", RealName: name, CreatedAt: at, UpdatedAt: at}
	}
	must(t, st1.CreateUser(ctx, user("u1", "13600000001", "钱七")))
	must(t, st1.AddNotifications(ctx, []models.Notification{{ID: "n1", ComplaintID: "c1", Phone: "13600000001", Kind: "delivered",
		Text: "t", Status: "sent", CreatedAt: at}}))

	rotating := keyring(t, newKey, oldKey)
	logs := &lockedBuffer{}
	st2, err := openWithKeys(t, driver, dsn, rotating, logs)
	must(t, err)
	if !strings.Contains(logs.String(), `"table":"users","rows":1`) {
		t.Fatalf("the old values were not re-sealed:\n%s", logs.String())
	}
	newPrefix, oldPrefix := datakey.Prefix+rotating.KeyID()+":", datakey.Prefix+old.KeyID()+":"
	if v := rawColumn(t, st2, "users", "phone"); len(v) != 1 || !strings.HasPrefix(v[0], newPrefix) {
		t.Fatalf("re-sealed phone %v", v)
	}
	// An instance still on the old key writes during the rolling restart.
	must(t, st1.CreateUser(ctx, user("u2", "13600000002", "孙八")))
	if v := rawColumn(t, st2, "users", "real_name"); !strings.HasPrefix(v[1], oldPrefix) {
		t.Fatalf("the old instance's value %q", v[1])
	}
	for id, phone := range map[string]string{"u1": "13600000001", "u2": "13600000002"} {
		u, err := st2.UserByPhone(ctx, phone)
		if err != nil || u.ID != id || *u.Phone != phone {
			t.Fatalf("login lookup of %s during the rotation: %+v %v", phone, u, err)
		}
	}
	if ns, err := st2.ListNotifications(ctx, "13600000001", "", 10); err != nil || len(ns) != 1 {
		t.Fatalf("notification filter during the rotation: %v %v", ns, err)
	}
	if err := st2.CreateUser(ctx, user("u3", "13600000002", "别人")); !store.IsDuplicate(err) {
		t.Fatalf("a phone taken under the old key: %v", err)
	}
	must(t, st2.CreateUser(ctx, user("u4", "13600000004", "周九")))
	if v := rawColumn(t, st2, "users", "phone"); !strings.HasPrefix(v[2], newPrefix) {
		t.Fatalf("a new value %q is not sealed with the new key", v[2])
	}

	// The old instance's value keeps the old key in use: a start without it refuses.
	if _, err := openWithKeys(t, driver, dsn, keyring(t, newKey, ""), nil); err == nil || !strings.Contains(err.Error(), old.KeyID()) {
		t.Fatalf("start without the previous key: %v", err)
	}
	// Another start with it re-seals that value too; after that the old key can go.
	_, err = openWithKeys(t, driver, dsn, rotating, nil)
	must(t, err)
	done, err := openWithKeys(t, driver, dsn, keyring(t, newKey, ""), nil)
	must(t, err)
	for _, phone := range []string{"13600000001", "13600000002", "13600000004"} {
		if _, err := done.UserByPhone(ctx, phone); err != nil {
			t.Fatalf("%s after the rotation: %v", phone, err)
		}
	}
	if ns, err := done.ListNotifications(ctx, "13600000001", "", 10); err != nil || len(ns) != 1 || ns[0].Phone != "13600000001" {
		t.Fatalf("notification after the rotation: %v %v", ns, err)
	}
}
