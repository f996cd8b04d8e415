package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// campaignPlan is one of the platform's campaigns of 2024 (its account, section 五).
type campaignPlan struct {
	title, topic, start, end string
	// platforms are the platforms it names; those the database has (by name) are watched.
	platforms  []string
	issueTypes []string
	keywords   []string
	// reported is when its report was published (China time); zero: closed without one.
	reported time.Time
	// refundOnly also collects the refund-only channel's complaints.
	refundOnly     bool
	questionnaires []models.Questionnaire
}

func cst(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, models.ChinaTime)
}

func campaignPlans() []campaignPlan {
	return []campaignPlan{
		{title: "2024第十三届网络消费315调查行动", start: "2024-03-01", end: "2024-03-31",
			topic: "系列数据报告发布，辨别“刺客”平台；发起主题调查行动，看清网络消费“雷区”；发布315消费预警；“云315”平台联动千家网络公司；典型案例曝光；媒体记者舆论监督。"},
		{title: "电商平台“仅退款”调查行动", start: "2024-07-23", end: "2024-09-04", reported: cst(2024, 9, 4, 10), refundOnly: true,
			topic:      "国内首次“仅退款”调查：述“仅退款”服务内容，析服务现状，探服务漏洞，破服务困局；收集商家与消费者的问卷反馈。",
			platforms:  []string{"拼多多", "京东", "淘宝", "天猫", "抖音电商", "快手电商", "1688", "小红书", "速卖通", "Temu", "亚马逊", "SHEIN"},
			issueTypes: []string{"refund"}, keywords: []string{"仅退款"}, questionnaires: refundOnlyQuestionnaires()},
		{title: "拒绝虚假宣传 净化直播空间", start: "2024-09-24", end: "2024-12-31",
			topic:      "直播电商虚假宣传专项调查，涉及直播平台与MCN机构。",
			platforms:  []string{"抖音", "快手", "淘宝直播", "视频号直播", "小红书直播", "京东直播", "多多直播", "B站", "蘑菇街"},
			issueTypes: []string{"false_advertising"}, keywords: []string{"直播", "虚假宣传"}},
		{title: "捍卫消费权益 打击霸王条款", start: "2024-11-06", end: "2024-12-31",
			topic: "电商、在线旅游、跨境电商、移动出行等平台的霸王条款专项调查。",
			platforms: []string{"淘宝", "天猫", "京东", "拼多多", "唯品会", "苏宁易购", "抖音电商", "快手电商", "小红书", "微信电商", "哔哩哔哩",
				"携程", "同程旅行", "马蜂窝", "美团旅行", "去哪儿", "飞猪", "途牛", "穷游网", "驴妈妈", "途家"},
			issueTypes: []string{"unfair_terms"}, keywords: []string{"霸王条款"}},
		{title: "喜迎进博会 护航跨境消费", start: "2024-11-06", end: "2024-12-31",
			topic: "进口跨境电商平台消费专项调查。",
			platforms: []string{"天猫国际", "多多国际", "京东国际", "淘宝全球购", "55海淘", "别样海外购", "亚马逊海外购", "行云集团", "小红书",
				"中免日上", "识季", "洋码头", "寺库", "考拉海购", "海淘免税店", "海带官网", "德国BA保镖商城", "熊猫生活", "海淘网"},
			keywords: []string{"跨境", "海淘", "进口"}},
		{title: "被聘还是被骗？透视招聘平台乱象", start: "2024-11-06", end: "2024-12-31",
			topic:      "招聘平台信息质量不高、违规收费、个人信息泄露、虚假宣传等问题的调查。",
			issueTypes: []string{"false_advertising", "privacy", "fraud"}, keywords: []string{"招聘", "求职"}},
	}
}

func question(kind models.QuestionKind, text string, required bool, options ...string) models.Question {
	q := models.Question{Kind: kind, Text: text, Required: required, Options: []models.QuestionOption{}}
	for i, o := range options {
		q.Options = append(q.Options, models.QuestionOption{ID: fmt.Sprintf("o%d", i+1), Label: o})
	}
	return q
}

