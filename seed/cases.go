package seed

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
	"github.com/dianshubao/dianshubao/store"
)

// Typical cases: a handful of seeded complaints become published cases through the service,
// as staff make them (drafted, scrubbed, published), so that the public list and the feed
// have something to show.

// caseTitles are the seeded cases' titles by issue type.
var caseTitles = map[string]string{
	"refund":            "申请退款遭拒，平台介入后退款到账",
	"quality":           "收到问题商品，平台协调退换",
	"delivery":          "付款后迟迟不发货，平台督促后妥善处理",
	"after_sales":       "售后服务推诿，平台介入后解决",
	"false_advertising": "商品与宣传不符，平台核实后赔付",
	"unfair_terms":      "格式条款限制退款，平台纠正后退款",
	"fraud":             "疑似诈骗订单，平台核查后退款",
	"privacy":           "个人信息疑似泄露，平台致歉并整改",
	"other":             "订单纠纷经平台协调解决",
}

// caseReplies are the platform replies seeded for the cases' complaints (seeded complaints
// have none of their own).
var caseReplies = []string{
	"您好，已核实您反映的情况，已督促商家为您办理，款项将在1-3个工作日内原路退回，给您带来不便深表歉意。",
	"您好，平台已介入处理，商家同意为您退货退款，请留意订单页面的售后进度。",
	"您好，经核查商家存在违规行为，平台已对商家作出处罚，并为您发放补偿。",
}

// seedStaff is who the seed makes cases as: an admin that no account is.
var seedStaff = &models.Principal{Kind: models.PrincipalPerson, Role: models.RoleAdmin, UserID: "seed"}

// fixedClock is the moment the seeded cases are made and published.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// seedCases publishes up to n cases of completed, rated consumer complaints, one per platform,
// newest first, passing over complaints that are cases already. Each gets a platform reply
// first. They are made a minute before the data's end.
func seedCases(ctx context.Context, st *store.Store, opts Options) (int, error) {
	if opts.Cases == 0 {
		return 0, nil
	}
	db := st.DB().WithContext(st.Keyed(ctx))
	var taken []string
	if err := db.Model(&models.Case{}).Pluck("complaint_id", &taken).Error; err != nil {
		return 0, err
	}
	isCase := map[string]bool{}
	for _, id := range taken {
		isCase[id] = true
	}
	var candidates []models.Complaint
	err := db.Where("status = ? AND channel = ? AND rating_score IS NOT NULL", models.StatusCompleted, models.ChannelConsumer).
		Order("id DESC").Limit(opts.Cases * 200).Find(&candidates).Error
	if err != nil {
		return 0, err
	}
	svc := service.New(st, nil, service.Options{Clock: fixedClock(opts.AsOf.Add(-time.Minute)), BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.DiscardHandler)})
	made, platforms := 0, map[string]bool{}
	for i := range candidates {
		c := &candidates[i]
		if made == opts.Cases {
			break
		}
		if isCase[c.ID] || platforms[c.PlatformID] || c.FirstRepliedAt == nil {
			continue
		}
		reply := models.Reply{ID: models.NewID(), ComplaintID: c.ID, PlatformID: c.PlatformID,
			Content: caseReplies[made%len(caseReplies)], CreatedAt: *c.FirstRepliedAt}
		if err := db.Create(&reply).Error; err != nil {
			return made, err
		}
		issue := "other"
		if c.IssueType != nil {
			issue = *c.IssueType
		}
		k, err := svc.Cases.Create(ctx, seedStaff, service.CreateCaseRequest{ComplaintID: c.ID, Title: caseTitles[issue],
			Summary: fmt.Sprintf("消费者投诉“%s”，经电诉宝递交平台后，平台回复并妥善处理，投诉已办结。", orEmpty(c.Title)),
			Tags:    []string{models.IssueTypeLabels[issue]}})
		if err != nil {
			return made, fmt.Errorf("case of complaint %s: %w", c.Number, err)
		}
		if _, err := svc.Cases.Publish(ctx, seedStaff, k.ID); err != nil {
			return made, fmt.Errorf("publish case of complaint %s: %w", c.Number, err)
		}
		platforms[c.PlatformID] = true
		made++
	}
	return made, nil
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
