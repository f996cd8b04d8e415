package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/models"
)

// uniquePNG is a picture no other test uploads: its bytes depend on seed.
func uniquePNG(t testing.TB, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		for y := range 8 {
			img.Set(x, y, color.RGBA{seed, uint8(x * 30), uint8(y * 30), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// personalValues are what the erased consumer told the service; none may be left anywhere.
type personalValues []string

// scanTables fails the test for every stored value, in every table, that contains one of the
// values.
func (a *testApp) scanTables(values personalValues) {
	a.t.Helper()
	tables, err := a.st.DB().Migrator().GetTables()
	if err != nil {
		a.t.Fatal(err)
	}
	for _, table := range tables {
		rows, err := a.st.DB().Table(table).Rows()
		if err != nil {
			a.t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				a.t.Fatalf("%s: %v", table, err)
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, p := range values {
					if strings.Contains(s, p) {
						a.t.Errorf("%s.%s still holds %q: %.200s", table, cols[i], p, s)
					}
				}
			}
		}
		_ = rows.Close()
	}
}

// TestErasureKeepsRatingsAndRemovesPersonalData: after an admin erases a consumer, the frozen
// rating list of a past period is the same byte for byte and the live list counts the same,
// while no table holds the consumer's phone, names or texts, the consumer's own files are
// deleted from storage (a file another person uploaded too stays), the open complaints are
// withdrawn with an anonymised event, the account's tokens stop working at once, and the
// erasure is recorded once.
func TestErasureKeepsRatingsAndRemovesPersonalData(t *testing.T) {
	blobs := blob.NewLocal(t.TempDir())
	rw := &ratingWorld{newWorldWith(t, func(o *appOptions) { o.blobs = blobs })}
	w := rw.world
	const name, phone, supplementText = "王小明", "13912345678", "补充：我的微信号是wxm-erasure-1，地址幸福路88号"
	own, shared := uniquePNG(t, 1), uniquePNG(t, 2)
	ownEv := expect(t, w.upload(w.consumer, "王小明的订单.png", "image/png", own), http.StatusCreated)
	sharedEv := expect(t, w.upload(w.consumer, "聊天记录.png", "image/png", shared), http.StatusCreated)
	bystanderPhone := nextPhone()
	bystander := expect(t, w.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"role": "consumer",
		"phone": bystanderPhone, "password": "password-123", "real_name": "李四"}}), http.StatusCreated)["access_token"].(string)
	theirs := expect(t, w.upload(bystander, "李四的截图.png", "image/png", shared), http.StatusCreated)

	// November: rated, replied late and unrated, delivered and never replied (with evidence
	// and a supplement).
	nov := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC)
	rated := rw.complaintAt(w.platformID, nov, time.Hour, 8, w.key)
	late := rw.complaintAt(w.platformID, nov.Add(time.Hour), 80*time.Hour, 0, w.key)
	w.clock.Set(nov.Add(2 * time.Hour))
	w.consumer, w.admin = w.login(w.consumerPhone), w.adminToken()
	open := w.file(w.consumer, map[string]any{"order_no": "ORDER-ERASE-1", "contact_name": name, "contact_phone": phone,
		"evidence_ids": []string{ownEv["id"].(string), sharedEv["id"].(string)}})["id"].(string)
	w.accept(open)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + open + "/supplements", token: w.consumer,
		header: map[string]string{"Idempotency-Key": "supplement-1"}, body: map[string]any{"text": supplementText}}), http.StatusOK)
	expect(t, w.do(req{method: "POST", path: "/api/v1/platform/complaints/" + late + "/replies", token: w.key,
		header: map[string]string{"Idempotency-Key": "reply-2"}, body: map[string]any{"content": "王小明您好，已退款"}}), http.StatusCreated)

	end := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	w.clock.Set(end.Add(168 * time.Hour))
	if n, err := w.svc.Ratings.FreezeDue(t.Context()); err != nil || n == 0 {
		t.Fatalf("FreezeDue: %d %v", n, err)
	}
	frozen := w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"})
	if expect(t, frozen, http.StatusOK)["frozen"] != true {
		t.Fatalf("November is not frozen: %s", frozen.Body)
	}

	// December, live: a completed complaint and one waiting for review.
	dec := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	rw.complaintAt(w.platformID, dec, time.Hour, 9, w.key)
	w.consumer = w.login(w.consumerPhone)
	pending := w.file(w.consumer, map[string]any{"order_no": "ORDER-ERASE-2", "contact_name": name, "contact_phone": phone})["id"].(string)
	w.clock.Advance(time.Minute)
	liveBefore := itemFor(t, expect(t, w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-12"}), http.StatusOK), w.platformID)
	login := expect(t, w.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"phone": w.consumerPhone, "password": "password-123"}}), http.StatusOK)

	// A filing behind a key (its record is the consumer's own), and a request that leaves the
	// account's state in this instance's cache just before the erasure.
	keyed := expect(t, w.do(req{method: "POST", path: "/api/v1/complaints", token: w.consumer, header: map[string]string{"Idempotency-Key": "file-3"},
		body: complaintBody(w.platformID, map[string]any{"order_no": "ORDER-ERASE-3", "contact_name": name, "contact_phone": phone})}), http.StatusCreated)
	gone := w.file(w.consumer, map[string]any{"order_no": "ORDER-ERASE-4"})["id"].(string)
	expect(t, w.do(req{method: "POST", path: "/api/v1/complaints/" + gone + "/withdraw", token: w.consumer,
		body: map[string]any{"reason": "王小明已与商家和解"}}), http.StatusOK)
	// The rated complaint's events stand for those written before events named their complaint.
	if err := w.st.DB().Model(&models.WebhookEvent{}).Where("complaint_id = ?", rated).Update("complaint_id", "").Error; err != nil {
		t.Fatal(err)
	}
	w.admin = w.adminToken()
	expect(t, w.do(req{method: "GET", path: "/api/v1/me", token: w.consumer}), http.StatusOK)
	first := w.do(req{method: "POST", path: "/api/v1/admin/users/" + w.consumerID + "/erase", token: w.admin})
	rec := expect(t, first, http.StatusOK)
	counts := rec["counts"].(map[string]any)
	if rec["user_id"] != w.consumerID || rec["erased_by"] != "admin" || counts["complaints"] != float64(7) ||
		counts["withdrawn"] != float64(3) || counts["evidence_files"] != float64(2) || counts["supplements"] != float64(1) ||
		counts["idempotency_records"] != float64(3) || counts["notifications"].(float64) < 4 || counts["refresh_tokens"].(float64) < 1 {
		t.Fatalf("erasure record: %s", first.Body)
	}
	// Erasing again changes nothing and answers the same record.
	again := w.do(req{method: "POST", path: "/api/v1/admin/users/" + w.consumerID + "/erase", token: w.admin})
	if again.Code != http.StatusOK || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("second erasure: %d %s", again.Code, again.Body)
	}

	// The tokens stop working at once; the phone logs nobody in.
	expect(t, w.do(req{method: "GET", path: "/api/v1/me", token: w.consumer}), http.StatusUnauthorized, "invalid_token")
	expect(t, w.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refresh_token": login["refresh_token"].(string)}}),
		http.StatusUnauthorized, "invalid_token")
	expect(t, w.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"phone": w.consumerPhone, "password": "password-123"}}),
		http.StatusUnauthorized, "invalid_credentials")

	var live int64
	if err := w.st.DB().Model(&models.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", w.consumerID).Count(&live).Error; err != nil || live != 0 {
		t.Fatalf("refresh tokens left unrevoked: %d %v", live, err)
	}

	// The frozen list is the same bytes; the live one counts the same.
	if after := w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-11"}); !bytes.Equal(after.Body, frozen.Body) {
		t.Fatalf("the frozen list changed:\n%s\n%s", frozen.Body, after.Body)
	}
	w.clock.Advance(31 * time.Second)
	liveAfter := itemFor(t, expect(t, w.do(req{method: "GET", path: "/api/v1/ratings?period=2026-12"}), http.StatusOK), w.platformID)
	if fmt.Sprint(liveAfter) != fmt.Sprint(liveBefore) {
		t.Fatalf("the live list changed:\n%v\n%v", liveBefore, liveAfter)
	}

	// Open complaints were withdrawn; every complaint keeps its times and score, not its data.
	staffView := func(id string) map[string]any {
		return expect(t, w.do(req{method: "GET", path: "/api/v1/admin/complaints/" + id, token: w.admin}), http.StatusOK)
	}
	for _, id := range []string{open, pending, keyed["id"].(string)} {
		if c := staffView(id); c["status"] != "withdrawn" {
			t.Fatalf("%s: %v", id, c["status"])
		}
	}
	c := staffView(rated)
	if c["status"] != "completed" || c["rating"].(map[string]any)["score"] != float64(8) || c["contact_name"] != models.ErasedText ||
		c["delivered_at"] == nil || c["first_replied_at"] == nil {
		t.Fatalf("rated complaint after erasure: %v", c)
	}
	pc := expect(t, w.do(req{method: "GET", path: "/api/v1/platform/complaints/" + open, token: w.key}), http.StatusOK)
	if pc["contact_phone"] != models.ErasedText || pc["evidence"].([]any)[0].(map[string]any)["filename"] != models.ErasedText {
		t.Fatalf("platform view after erasure: %v", pc)
	}

	// The files: gone from storage when only the consumer had them, and from the API.
	w.dispatch()
	if _, err := blobs.Stat(t.Context(), ownEv["sha256"].(string)); !isNotExist(err) {
		t.Fatalf("the consumer's own file is still stored: %v", err)
	}
	if _, err := blobs.Stat(t.Context(), theirs["sha256"].(string)); err != nil {
		t.Fatalf("the file another person uploaded too is gone: %v", err)
	}
	expect(t, w.do(req{method: "GET", path: "/api/v1/evidence/" + ownEv["id"].(string), token: w.admin}), http.StatusNotFound)
	r := w.do(req{method: "GET", path: "/api/v1/evidence/" + theirs["id"].(string), token: w.login(bystanderPhone), raw: true})
	if r.Code != http.StatusOK || !bytes.Equal(r.Body, shared) {
		t.Fatalf("the other person's copy: %d", r.Code)
	}

	// Nothing the consumer gave is left in any table.
	w.scanTables(personalValues{w.consumerPhone, phone, name, "张三", "13800138000", "wxm-erasure-1", "ORDER-ERASE",
		"商品未发货", "王小明的订单", "聊天记录"})
	// Every recorded answer of this test was about the consumer: the supplement's and the
	// filing's (theirs), the platform's reply (on their complaint).
	var idem int64
	if err := w.st.DB().Model(&models.IdempotencyRecord{}).Count(&idem).Error; err != nil || idem != 0 {
		t.Fatalf("idempotency records of the consumer left: %d %v", idem, err)
	}

	// The phone is free again.
	expect(t, w.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"role": "consumer",
		"phone": w.consumerPhone, "password": "password-123", "real_name": "新用户"}}), http.StatusCreated)

	// The record is listed for admins, and the account shows as erased.
	list := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/erasures", token: w.admin}), http.StatusOK)["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != rec["id"] {
		t.Fatalf("erasures: %v", list)
	}
	users := expect(t, w.do(req{method: "GET", path: "/api/v1/admin/users?role=consumer", token: w.admin}), http.StatusOK)["data"].([]any)
	for _, u := range users {
		u := u.(map[string]any)
		if (u["id"] == w.consumerID) != (u["erased_at"] != nil) {
			t.Fatalf("erased_at: %v", u)
		}
	}
}

