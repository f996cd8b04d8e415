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

	w.admin = w.adminToken()
	first := w.do(req{method: "POST", path: "/api/v1/admin/users/" + w.consumerID + "/erase", token: w.admin})
	rec := expect(t, first, http.StatusOK)
	counts := rec["counts"].(map[string]any)
	if rec["user_id"] != w.consumerID || rec["erased_by"] != "admin" || counts["complaints"] != float64(5) ||
		counts["withdrawn"] != float64(2) || counts["evidence_files"] != float64(2) || counts["supplements"] != float64(1) ||
		counts["idempotency_records"].(float64) < 2 || counts["refresh_tokens"].(float64) < 1 {
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
	for _, id := range []string{open, pending} {
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
	var idem int64
	if err := w.st.DB().Model(&models.IdempotencyRecord{}).Where("owner_id = ? OR subject_id = ?", w.consumerID, w.consumerID).Count(&idem).Error; err != nil || idem != 0 {
		t.Fatalf("idempotency records of the consumer left: %d %v", idem, err)
	}

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
