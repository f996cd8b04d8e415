package seed

import (
	"context"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// checkSeededLawyers: the six firms of the platform's account each have a lawyer, active,
// linked to a lawyer account and marked as demo data, and the demo consultations keep to the
// state machine's shape (a lawyer once assigned, an answer once answered).
func checkSeededLawyers(t *testing.T, st *store.Store, sum *Summary) {
	t.Helper()
	db := st.DB().WithContext(st.Keyed(context.Background()))
	var ls []models.Lawyer
	if err := db.Order("id").Find(&ls).Error; err != nil {
		t.Fatal(err)
	}
	firms := map[string]bool{}
	for _, l := range ls {
		firms[l.Firm] = true
		var u models.User
		if l.UserID == nil || db.Where("id = ?", *l.UserID).Take(&u).Error != nil || u.Role != models.RoleLawyer {
			t.Errorf("lawyer %s: not linked to a lawyer account", l.Name)
		}
		if !l.Active || !strings.Contains(l.Bio, "演示数据") || len(l.Specialties) == 0 {
			t.Errorf("lawyer %+v", l)
		}
	}
	for _, f := range []string{"北京国标律师事务所", "北京盈科(杭州)律师事务所", "万商天勤律师事务所", "上海申浩律师事务所", "浙江泽大律师事务所", "浙江泰杭律师事务所"} {
		if !firms[f] {
			t.Errorf("no lawyer of %s", f)
		}
	}
	var cs []models.Consultation
	if err := db.Find(&cs).Error; err != nil {
		t.Fatal(err)
	}
	if len(ls) != 6 || len(cs) != len(demoConsultations) || sum.Lawyers != 6 || sum.Consultations != len(cs) {
		t.Fatalf("%d lawyers, %d consultations (summary %d, %d)", len(ls), len(cs), sum.Lawyers, sum.Consultations)
	}
	for _, c := range cs {
		var msgs int64
		db.Model(&models.ConsultationMessage{}).Where("consultation_id = ?", c.ID).Count(&msgs)
		var complaint models.Complaint
		if db.Where("id = ?", c.ComplaintID).Take(&complaint).Error != nil || complaint.ComplainantID != c.RequesterID {
			t.Errorf("consultation %s: not on its requester's complaint", c.ID)
		}
		if (c.LawyerID == nil) != (c.Status == models.ConsultationRequested) || (msgs > 0) != (c.AnsweredAt != nil) {
			t.Errorf("consultation %+v with %d messages", c, msgs)
		}
	}
}
