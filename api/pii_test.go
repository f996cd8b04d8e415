package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/datakey"
	"github.com/dianshubao/dianshubao/internal/testkit"
	"github.com/dianshubao/dianshubao/store"
)

// personal data used by the tests below: each appears in no fixture text, so finding one in
// a table means it was stored in clear.
const (
	piiConsumerPhone = "13611112222"
	piiConsumerName  = "欧阳明华"
	piiMerchantPhone = "15833334444"
	piiMerchantName  = "司马光耀"
	piiContactPhone  = "13955556666"
	piiContactName   = "慕容清风"
	piiStaffName     = "诸葛审核"
)

func (a *testApp) registerAs(role, phone, name string) (token, id string) {
	a.t.Helper()
	body := map[string]any{"role": role, "phone": phone, "password": "password-123", "real_name": name}
	if role == "merchant" {
		body["shop_name"] = "光耀果蔬店"
	}
	m := expect(a.t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: body}), http.StatusCreated)
	return m["access_token"].(string), m["user"].(map[string]any)["id"].(string)
}

// rawTables reads every column of every row of every table, bypassing the models, and calls
// found for each value that contains one of needles.
func rawTables(t *testing.T, st *store.Store, needles []string, found func(table, column, needle string)) (rows int) {
	t.Helper()
	db := st.DB()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if st.Driver() == "mysql" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	var tables []string
	if err := db.Raw(q).Scan(&tables).Error; err != nil || len(tables) < 10 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	for _, table := range tables {
		rs, err := db.Raw("SELECT * FROM " + table).Rows()
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			rows++
			vals := make([]sql.RawBytes, len(cols))
			dst := make([]any, len(cols))
			for i := range vals {
				dst[i] = &vals[i]
			}
			if err := rs.Scan(dst...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				for _, n := range needles {
					if bytes.Contains(v, []byte(n)) {
						found(table, cols[i], n)
					}
				}
			}
		}
		_ = rs.Close()
	}
	return rows
}

// TestNoPersonalDataInClear: after accounts register, complaints are filed (consumer and
// refund-only), delivered by webhook, replied to and rejected, and their text messages are
// sent, no table holds a phone number or a real name in clear; and what looks them up still
// works: login by phone, a taken phone, the duplicate rule, the ?phone= filter of the
// notifications and the admins' account search.
func TestNoPersonalDataInClear(t *testing.T) {
	w := newWorld(t)
	rc := newReceiver(t)
	w.endpoint(w.key, rc.URL)
	consumer, consumerID := w.registerAs("consumer", piiConsumerPhone, piiConsumerName)
	merchant, _ := w.registerAs("merchant", piiMerchantPhone, piiMerchantName)
	w.staffAccount(w.admin, "moderator", "zhuge@example.com", piiStaffName)

	contact := map[string]any{"contact_name": piiContactName, "contact_phone": piiContactPhone}
	c := w.file(consumer, contact)
	id := c["id"].(string)
	w.accept(id)
	w.reply(w.key, id, "您好，已为您办理退款。")
	other := w.file(consumer, map[string]any{"order_no": "TB-OTHER-1", "contact_name": piiContactName, "contact_phone": piiContactPhone})
	expect(t, w.do(req{method: "POST", path: "/api/v1/admin/complaints/" + other["id"].(string) + "/reject", token: w.admin,
		body: map[string]string{"reason_code": "missing_information", "note": "请补充订单截图"}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/refund-only/complaints", token: merchant, body: refundBody(w.platformID, nil)}), http.StatusCreated)
	w.runJobs()
	w.dispatch()
	if len(rc.got()) == 0 {
		t.Fatal("no webhook delivered")
	}

	needles := []string{piiConsumerPhone, piiConsumerName, piiMerchantPhone, piiMerchantName, piiContactPhone, piiContactName, piiStaffName}
	rows := rawTables(t, w.st, needles, func(table, column, needle string) {
		t.Errorf("%s.%s holds %s in clear", table, column, needle)
	})
	if rows < 20 {
		t.Fatalf("scanned only %d rows", rows)
	}

	// Read back through the API, the values are whole.
	got := expect(t, w.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: consumer}), http.StatusOK)
	if got["contact_name"] != piiContactName || got["contact_phone"] != piiContactPhone {
		t.Fatalf("contact read back as %v / %v", got["contact_name"], got["contact_phone"])
	}
	me := expect(t, w.do(req{method: "GET", path: "/api/v1/me", token: consumer}), http.StatusOK)
	if me["phone"] != piiConsumerPhone || me["real_name"] != piiConsumerName {
		t.Fatalf("account read back as %v", me)
	}
	// Lookups by keyed hash.
	w.login(piiConsumerPhone)
	expect(t, w.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": "+86" + piiConsumerPhone, "password": "password-123"}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"role": "consumer", "phone": piiConsumerPhone,
		"password": "password-123", "real_name": "别人"}}), http.StatusConflict, "phone_taken")
	dup := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: consumer, body: complaintBody(w.platformID, contact)}),
		http.StatusConflict, "duplicate_complaint")
	if dup["existing_id"] != id {
		t.Fatalf("duplicate names %v, want %s", dup["existing_id"], id)
	}
	n := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + piiContactPhone, token: w.admin}), http.StatusOK)
	if len(n["data"].([]any)) != 3 { // delivered, replied, rejected
		t.Fatalf("notifications for the contact phone: %v", n["data"])
	}
	for _, it := range n["data"].([]any) {
		if it.(map[string]any)["phone"] != piiContactPhone {
			t.Fatalf("notification phone %v", it)
		}
	}
	if n := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + piiMerchantPhone, token: w.admin}), http.StatusOK); len(n["data"].([]any)) != 1 {
		t.Fatalf("notifications for the merchant: %v", n["data"])
	}
	if ids := userIDs(t, expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?q=" + piiConsumerPhone, token: w.admin}), http.StatusOK)); len(ids) != 1 || ids[0] != consumerID {
		t.Fatalf("account search by phone: %v", ids)
	}
}

