package models

// The scrubber's tables (scrub.go): surnames, the words around names, numbers and addresses,
// and the common words that start with a surname. They are data, not rules: extending a list
// changes what is recognised, never how.

// singleSurnames are the hundred or so most common single-character surnames of mainland
// China (2020 census order).
const singleSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤"

// compoundSurnames are the two-character surnames still in use.
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
	"宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "太史", "申屠", "闻人",
	"钟离", "宗政", "濮阳", "公冶", "赫连", "万俟"}

// Honorifics after a surname make it a name (张先生, 李女士). After a strong one the surname
// may carry one or two given characters (张三先生); a weak one — a job title, which also
// follows ordinary words (官方客服, 汇总) — takes a bare surname that starts a word.
var (
	strongHonorifics = []string{"先生", "女士", "小姐", "太太", "夫人", "阿姨", "同学", "大爷", "大妈", "大姐", "大哥"}
	weakHonorifics   = []string{"经理", "客服", "老师", "师傅", "主管", "总监", "店长", "律师", "医生", "专员", "警官", "总"}
)

// Words before a name. After a strong cue what follows is a name even when nothing ends it
// (收件人李四北京市…); after a weak one the name must be followed by a break.
var (
	strongNameCues = []string{"我叫", "名叫", "名字叫", "名字是", "姓名", "联系人", "收件人", "收货人", "寄件人", "签收人",
		"持卡人", "开户人", "户名", "委托人", "投诉人", "老公", "老婆", "爱人", "丈夫", "妻子", "女儿", "儿子", "父亲", "母亲",
		"尊敬的用户", "尊敬的客户", "尊敬的", "亲爱的"}
	weakNameCues = []string{"客服", "经办人", "负责人", "业务员", "快递员", "配送员", "骑手", "店长", "本人", "户主", "代理人",
		"我是", "说"}
)

// nameFollowers are words that follow a name (张三投诉, 王小明签收了, 李建国一起去的): a name ends
// before them, and a given name does not run into them.
var nameFollowers = []string{"投诉", "购买", "收到", "申请", "反映", "签收", "代收", "下单", "付款", "一起", "退款", "联系",
	"表示", "认为", "发现", "打电话", "本人"}

// nameStops are characters that are not part of a given name: particles, prepositions and the
// verbs that follow a name (张三说, 李四电话…). A given name stops before them.
const nameStops = "的了着过在是和与跟同及或并而且但却就也都还又很太更最不没无未已曾将要会能想给对把被让叫向从往到于说讲称问答回复表示告诉您电话手机号码地址住收寄送等此这那其该每各些个位名打拨联系已经于今昨"

// notNames are words that begin with a surname but name nobody: in a name's context (客服方面,
// 本人于昨日) the surname and the next character are refused when they form one of them.
var notNames = wordSet("王者 王牌 王国 周末 周一 周二 周三 周四 周五 周六 周日 周天 周边 周期 周内 周年 周围 周到 周转 " +
	"高兴 高级 高价 高端 高额 高于 高达 高速 高清 高效 高温 高铁 高度 黄金 黄色 黄牛 于是 于今 于昨 于前 于次 于此 于该 于本 于当 " +
	"于近 于上 于下 于同 于某 于每 于日 于年 于月 于周 马上 马桶 马虎 方面 方式 方法 方便 方案 方向 方可 方才 万元 万一 万分 " +
	"万能 余额 余款 余下 许多 许可 严重 严格 严禁 任何 任务 任意 金额 金卡 金融 白天 白色 白银 夏天 夏季 江湖 石头 叶子 龙头 " +
	"龙虾 付款 付费 付出 付清 常常 常规 常见 史上 程序 程度 毛病 毛衣 钱款 钱包 陆续 陈述 陈旧 何时 何处 何况 何种 何必 何以 " +
	"何人 谢谢 谢意 韩国 丁点 钟头 钟表 范围 黎明 陶瓷 贺卡 顾客 顾问 顾及 武器 莫名 向来 向往 向前 向后 向我 向他 向她 向平 " +
	"向商 向客 向其 向对 向该 向消 向法 向有 向相 向市 欧洲 杜绝 苏宁 孙子 曾经 曾多 曾在 段落 熊猫 孔雀 罗列 胡乱 徐徐 肖像 " +
	"田园 林业 戴尔 汤圆 高中 常年 任职 江苏 江西 常州 苏州 徐州 郑州 金华 石家 黄山 武汉 唐山 邵阳 马鞍 余杭 余姚 于都 李宁 许久 常用 高档 高手 金币 白条 白菜 黄瓜 马路 石油 毛巾 方言 龙井 钟点 严肃 任性 万达 周黑 周大 " +
	"马甲 向日 孙女 何等 常住 余地 段位 江边 林荫")

// Address pieces: the street-level part of an address is scrubbed, its divisions down to the
// district (省, 市, 区, 县) are kept. addressCues are the words a whole address follows.
var addressCues = []string{"收货地址", "收件地址", "寄件地址", "送货地址", "配送地址", "家庭住址", "地址", "住址"}

// adminSuffixes end a division that stays; 区 ends one unless it ends a place inside a
// district (小区, 社区, 园区, 校区, 景区, 厂区).
const (
	adminSuffixes   = "省市县旗州盟区"
	notAdminBeforeQ = "小社园校景厂"
	// addressStops end the name of a street or an estate when read leftwards from it.
	addressStops = "在住到寄送往于是为的了和与及或从向址我你他她们，。；：！？、,.;:!?（）()【】[]《》“”\"' \t\n"
	// addressChars make a cue's text an address even without a division (科技园南区3栋).
	addressChars = "路街道巷弄号栋幢楼室村组镇乡园苑厦城"
	// addressEnds end the text after an address cue.
	addressEnds = "，。；！？、,;!?\n"
)

// Cues of the numbers they precede; fillers may stand between (订单号：TB…, 电话是 138…).
var (
	phoneCues  = []string{"电话", "手机", "号码", "联系方式", "座机", "致电", "拨打", "tel", "phone", "mobile"}
	orderCues  = []string{"单号", "订单", "编号", "流水号", "交易号", "order", "no"}
	bankCues   = []string{"卡号", "银行卡", "账号", "帐号", "账户", "帐户", "card"}
	idCardCues = []string{"身份证", "身份证号", "证件号", "证件号码"}
	cueFillers = " \t：:是为#＃号码"
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	word := []rune{}
	for _, r := range s + " " {
		if r == ' ' {
			if len(word) > 0 {
				m[string(word)] = true
			}
			word = word[:0]
			continue
		}
		word = append(word, r)
	}
	return m
}
