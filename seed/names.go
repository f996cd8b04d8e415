package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dianshubao/dianshubao/models"
)

// The word lists of the synthetic data: syllables that read like Chinese brand names, a suffix
// per sector, products, tags and personal names. Nothing here names a real company.
var (
	brandSyllables = []rune("云优易乐拼聚惠淘京美快兔猫鲸蜂橙果禾星米豆麦咕嘀嗨闪喵叮当蓝绿小大趣萌鲜甄壹链享悦品集汇盒")

	sectorSuffixes = map[models.Sector][]string{
		models.SectorDigitalRetail:    {"电商", "优选", "商城", "好物", "特卖", "严选"},
		models.SectorDigitalLife:      {"到家", "生活", "外卖", "出行", "团购", "科技"},
		models.SectorDigitalHealth:    {"健康", "医药", "问诊", "药房", "医生"},
		models.SectorDigitalEducation: {"教育", "学堂", "网校", "课堂", "学院"},
		models.SectorCrossBorder:      {"海淘", "全球购", "跨境", "国际", "环球"},
		models.SectorIndustrial:       {"集采", "产业网", "工业品", "批发", "供应"},
		models.SectorLogistics:        {"物流", "快运", "速递", "供应链", "快递"},
	}

	sectorTags = map[models.Sector][]string{
		models.SectorDigitalRetail:    {"综合电商", "社交电商", "直播电商", "二手交易", "生鲜电商", "品牌特卖"},
		models.SectorDigitalLife:      {"本地生活", "外卖", "网约车", "在线旅游", "团购", "家政服务"},
		models.SectorDigitalHealth:    {"在线问诊", "医药电商", "健康管理", "体检预约"},
		models.SectorDigitalEducation: {"在线教育", "职业培训", "K12", "语言学习", "知识付费"},
		models.SectorCrossBorder:      {"跨境进口", "跨境出口", "保税仓", "海外直邮"},
		models.SectorIndustrial:       {"B2B", "工业品", "农产品", "大宗商品"},
		models.SectorLogistics:        {"快递", "同城配送", "冷链", "跨境物流"},
	}

	sectorProducts = map[models.Sector][]string{
		models.SectorDigitalRetail:    {"手机", "羽绒服", "扫地机器人", "运动鞋", "空气炸锅", "蓝牙耳机", "笔记本电脑", "面膜"},
		models.SectorDigitalLife:      {"外卖套餐", "家政保洁服务", "网约车行程", "团购券", "酒店预订", "电影票"},
		models.SectorDigitalHealth:    {"体检套餐", "处方药", "保健品", "在线问诊服务", "血糖仪"},
		models.SectorDigitalEducation: {"网课", "英语课程", "考研辅导班", "编程训练营", "会员课程包"},
		models.SectorCrossBorder:      {"进口奶粉", "海外代购包", "保税仓化妆品", "进口保健品", "海淘手表"},
		models.SectorIndustrial:       {"钢材", "工业轴承", "办公耗材", "农资化肥", "五金配件"},
		models.SectorLogistics:        {"快递包裹", "冷链运输", "搬家服务", "跨境包裹", "同城急送"},
	}

	// sectorWeights spread the platforms over the sectors, retail and local life the most.
	sectorWeights = []struct {
		sector models.Sector
		weight float64
	}{
		{models.SectorDigitalRetail, 34}, {models.SectorDigitalLife, 22}, {models.SectorDigitalHealth, 8},
		{models.SectorDigitalEducation, 10}, {models.SectorCrossBorder, 10}, {models.SectorIndustrial, 7},
		{models.SectorLogistics, 9},
	}

	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
	givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉欣怡子轩浩然宇航梓涵雨桐")

	shopWords = []string{"小店", "旗舰店", "专营店", "工作室", "生鲜铺", "百货", "果园", "服饰"}

	issueTypes = []struct {
		code   string
		weight float64
	}{
		{"refund", 26}, {"quality", 18}, {"delivery", 14}, {"after_sales", 14}, {"false_advertising", 9},
		{"unfair_terms", 6}, {"fraud", 5}, {"privacy", 3}, {"other", 5},
	}

	issueTitles = map[string][]string{
		"refund":            {"申请退款被拒绝", "退款迟迟不到账", "取消订单后未退款"},
		"quality":           {"收到的%s存在质量问题", "%s使用不久即损坏", "%s疑似假冒伪劣"},
		"delivery":          {"%s超时未发货", "%s物流停滞多日", "%s显示签收但未收到"},
		"after_sales":       {"%s售后服务推诿不处理", "%s保修被无理拒绝", "客服长期不回复"},
		"false_advertising": {"%s宣传与实物严重不符", "%s虚标优惠价格", "%s夸大宣传功效"},
		"unfair_terms":      {"平台设置不合理的霸王条款", "预付款不退的格式条款", "自动续费难以取消"},
		"fraud":             {"疑似遭遇诈骗", "付款后商家失联", "以%s为名骗取定金"},
		"privacy":           {"个人信息疑似被泄露", "下单后频繁接到骚扰电话", "未经同意获取通讯录"},
		"other":             {"其他消费纠纷", "%s订单纠纷", "会员权益未兑现"},
	}

	issueNarratives = map[string]string{
		"refund":            "按平台规则申请退款，商家一直拒绝或拖延，款项至今未退回",
		"quality":           "收货后发现明显的质量问题，要求退换被拒",
		"delivery":          "付款后迟迟未发货，物流信息长时间没有更新",
		"after_sales":       "商品出现故障后申请售后，客服互相推诿，始终没有解决",
		"false_advertising": "收到的商品与页面宣传的参数和效果明显不符",
		"unfair_terms":      "下单时被迫同意不合理的条款，现在以此为由拒绝退款",
		"fraud":             "付款后对方失联，怀疑遭遇诈骗",
		"privacy":           "下单后不久就接到大量推销电话，怀疑个人信息被泄露",
		"other":             "与商家就订单问题协商未果",
	}

	issueDemands = map[string][]string{
		"refund":            {"refund"},
		"quality":           {"refund", "exchange"},
		"delivery":          {"refund"},
		"after_sales":       {"exchange", "compensation"},
		"false_advertising": {"refund", "compensation"},
		"unfair_terms":      {"refund"},
		"fraud":             {"refund", "compensation"},
		"privacy":           {"apology", "other"},
		"other":             {"other"},
	}

	demandWords = map[string]string{"refund": "退款", "exchange": "换货", "compensation": "赔偿", "apology": "道歉", "other": "妥善处理"}

	refundOnlyReasons = []string{"坏果", "少件", "与描述不符", "质量问题", "未收到货", "七天无理由"}

	rejectionReasons = []models.RejectionReason{models.RejectMissingInformation, models.RejectMissingInformation,
		models.RejectOutOfScope, models.RejectDuplicate, models.RejectAbusiveContent, models.RejectOther}

	ratingComments = [][]string{
		{"完全没有解决问题", "回复敷衍", "态度很差"},      // 1–3
		{"解决了一部分", "处理太慢", "勉强接受"},        // 4–6
		{"处理及时，满意", "问题已解决，谢谢", "客服态度很好"}, // 7–10
	}
)

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns the index drawn with the given weights.
func weighted(r *rand.Rand, n int, weight func(int) float64) int {
	total := 0.0
	for i := range n {
		total += weight(i)
	}
	x := r.Float64() * total
	for i := range n {
		if x -= weight(i); x < 0 {
			return i
		}
	}
	return n - 1
}

