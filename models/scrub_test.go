package models

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// idNumber completes 17 digits with their check character (GB 11643).
func idNumber(first17 string) string {
	for _, c := range "0123456789X" {
		if s := first17 + string(c); validIDCard(s) {
			return s
		}
	}
	panic("no check character")
}

// cardNumber completes a bank card number with its Luhn digit.
func cardNumber(prefix string) string {
	for c := '0'; c <= '9'; c++ {
		if s := prefix + string(c); luhn(s) {
			return s
		}
	}
	panic("no check digit")
}

// spaced groups digits by four, as cards are printed.
func spaced(s string) string {
	var parts []string
	for len(s) > 4 {
		parts, s = append(parts, s[:4]), s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

type scrubCase struct {
	name  string
	text  string
	known []Known
	// want is the whole scrubbed text, when given; gone must not survive, kept must.
	want       string
	gone, kept []string
	kinds      []ScrubKind
}

var (
	idA   = idNumber("11010519491231002")
	idB   = idNumber("44030619900101123")
	idX   = "11010519491231002X" // a valid number whose check character is X
	cardA = cardNumber("622202123456789012")
	cardB = cardNumber("621700001234567890")
	cardC = cardNumber("622588021234567")
)

// plain texts are ordinary complaint language that holds no personal information at all:
// surnames opening ordinary words, dates, amounts, hotlines, product models.
var plainTexts = []string{
	"王者荣耀充值648元后钻石一直没有到账",
	"周末客服不回复消息，周一才有人处理",
	"收到货非常高兴，但黄金手链有明显瑕疵",
	"平安银行信用卡分期被多扣了手续费",
	"官方客服一直推诿，说要等商家处理",
	"客服方面表示马上处理，于是我又等了三天",
	"本人于昨日向平台投诉，至今没有答复",
	"订单金额1999.00元，于2026-11-26下单，11月3号发货，20261130签收",
	"客服电话400-820-8820和95188都打不通，12315也打过",
	"买了一套三座沙发和一辆7座汽车的租赁服务，课程第3单元无法播放",
	"商家套路消费者，一路上都在推销会员",
	"地址不对，商家却说我的地址是对的",
	"iPhone15 Pro 256GB 型号A2849，序列号显示翻新机",
	"我叫了三次外卖都没送到，万一再丢件怎么办",
	"客服曾经说过七天无理由退货，现在余额也没退回",
	"许多消费者反映严重的质量问题，高端款也一样",
	"快递显示已签收，但是驿站说没有这个包裹",
	"马上就到双十一，方便的话请尽快处理",
	"我的高中同学也在这家店买过，客服高度重视但一直没有结果",
	"本人常年在外地工作，本人江苏人，投诉人任职于一家小公司",
	"订单金额12000元，分3期付款，每期4000元，2026年11月26日到期",
}

var scrubCases = []scrubCase{
	{name: "name after 我叫 and a mobile", text: "我叫张三，手机13812345678，请尽快处理。",
		want: "我叫张**，手机138****5678，请尽快处理。", kinds: []ScrubKind{ScrubName, ScrubMobile}},
	{name: "contact with a dashed mobile", text: "联系人：李四 电话：139-1234-5678",
		want: "联系人：李** 电话：139****5678"},
	{name: "mobile with +86 and spaces", text: "请拨打 +86 138 1234 5678 联系我", want: "请拨打 +86 138****5678 联系我"},
	{name: "mobile with +86 and dashes", text: "手机号+86-13912345678，微信同号", want: "手机号+86-139****5678，微信同号"},
	{name: "mobile after a bracketed code", text: "电话(+86)13700001111", want: "电话(+86)137****1111"},
	{name: "mobile after 0086", text: "境外请拨0086 15000002222", want: "境外请拨0086 150****2222"},
	{name: "mobile in full-width digits", text: "电话：１３８１２３４５６７８", want: "电话：１３８****５６７８"},
	{name: "mobile grouped 3-4-4 with spaces", text: "我的号码是 186 0000 1234，白天都在", want: "我的号码是 186****1234，白天都在"},
	{name: "landline with a dash", text: "座机010-62345678，工作日可联系", want: "座机010-****5678，工作日可联系",
		kinds: []ScrubKind{ScrubLandline}},
	{name: "landline with an extension", text: "公司电话 020-87654321-808 找前台", gone: []string{"87654321"},
		kinds: []ScrubKind{ScrubLandline}},
	{name: "landline without its dash", text: "家里电话075586001234", want: "家里电话0755-****1234"},
	{name: "landline with a bracketed area code", text: "家里电话（021）54321234", want: "家里电话（021）****1234"},
	{name: "local number after a phone cue", text: "联系电话：88886666", want: "联系电话：****6666"},
	{name: "ID card", text: "我的身份证号是" + idA + "，请核实", gone: []string{idA, idA[:14]},
		kinds: []ScrubKind{ScrubIDCard}},
	{name: "ID card ending in X without a cue", text: "证件 " + idX + " 已上传", want: "证件 **************002X 已上传",
		kinds: []ScrubKind{ScrubIDCard}},
	{name: "ID card among other words", text: "开户人身份证" + idB + "与订单不符", gone: []string{idB}},
	{name: "bank card (Luhn)", text: "退款请打到银行卡" + cardA, gone: []string{cardA, cardA[:12]},
		kinds: []ScrubKind{ScrubBankCard}},
	{name: "bank card printed in groups", text: "卡号 " + spaced(cardB) + " 开户行中国银行", gone: []string{cardB[:8], spaced(cardB)},
		kept: []string{"开户行中国银行"}, kinds: []ScrubKind{ScrubBankCard}},
	{name: "bank card of 16 digits", text: "招商银行卡" + cardC + "被扣款", gone: []string{cardC}, kept: []string{"招商银行卡", "被扣款"}},
	{name: "e-mail", text: "邮箱：Zhang.San_88@163.com，请回复", want: "邮箱：Z***@163.com，请回复", kinds: []ScrubKind{ScrubEmail}},
	{name: "e-mail of a phone number", text: "QQ邮箱13812345678@qq.com也可以", want: "QQ邮箱1***@qq.com也可以"},
	{name: "Taobao order number", text: "订单号：TB2026112612345，商家一直不发货", want: "订单号：****2345，商家一直不发货",
		kinds: []ScrubKind{ScrubOrderNo}},
	{name: "long digit order number", text: "订单编号 202611260012345678 显示已完成", gone: []string{"202611260012345678", "2026112600"}},
	{name: "JD order number", text: "京东订单号 JD10023456789 未发货", want: "京东订单号 ****6789 未发货"},
	{name: "tracking number", text: "快递单号SF1234567890123，显示已签收", want: "快递单号****0123，显示已签收"},
	{name: "Pinduoduo order", text: "拼多多订单PDD20261120998877被取消", want: "拼多多订单****8877被取消"},
	{name: "short order number after a cue", text: "售后单号：A88123", want: "售后单号：****"},
	{name: "known short order number", text: "订单A7788的商品至今未到", known: []Known{{ScrubOrderNo, "A7788"}},
		want: "订单****的商品至今未到"},
	{name: "known name without context", text: "张伟在11月3号下单", known: []Known{{ScrubName, "张伟"}},
		want: "张**在11月3号下单"},
	{name: "known compound name", text: "欧阳娜娜反映商品破损", known: []Known{{ScrubName, "欧阳娜娜"}}, want: "欧阳**反映商品破损"},
	{name: "known Latin name", text: "Buyer LI WEI says hello", known: []Known{{ScrubName, "Li Wei"}}, want: "Buyer L** says hello"},
	{name: "known name that is a common word", text: "很高兴为您服务", known: []Known{{ScrubName, "高兴"}}, want: "很高**为您服务"},
	{name: "surname and 先生", text: "客服说张先生的订单已退款", want: "客服说张**的订单已退款"},
	{name: "surname and 女士", text: "李女士于11月5日收到货", want: "李**于11月5日收到货"},
	{name: "full name and 先生", text: "王小明先生多次致电", want: "王**多次致电"},
	{name: "compound surname and 女士", text: "感谢欧阳娜娜女士的耐心", gone: []string{"娜娜"}, kept: []string{"欧阳**"}},
	{name: "surname after a name before 师傅", text: "快递员刘师傅把包裹放在门口", want: "快递员刘**把包裹放在门口"},
	{name: "job title after a break", text: "联系了京东客服，方经理回复会处理", want: "联系了京东客服，方**回复会处理"},
	{name: "name after 客服", text: "客服张伟说可以退", want: "客服张**说可以退"},
	{name: "name after 收件人 running into an address", text: "收件人李四北京市海淀区中关村大街27号",
		gone: []string{"李四", "中关村大街27号"}, kept: []string{"海淀区"}},
	{name: "name after 姓名", text: "姓名：诸葛亮 身份证：" + idB + " 卡号：" + cardA,
		gone: []string{"诸葛亮", idB, cardA}, kept: []string{"诸葛**"}},
	{name: "address after a cue", text: "地址：上海市浦东新区世纪大道100号环球金融中心75层",
		want: "地址：上海市浦东新区****", kinds: []ScrubKind{ScrubAddress}},
	{name: "street with number", text: "住在杭州市西湖区文三路90号东部软件园", gone: []string{"文三路90号"}, kept: []string{"杭州市西湖区"}},
	{name: "estate, building, unit and room", text: "寄到成都市武侯区幸福小区5栋2单元302室，谢谢",
		want: "寄到成都市武侯区****，谢谢"},
	{name: "village and group", text: "收货地址为河南省周口市郸城县张庄村3组", want: "收货地址为河南省周口市郸城县****"},
	{name: "everything run together", text: "联系人张三电话13800138000地址北京市朝阳区建国路88号",
		known: []Known{{ScrubName, "张三"}, {ScrubMobile, "13800138000"}},
		gone:  []string{"张三", "13800138000", "建国路88号"}, kept: []string{"北京市朝阳区"}},
	{name: "a whole complaint", text: "本人王小明，11月1日在该平台购买手机一部，订单号TB2026110100001，收货地址：广东省深圳市南山区科技园南区8栋501，" +
		"联系电话13800138000。客服刘经理答应退款1999.00元到我的银行卡" + cardB + "，至今未到账。我的邮箱wxm2026@163.com。",
		known: []Known{{ScrubName, "王小明"}, {ScrubMobile, "13800138000"}, {ScrubOrderNo, "TB2026110100001"}},
		gone:  []string{"王小明", "TB2026110100001", "8栋501", "13800138000", cardB, "wxm2026"},
		kept:  []string{"11月1日在该平台购买手机一部", "广东省深圳市南山区", "1999.00元", "@163.com"}},
	{name: "platform reply quoting the customer", text: "尊敬的赵女士您好，您的订单（尾号）已退款，如有疑问请拨打400-123-4567。",
		want: "尊敬的赵**您好，您的订单（尾号）已退款，如有疑问请拨打400-123-4567。"},
}

func TestScrub(t *testing.T) {
	if len(scrubCases)+len(plainTexts) < 40 {
		t.Fatalf("only %d cases", len(scrubCases)+len(plainTexts))
	}
	for _, c := range append(append([]scrubCase{}, scrubCases...), leakCases...) {
		t.Run(c.name, func(t *testing.T) {
			out, hits := Scrub(c.text, c.known)
			if c.want != "" && out != c.want {
				t.Errorf("Scrub(%q)\n = %q\nwant %q", c.text, out, c.want)
			}
			for _, g := range c.gone {
				if strings.Contains(out, g) {
					t.Errorf("%q survives in %q", g, out)
				}
			}
			for _, k := range c.kept {
				if !strings.Contains(out, k) {
					t.Errorf("%q is gone from %q", k, out)
				}
			}
			if len(hits) == 0 {
				t.Errorf("no hits for %q", c.text)
			}
			var kinds []ScrubKind
			for _, h := range hits {
				kinds = append(kinds, h.Kind)
			}
			for _, k := range c.kinds {
				if !slices.Contains(kinds, k) {
					t.Errorf("hits %v of %q: no %s", hits, out, k)
				}
			}
			checkHits(t, c.text, out, hits)
			if again, more := Scrub(out, c.known); again != out || len(more) != 0 {
				t.Errorf("scrubbing %q again gives %q with %v", out, again, more)
			}
			if left := scrubbable(DetectPersonalInfo(out, c.known)); len(left) != 0 {
				t.Errorf("%q still holds %v", out, left)
			}
			if found := DetectPersonalInfo(c.text, c.known); len(found) == 0 {
				t.Errorf("the detector finds nothing in %q", c.text)
			}
		})
	}
}

// TestScrubKeepsOrdinaryWords: text without personal information passes unchanged.
func TestScrubKeepsOrdinaryWords(t *testing.T) {
	for _, text := range plainTexts {
		if out, hits := Scrub(text, []Known{{ScrubName, "张三"}, {ScrubMobile, "13800138000"}}); out != text || len(hits) != 0 {
			t.Errorf("Scrub(%q) = %q with %v, want it unchanged", text, out, hits)
		}
		if found := DetectPersonalInfo(text, nil); len(found) != 0 {
			t.Errorf("the detector finds %v in %q", found, text)
		}
	}
}

// TestScrubIgnoresUnusableKnownValues: values too short, empty, erased or holding a marker
// would scrub ordinary text; they are ignored.
func TestScrubIgnoresUnusableKnownValues(t *testing.T) {
	text := "王者荣耀 1234 订单[已删除] 张**"
	known := []Known{{ScrubName, "王"}, {ScrubOrderNo, "123"}, {ScrubName, ""}, {ScrubOrderNo, ErasedText},
		{ScrubName, "张**"}, {ScrubMobile, "12"}}
	if out, hits := Scrub(text, known); out != text || len(hits) != 0 {
		t.Errorf("Scrub = %q with %v", out, hits)
	}
}

// checkHits: every hit names a kind, stands where its marker is in out, in order, apart, and
// holds nothing of what it replaced.
func checkHits(t *testing.T, in, out string, hits []ScrubHit) {
	t.Helper()
	r := []rune(out)
	end := 0
	for _, h := range hits {
		if !slices.Contains(ScrubKinds, h.Kind) {
			t.Errorf("hit of unknown kind %q", h.Kind)
		}
		if h.Start < end || h.End < h.Start || h.End > len(r) {
			t.Fatalf("hit %+v out of order or place in %q (%d characters)", h, out, len(r))
		}
		if got := string(r[h.Start:h.End]); got != h.Marker {
			t.Errorf("hit %+v: the text there is %q", h, got)
		}
		if !strings.Contains(h.Marker, "*") {
			t.Errorf("hit %+v: its marker hides nothing", h)
		}
		end = h.End
	}
	if !utf8.ValidString(out) {
		t.Errorf("Scrub(%q) is not UTF-8", in)
	}
}

func ExampleScrub() {
	out, hits := Scrub("我叫张三，电话138-1234-5678，订单号TB2026112612345", []Known{{ScrubName, "张三"}})
	fmt.Println(out)
	for _, h := range hits {
		fmt.Println(h.Kind, h.Marker, h.Start, h.End)
	}
	// Output:
	// 我叫张**，电话138****5678，订单号****2345
	// name 张** 2 5
	// mobile 138****5678 8 19
	// order_no ****2345 23 31
}