// refundOnlyQuestionnaires are the 仅退款 investigation's two questionnaires.
func refundOnlyQuestionnaires() []models.Questionnaire {
	return []models.Questionnaire{
		{Audience: models.AudienceMerchant, Title: "电商平台“仅退款”商家调查问卷", Questions: []models.Question{
			question(models.QuestionSingle, "您的店铺是否遭遇过“仅退款”？", true, "遭遇过", "未遭遇过"),
			question(models.QuestionMultiple, "您在哪些平台遭遇过“仅退款”？", false, "淘宝/天猫", "京东", "拼多多", "抖音小店", "快手小店", "小红书", "唯品会"),
			question(models.QuestionScale, "“仅退款”对店铺经营的影响程度（1为几乎无影响，5为影响很大）", true),
			question(models.QuestionSingle, "您认为“仅退款”被滥用的主要原因是什么？", true, "平台规则偏向买家", "缺少举证环节", "恶意买家“薅羊毛”", "其他"),
			question(models.QuestionText, "您对平台“仅退款”规则有何建议？", false),
		}},
		{Audience: models.AudienceConsumer, Title: "电商平台“仅退款”消费者调查问卷", Questions: []models.Question{
			question(models.QuestionSingle, "您是否使用过“仅退款”服务？", true, "使用过", "没有使用过"),
			question(models.QuestionMultiple, "您申请“仅退款”的原因是？", false, "商品质量问题", "商品与描述不符", "物流问题", "其他"),
			question(models.QuestionScale, "您对“仅退款”服务的满意度（1–5）", true),
			question(models.QuestionText, "您对“仅退款”服务有何看法？", false),
		}},
	}
}

// seedAnswers is the answer sheet of the i-th respondent: a fixed pattern, so that the same
// seed gives the same results.
func seedAnswers(q *models.Questionnaire, responseID string, i int) []models.QuestionnaireAnswer {
	var out []models.QuestionnaireAnswer
	add := func(qq *models.Question, a models.QuestionnaireAnswer) {
		a.ID, a.ResponseID, a.QuestionnaireID, a.QuestionID = models.NewID(), responseID, q.ID, qq.ID
		out = append(out, a)
	}
	for j := range q.Questions {
		qq := &q.Questions[j]
		switch qq.Kind {
		case models.QuestionSingle:
			o := qq.Options[0].ID
			if (i+j)%5 == 0 {
				o = qq.Options[(i/5+1)%len(qq.Options)].ID
			}
			add(qq, models.QuestionnaireAnswer{OptionID: &o})
		case models.QuestionMultiple:
			for k := range qq.Options {
				if (i+k)%3 == 0 {
					o := qq.Options[k].ID
					add(qq, models.QuestionnaireAnswer{OptionID: &o})
				}
			}
		case models.QuestionScale:
			s := []int{5, 4, 4, 3, 5, 2, 4, 1, 3, 5}[i%10]
			add(qq, models.QuestionnaireAnswer{Scale: &s})
		case models.QuestionText:
			if i%3 == 0 {
				t := []string{"建议平台在同意仅退款前要求买家上传凭证。", "希望建立商家申诉通道，由第三方复核。", "对恶意仅退款的买家应有信用惩戒。"}[i/3%3]
				add(qq, models.QuestionnaireAnswer{Text: &t})
			}
		}
	}
	return out
}

