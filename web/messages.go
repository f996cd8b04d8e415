package web

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/dianshubao/dianshubao/models"
)

// The services word their refusals in English for the API (a program reads the field and the
// code). A person reads the site's forms in Chinese: each message of the complainant's and the
// console's forms is said again here, with the same meaning and figures; a message with no
// Chinese wording yet is shown as the service wrote it.

// zhRule turns one service message into Chinese; $1, $2 … are the pattern's groups.
type zhRule struct {
	re *regexp.Regexp
	zh string
	// say, when set, words the message from the pattern's groups instead of zh.
	say func(groups []string) string
}

func rule(pattern, zh string) zhRule {
	return zhRule{re: regexp.MustCompile("^" + pattern + "$"), zh: zh}
}

// screeningHit words a screening refusal: the service counts characters from 0 and gives the
// end exclusive, a person counts from 1 (so [0, 2) is the 1st to the 2nd character).
func screeningHit(g []string) string {
	from, _ := strconv.Atoi(g[2])
	return fmt.Sprintf("含有不文明用语“%s”（第 %d–%s 个字），请修改后重新提交", g[1], from+1, g[3])
}

var zhRules = []zhRule{
	rule(`is required`, "此项为必填项"),
	rule(`is required: .*`, "此项为必填项"),
	rule(`is required for merchants`, "商家账号必须填写此项"),
	rule(`must be at least (\d+) characters`, "至少需要 $1 个字"),
	rule(`must be at most (\d+) (?:printable )?characters`, "最多 $1 个字"),
	rule(`must be at most (\d+) characters once full-width forms are folded`, "最多 $1 个字"),
	rule(`must not contain control characters`, "不能包含控制字符"),
	rule(`must be valid UTF-8`, "含有无法识别的字符"),
	rule(`must be a decimal string from 0\.00 to 99999999\.99 with at most 2 decimals`, "请填写 0.00 至 99999999.99 之间的金额，最多两位小数"),
	rule(`must be a mainland mobile number.*`, "请填写中国大陆手机号（11 位数字，以 1 开头）"),
	rule(`must be a mainland mobile \(13800138000\), a landline.*`, "请填写手机号、带区号的固定电话、400/800 电话或 95/96 开头的客服电话"),
	rule(`must be an e-mail address`, "请填写有效的电子邮箱"),
	rule(`must be one e-mail address.*`, "请填写一个电子邮箱地址"),
	rule(`is not a known platform`, "请从列表中选择平台"),
	rule(`is not a platform id`, "请从列表中选择平台"),
	rule(`must be one of refund, quality, .*`, "请选择问题类型"),
	rule(`must be one of abusive_content, missing_information, .*`, "请选择退回原因"),
	rule(`must be one of digital_retail, .*`, "请选择所属领域"),
	rule(`choose at least one of .*`, "请至少选择一项诉求"),
	rule(`"(.*)" is not one of .*`, "“$1”不是可选的项目"),
	rule(`"(.*)" is listed twice`, "“$1”重复选择"),
	rule(`must be true: you affirm .*`, "请阅读并勾选承诺"),
	rule(`must be an integer from 1 to 10`, "请选择 1 至 10 分"),
	rule(`must be a whole number from (\d+) to (\d+)`, "请填写 $1 至 $2 之间的整数"),
	{re: regexp.MustCompile(`^contains "(.*)", a term of the screening list \(characters (\d+)–(\d+)\): rephrase it$`), say: screeningHit},
	rule(`is your account's real_name and shop_name, which contain .*`, "账号的姓名或店铺名称含有不文明用语，请联系客服更正"),
	rule(`is too large`, "文件过大，请压缩后重新上传"),
	rule(`is empty`, "文件是空的"),
	rule(`could not be read`, "文件无法读取，请重新选择"),
	rule(`is not an accepted type.*`, "文件类型不支持：请上传图片（JPEG、PNG、WebP、GIF）、音频、视频或 PDF"),
	rule(`at most (\d+)`, "最多 $1 个"),
	rule(`.* is not evidence you uploaded`, "附件不是您上传的文件"),
	rule(`give either phone or email`, "请填写手机号或电子邮箱"),
	rule(`must be consumer or merchant`, "请选择消费者或商家"),
	rule(`must be moderator, admin or lawyer`, "请选择审核员、管理员或律师"),
	rule(`must differ from the current password`, "新密码不能与当前密码相同"),
	rule(`must be 1–64 lower-case letters, digits and inner hyphens`, "请填写 1–64 位小写字母、数字或中间的连字符"),
	// The review queue's filters.
	rule(`is not a complaint status`, "请从列表中选择状态"),
	rule(`must be consumer or refund_only`, "请从列表中选择渠道"),
	rule(`must be abusive_language`, "请从列表中选择标记"),
	rule(`is not a cursor this API issued`, "翻页链接无效，请回到第一页"),
	rule(`is not a known (platform|campaign), or is listed twice`, "所选项目不存在或重复"),
	rule(`is not a known platform`, "所选平台不存在"),
	rule(`is not a known campaign`, "所选调查行动不存在"),
	rule(`is not a known sector`, "请从列表中选择所属领域"),
	rule(`must be an integer from (\d+) to (\d+)`, "请填写 $1 至 $2 之间的整数"),
	// The console's platform and staff forms.
	rule(`at most (\d+) tags`, "最多 $1 个标签"),
	rule(`give a phone, an email, or null for none`, "请填写售后电话或售后邮箱"),
	rule(`must be at most (\d+) bytes in UTF-8.*`, "最多 $1 字节（约 24 个汉字）"),
}

