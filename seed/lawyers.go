package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// streamLawyers draws the lawyer team's ids and times.
const streamLawyers = 4

// demoBio marks every seeded biography as invented.
const demoBio = "（演示数据，人物与经历均为虚构）"

// demoLawyers are the lawyer team (律师团) of the platform's own account: the firms are the
// ones it names; the lawyers, their cities and biographies are invented demo data.
var demoLawyers = []struct {
	name, firm, city string
	specialties      []models.Specialty
	bio              string
}{
	{"林志远", "北京国标律师事务所", "北京", []models.Specialty{models.SpecialtyInternet, models.SpecialtyIP},
		"专注互联网平台合规与网络侵权纠纷，代理过多起平台责任案件。"},
	{"陈思雨", "北京盈科(杭州)律师事务所", "杭州", []models.Specialty{models.SpecialtyEcommerce, models.SpecialtyConsumer},
		"长期为网购消费者提供维权咨询，熟悉电子商务法与七日无理由退货规则。"},
	{"周建国", "万商天勤律师事务所", "北京", []models.Specialty{models.SpecialtyContract, models.SpecialtyDisputeSolve},
		"擅长合同纠纷的诉讼与仲裁，兼任多家电商企业法律顾问。"},
	{"吴敏", "上海申浩律师事务所", "上海", []models.Specialty{models.SpecialtyPrivacy, models.SpecialtyInternet},
		"关注个人信息保护与数据合规，处理过多起信息泄露投诉。"},
	{"郑浩然", "浙江泽大律师事务所", "杭州", []models.Specialty{models.SpecialtyEcommerce, models.SpecialtyAdvertising},
		"研究直播带货与虚假宣传问题，为商家与消费者提供咨询。"},
	{"王雅琴", "浙江泰杭律师事务所", "杭州", []models.Specialty{models.SpecialtyIP, models.SpecialtyContract},
		"处理商标、著作权纠纷及平台知识产权投诉。"},
}

// demoConsultations are the consultations seeded on the first consumer complaints, one in each
// status but cancelled: the question, the lawyer's answer ("" for none) and the status.
var demoConsultations = []struct {
	question, answer string
	status           models.ConsultationStatus
}{
	{"商家拒绝退款，我能否要求平台先行赔付？", "", models.ConsultationRequested},
	{"商品与宣传不符，能否主张三倍赔偿？", "", models.ConsultationAssigned},
	{"平台客服一直不处理，我还可以通过什么途径维权？", "可向平台所在地市场监督管理部门投诉，或通过12315平台提交，必要时可提起诉讼。", models.ConsultationAnswered},
	{"商家泄露了我的手机号和地址，应该怎么办？", "建议保留相关证据，依据《个人信息保护法》要求商家删除并赔偿，也可向网信部门举报。", models.ConsultationClosed},
}

// seedLawyers adds the lawyer team with their accounts (e-mail lawyerN@lawyers.example.com,
// password Password), reusing accounts and profiles already there, and — when the database has
// no consultation yet — a few consultations on consumer complaints. It returns how many
// profiles and consultations exist for the demo afterwards.
func seedLawyers(ctx context.Context, st *store.Store, opts Options) (lawyers, consultations int, err error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), opts.BcryptCost)
	if err != nil {
		return 0, 0, err
	}
	r := newRand(opts.Seed, streamLawyers)
	db := st.DB().WithContext(st.Keyed(ctx))
	joined := opts.From.Start().Add(-90 * 24 * time.Hour)
	var team []models.Lawyer
	for i, d := range demoLawyers {
		email := fmt.Sprintf("lawyer%d@lawyers.example.com", i+1)
		var u models.User
		res := db.Where("email = ?", email).Limit(1).Find(&u)
		if res.Error != nil {
			return 0, 0, res.Error
		}
		if res.RowsAffected == 0 {
			u = models.User{ID: seededID(r, joined, uint16(i)), Role: models.RoleLawyer, Email: &email, PasswordHash: string(hash),
				RealName: d.name, CreatedAt: joined, UpdatedAt: joined}
			st.SetUserHashes(&u)
			if err := db.Create(&u).Error; err != nil {
				return 0, 0, err
			}
		} else if u.Role != models.RoleLawyer {
			return 0, 0, fmt.Errorf("%s belongs to a %s account, not a lawyer", email, u.Role)
		}
		var l models.Lawyer
		res = db.Where("user_id = ?", u.ID).Limit(1).Find(&l)
		if res.Error != nil {
			return 0, 0, res.Error
		}
		if res.RowsAffected == 0 {
			specialties := make([]string, len(d.specialties))
			for j, s := range d.specialties {
				specialties[j] = string(s)
			}
			uid := u.ID
			l = models.Lawyer{ID: seededID(r, joined, uint16(i)), UserID: &uid, Name: d.name, Firm: d.firm, City: d.city,
				Specialties: specialties, Bio: d.bio + demoBio, Active: true, CreatedAt: joined, UpdatedAt: joined, Version: 1}
			if err := db.Create(&l).Error; err != nil {
				return 0, 0, err
			}
		}
		team = append(team, l)
	}
	var existing int64
	if err := db.Model(&models.Consultation{}).Count(&existing).Error; err != nil || existing > 0 {
		return len(team), int(existing), err
	}
	var complaints []models.Complaint
	if err := db.Where("channel = ? AND created_at < ?", models.ChannelConsumer, opts.AsOf.Add(-48*time.Hour)).
		Order("id").Limit(len(demoConsultations)).Find(&complaints).Error; err != nil {
		return 0, 0, err
	}
	for i := range complaints {
		if err := seedConsultation(ctx, st, r, &complaints[i], team[i%len(team)], i, opts.AsOf); err != nil {
			return 0, 0, err
		}
	}
	return len(team), len(complaints), nil
}

// seedConsultation writes the i-th demo consultation on c, a day before asOf, in its status.
func seedConsultation(ctx context.Context, st *store.Store, r *rand.Rand, c *models.Complaint, l models.Lawyer, i int, asOf time.Time) error {
	d := demoConsultations[i]
	at := asOf.Add(-24 * time.Hour).UTC().Truncate(time.Second)
	later := at.Add(2 * time.Hour)
	spec := l.Specialties[0]
	con := models.Consultation{ID: seededID(r, at, uint16(i)),
		ComplaintID: c.ID, RequesterID: c.ComplainantID, RequesterRole: c.ComplainantType, Question: d.question,
		PreferredSpecialty: &spec, Status: d.status, CreatedAt: at, UpdatedAt: at, Version: 1}
	if d.status != models.ConsultationRequested {
		con.LawyerID, con.AssignedAt, con.Version = &l.ID, &at, 2
	}
	var msgs []models.ConsultationMessage
	if d.answer != "" {
		con.AnsweredAt, con.UpdatedAt, con.Version = &later, later, 3
		msgs = append(msgs, models.ConsultationMessage{ID: seededID(r, later, uint16(i)), ConsultationID: con.ID, AuthorType: models.ConsultantLawyer,
			AuthorID: l.ID, Body: d.answer, CreatedAt: later})
	}
	if d.status == models.ConsultationClosed {
		con.ClosedAt, con.Version = &later, 4
	}
	return st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateConsultation(ctx, &con); err != nil {
			return err
		}
		return tx.AddConsultationMessages(ctx, msgs)
	})
}