// platformName is a brand-like name for the sector: two or three syllables and a suffix.
func platformName(r *rand.Rand, sector models.Sector, attempt int) string {
	var sb strings.Builder
	n := 2
	if attempt > 10 || r.IntN(5) == 0 {
		n = 3
	}
	for range n {
		sb.WriteRune(pick(r, brandSyllables))
	}
	sb.WriteString(pick(r, sectorSuffixes[sector]))
	return sb.String()
}

// personName is a Chinese personal name of two or three characters.
func personName(r *rand.Rand) string {
	var sb strings.Builder
	sb.WriteRune(pick(r, surnames))
	for range 1 + r.IntN(2) {
		sb.WriteRune(pick(r, givenChars))
	}
	return sb.String()
}

// complaintText is a consumer complaint's title and description for the issue and product.
func complaintText(r *rand.Rand, issue, product string, created fmtTime, amountFen int64) (string, string) {
	title := pick(r, issueTitles[issue])
	if strings.Contains(title, "%s") {
		title = fmt.Sprintf(title, product)
	}
	var demands []string
	for _, d := range issueDemands[issue] {
		demands = append(demands, demandWords[d])
	}
	desc := fmt.Sprintf("%d月%d日在该平台购买%s（订单金额%s元），%s。多次联系客服未果，请求平台督促商家%s。",
		created.month, created.day, product, models.FormatMoney(amountFen), issueNarratives[issue], strings.Join(demands, "并"))
	return title, desc
}

// refundOnlyText is a merchant's refund-only complaint.
func refundOnlyText(r *rand.Rand, product string, amountFen int64) string {
	return fmt.Sprintf("买家签收%s后以“%s”为由申请仅退款，未提供有效凭证，平台未经核实直接同意退款，商品未退回，损失%s元。",
		product, pick(r, refundOnlyReasons), models.FormatMoney(amountFen))
}

// fmtTime is the China-time month and day a description mentions.
type fmtTime struct{ month, day int }