// conflictFields name the field a conflict is about, with the text shown beside it.
var conflictFields = map[string]struct{ field, zh string }{
	"phone_taken": {"phone", "该手机号已注册"},
	"email_taken": {"email", "该电子邮箱已被使用"},
	"name_taken":  {"name", "已有同名平台"},
	"slug_taken":  {"slug", "此网址名称已被使用"},
}

// zhFields name the fields of the site's queries (the filters of its lists) in Chinese, for
// a refusal shown on the error page; a field not named here is left out of the message.
var zhFields = map[string]string{
	"sector": "所属领域", "status": "状态", "channel": "渠道", "flag": "标记", "limit": "每页条数",
	"phone": "手机号", "platform_id": "平台", "period": "期间", "period_type": "期间类型", "kind": "报告类型",
	"role": "角色", "tag": "标签", "specialty": "专业领域", "issue_type": "问题类型",
}

// zhQueryError is a refused query's field error in Chinese, for the error page.
func zhQueryError(fe models.FieldError) string {
	msg := zhMessage(fe.Message)
	if name, ok := zhFields[fe.Field]; ok {
		return name + "：" + msg
	}
	return msg
}

// zhMessage is a service's field message in Chinese.
func zhMessage(msg string) string {
	for _, r := range zhRules {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			if r.say != nil {
				return r.say(m)
			}
			return r.re.ReplaceAllString(msg, r.zh)
		}
	}
	return msg
}

// zhConflicts are the refusals of a whole form, by the service's code.
var zhConflicts = map[string]string{
	"duplicate_complaint":    "您对该平台的同一订单已有一件处理中的投诉，请在原投诉中补充说明。",
	"phone_taken":            "该手机号已注册，请直接登录。",
	"email_taken":            "该电子邮箱已被使用。",
	"name_taken":             "已有同名平台。",
	"slug_taken":             "已有平台使用此网址名称。",
	"last_admin":             "这是最后一个启用的管理员账号，不能停用。",
	"limit_reached":          "已达到数量上限。",
	"complaint_changed":      "投诉刚刚发生了变化，请刷新后重试。",
	"invalid_state":          "当前状态下不能进行此操作。",
	"idempotency_key_in_use": "同一操作正在处理中，请稍后刷新查看。",
}

// zhLimits say what each limit counts, in Chinese.
var zhLimits = map[string]string{
	string(models.LimitSupplements):          "每件投诉最多补充 %v 次",
	string(models.LimitReplies):              "每件投诉最多回复 %v 次",
	string(models.LimitWebhookEndpoints):     "每个平台最多 %v 个回调地址",
	string(models.LimitActiveAPIKeys):        "每个平台最多 %v 个有效的 API 密钥",
	string(models.LimitOpenConsultations):    "每件投诉最多 %v 个进行中的咨询",
	string(models.LimitConsultationMessages): "每个咨询最多 %v 条消息",
}

// zhConflict is a conflict's message in Chinese, or the service's own with a Chinese lead.
func zhConflict(me *models.Error) string {
	if me.Code == "limit_reached" {
		if f, ok := zhLimits[fmt.Sprint(me.Extra["limit"])]; ok {
			return "已达到数量上限：" + fmt.Sprintf(f, me.Extra["max"]) + "。"
		}
	}
	if zh, ok := zhConflicts[me.Code]; ok {
		return zh
	}
	return "提交未成功：" + me.Detail
}