// TestDataKeyRotationThroughTheAPI: a service restarted with a new DSB_DATA_KEY and the old one
// as DSB_DATA_KEY_PREVIOUS logs the person in by phone, shows the complaint's contact, filters
// the notifications by phone and keeps the phone taken, with every value re-sealed under the
// new key; restarted once more without the old key, it still does.
func TestDataKeyRotationThroughTheAPI(t *testing.T) {
	driver, dsn := testkit.StoreDSN(t)
	open := func(current, previous string) *store.Store {
		var prev []byte
		if previous != "" {
			prev = []byte(previous)
		}
		keys, err := datakey.New([]byte(current), prev)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(context.Background(), driver, dsn, store.Options{Logger: slog.New(slog.DiscardHandler), Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	const oldKey, newKey = "old-data-key-0123456789abcdefghijk", "new-data-key-0123456789abcdefghijk"
	// The first instance already knows the new key as its previous one (the first step of a
	// rolling rotation): it seals with the old key and reads what the new one seals.
	w := newWorldWith(t, func(o *appOptions) { o.store = open(oldKey, newKey) })
	consumer, _ := w.registerAs("consumer", piiConsumerPhone, piiConsumerName)
	id := w.file(consumer, map[string]any{"contact_name": piiContactName, "contact_phone": piiContactPhone})["id"].(string)
	w.accept(id)
	w.runJobs()

	for _, keys := range [][2]string{{newKey, oldKey}, {newKey, ""}} {
		st := open(keys[0], keys[1])
		a := newApp(t, func(o *appOptions) { o.store = st })
		token := a.login(piiConsumerPhone)
		got := expect(t, a.do(req{method: "GET", path: "/api/v1/complaints/" + id, token: token}), http.StatusOK)
		if got["contact_name"] != piiContactName || got["contact_phone"] != piiContactPhone {
			t.Fatalf("contact after the rotation: %v / %v", got["contact_name"], got["contact_phone"])
		}
		n := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/notifications?phone=" + piiContactPhone, token: a.adminToken()}), http.StatusOK)
		if len(n["data"].([]any)) != 1 {
			t.Fatalf("notifications after the rotation: %v", n["data"])
		}
		expect(t, a.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"role": "consumer", "phone": piiConsumerPhone,
			"password": "password-123", "real_name": "别人"}}), http.StatusConflict, "phone_taken")
		var phones []string
		if err := st.DB().Table("users").Where("phone IS NOT NULL").Pluck("phone", &phones).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range phones {
			if !strings.HasPrefix(p, datakey.Prefix+st.Keys().KeyID()+":") {
				t.Fatalf("a phone not re-sealed with the new key: %q", p)
			}
		}
	}
}