func isNotExist(err error) bool { return errors.Is(err, blob.ErrNotExist) }

// TestErasureRules: only consumers and merchants are erased, never by themselves through the
// admin endpoint; a person erases their own account with DELETE /me, which another instance
// honours within the account-state bound.
func TestErasureRules(t *testing.T) {
	a := newApp(t)
	b := newApp(t, func(o *appOptions) { o.store = a.st })
	admin := a.adminToken()
	me := expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: admin}), http.StatusOK)["id"].(string)
	modID, moderator, _ := a.staffAccount(admin, "moderator", "mod-erase@example.com", "赵审核")
	platform := a.createPlatform(admin, "erase-rules", nil)
	key, _ := a.issueKey(admin, platform["id"].(string))

	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + me + "/erase", token: admin}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + modID + "/erase", token: admin}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + models.NewID() + "/erase", token: admin}), http.StatusNotFound, "not_found")
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/me", token: moderator}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/me", token: key}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "GET", path: "/api/v1/admin/erasures", token: moderator}), http.StatusForbidden, "forbidden")
	consumer, consumerID := a.register("consumer")
	expect(t, a.do(req{method: "POST", path: "/api/v1/admin/users/" + consumerID + "/erase", token: moderator}), http.StatusForbidden, "forbidden")
	expect(t, a.do(req{method: "DELETE", path: "/api/v1/me", token: consumer, body: map[string]any{"reason": "x"}}), http.StatusUnprocessableEntity, "unknown_field")

	// A merchant erases their own account on one instance; the other refuses its token within
	// the bound.
	merchant, merchantID := a.register("merchant")
	for _, app := range []*testApp{a, b} {
		expect(t, app.do(req{method: "GET", path: "/api/v1/me", token: merchant}), http.StatusOK)
	}
	rec := expect(t, a.do(req{method: "DELETE", path: "/api/v1/me", token: merchant}), http.StatusOK)
	if rec["erased_by"] != "self" || rec["actor_id"] != merchantID || rec["role"] != "merchant" {
		t.Fatalf("self erasure: %v", rec)
	}
	expect(t, a.do(req{method: "GET", path: "/api/v1/me", token: merchant}), http.StatusUnauthorized, "invalid_token")
	b.clock.Advance(2 * time.Second)
	expect(t, b.do(req{method: "GET", path: "/api/v1/me", token: merchant}), http.StatusUnauthorized, "invalid_token")
	// The admin view shows the account erased, its names replaced.
	users := expect(t, a.do(req{method: "GET", path: "/api/v1/admin/users?role=merchant", token: a.adminToken()}), http.StatusOK)["data"].([]any)
	u := users[0].(map[string]any)
	if u["id"] != merchantID || u["erased_at"] == nil || u["disabled"] != true || u["real_name"] != models.ErasedText ||
		u["shop_name"] != models.ErasedText || u["phone"] != nil {
		t.Fatalf("erased merchant: %v", u)
	}
}