// seedCampaigns adds the campaigns of 2024 that the database does not have yet (by title): the
// complaints each one's rule selects are tagged into it, the 仅退款 investigation's two
// questionnaires are answered by up to 20 merchants and 20 consumers, and its report is frozen
// as published on 4 September.
func seedCampaigns(ctx context.Context, st *store.Store, consumers, merchants []models.User) (int, error) {
	have, err := st.ListCampaigns(ctx, "", "", 1000)
	if err != nil {
		return 0, err
	}
	var platforms []models.Platform
	if err := st.DB().WithContext(ctx).Select("id", "name").Find(&platforms).Error; err != nil {
		return 0, err
	}
	byName := map[string]string{}
	for _, p := range platforms {
		byName[p.Name] = p.ID
	}
	created := 0
	for _, plan := range campaignPlans() {
		if hasTitle(have, plan.title) {
			continue
		}
		if err := seedCampaign(ctx, st, plan, byName, consumers, merchants); err != nil {
			return created, fmt.Errorf("%s: %w", plan.title, err)
		}
		created++
	}
	return created, nil
}

func hasTitle(cs []models.Campaign, title string) bool {
	for _, c := range cs {
		if c.Title == title {
			return true
		}
	}
	return false
}

func seedCampaign(ctx context.Context, st *store.Store, plan campaignPlan, byName map[string]string, consumers, merchants []models.User) error {
	start, _ := models.CampaignDay(plan.start)
	end, _ := models.CampaignDay(plan.end)
	at := start.UTC()
	c := &models.Campaign{ID: models.NewID(), Title: plan.title, Topic: plan.topic, StartsOn: plan.start, EndsOn: plan.end,
		PlatformIDs: []string{}, IssueTypes: append([]string{}, plan.issueTypes...), Keywords: append([]string{}, plan.keywords...),
		Status: models.CampaignClosed, CreatedBy: "seed", CreatedAt: at, UpdatedAt: end.UTC()}
	if len(plan.platforms) > 0 {
		c.Topic += "涉及平台：" + strings.Join(plan.platforms, "、") + "。"
	}
	for _, name := range plan.platforms {
		if id, ok := byName[name]; ok {
			c.PlatformIDs = append(c.PlatformIDs, id)
		}
	}
	if err := st.CreateCampaign(ctx, c); err != nil {
		return err
	}
	rules := []store.TagRule{{PlatformIDs: c.PlatformIDs, IssueTypes: c.IssueTypes, Keywords: c.Keywords}}
	if plan.refundOnly {
		rules = append(rules, store.TagRule{PlatformIDs: c.PlatformIDs, Channels: []models.Channel{models.ChannelRefundOnly}})
	}
	for _, r := range rules {
		r.From, r.To = start.UTC(), end.AddDate(0, 0, 1).UTC()
		ids, err := st.UntaggedByRule(ctx, c.ID, r, 5000)
		if err != nil {
			return err
		}
		rows := make([]models.CampaignComplaint, len(ids))
		for i, id := range ids {
			rows[i] = models.CampaignComplaint{CampaignID: c.ID, ComplaintID: id, Source: models.TagByRule, TaggedBy: "seed", TaggedAt: end.UTC()}
		}
		if _, err := st.TagComplaints(ctx, rows); err != nil {
			return err
		}
	}
	for _, q := range plan.questionnaires {
		q.ID, q.CampaignID, q.CreatedAt = models.NewID(), c.ID, at
		for i := range q.Questions {
			q.Questions[i].ID, q.Questions[i].QuestionnaireID, q.Questions[i].Position = models.NewID(), q.ID, i+1
		}
		if err := st.CreateQuestionnaire(ctx, &q); err != nil {
			return err
		}
		people := merchants
		if q.Audience == models.AudienceConsumer {
			people = consumers
		}
		for i := range min(20, len(people)) {
			r := &models.QuestionnaireResponse{ID: models.NewID(), QuestionnaireID: q.ID, UserID: people[i].ID, CreatedAt: at.Add(time.Duration(i+1) * time.Hour)}
			if err := st.AddResponse(ctx, r, seedAnswers(&q, r.ID, i)); err != nil {
				return err
			}
		}
	}
	if !plan.reported.IsZero() {
		return service.ReportClosedCampaign(ctx, st, c, plan.reported.UTC())
	}
	return nil
}
