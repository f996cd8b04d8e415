package models

import (
	"slices"
	"testing"
)

// leakCases are personal information that the scrubber once let through: phones with other
// separators, names without an honorific, in lists or in Latin letters, estates' rooms,
// e-mail addresses in full-width or Chinese characters; and the over-scrubbing of the word
// after a name.
var leakCases = []scrubCase{
	{name: "mobile split by full-width commas", text: "手机：138，1234，5678", want: "手机：138****5678", kinds: []ScrubKind{ScrubMobile}},
	{name: "mobile split by dots", text: "138.1234.5678", want: "138****5678"},
	{name: "mobile split by underscores", text: "138_1234_5678", want: "138****5678"},
	{name: "known phone split by slashes", text: "138/0013/8000", known: []Known{{ScrubMobile, "13800138000"}}, want: "138****8000"},
	{name: "known phone split by middle dots", text: "138·0013·8000", known: []Known{{ScrubMobile, "13800138000"}}, want: "138****8000"},
	{name: "known phone split by two characters", text: "打138 -0013- 8000找我", known: []Known{{ScrubMobile, "13800138000"}},
		want: "打138****8000找我"},
	{name: "landline split by a dot", text: "座机010.62345678", want: "座机010-****5678", kinds: []ScrubKind{ScrubLandline}},
	{name: "two names joined by 和", text: "张伟和李娜都收到了", want: "张**和李**都收到了"},
	{name: "a list joined by 和 and run together", text: "张伟和李娜王芳都收到了", want: "张**和李**王**都收到了"},
	{name: "name after 老公 before a word", text: "我老公李建国一起去的", want: "我老公李**一起去的"},
	{name: "name after 我是", text: "我是张伟，", want: "我是张**，"},
	{name: "name after 老公叫", text: "我老公叫张伟。", want: "我老公叫张**。"},
	{name: "name after 亲爱的", text: "亲爱的张三", want: "亲爱的张**"},
	{name: "name after 尊敬的用户", text: "尊敬的用户张三您好", want: "尊敬的用户张**您好"},
	{name: "name after 说 before 签收", text: "快递员说王小明签收了", want: "快递员说王**签收了"},
	{name: "name after 女儿", text: "杨先生的女儿杨小红", want: "杨**的女儿杨**"},
	{name: "names of a list after a cue", text: "收件人张三李四王五", want: "收件人张**李**王**"},
	{name: "names joined after a cue", text: "联系人：张三、李四和王五", want: "联系人：张**、李**和王**"},
	{name: "Latin name after a cue", text: "联系人：Tom Wang", want: "联系人：T**"},
	{name: "Latin given name after 我叫", text: "我叫 Lily", want: "我叫 L**"},
	{name: "estate, unit and room", text: "住在阳光小区3单元502室", want: "住在****", kinds: []ScrubKind{ScrubAddress}},
	{name: "estate, unit and a bare room", text: "幸福里小区3单元502", want: "****"},
	{name: "estate with dashed numbers", text: "阳光小区3-2-502", want: "****"},
	{name: "apartment and room", text: "住在XX公寓1201", want: "住在****"},
	{name: "plaza, block and room", text: "送到了万达广场B座1801", want: "送到了****"},
	{name: "SOHO tower and room", text: "住在朝阳区望京SOHO T1 1201", want: "住在朝阳区****"},
	{name: "unit and room alone", text: "放在5单元302室门口", gone: []string{"302室"}},
	{name: "e-mail with a Chinese name", text: "我的邮箱是张三丰@qq.com，谢谢", want: "我的邮箱是张***@qq.com，谢谢", kinds: []ScrubKind{ScrubEmail}},
	{name: "e-mail with Chinese characters alone", text: "张三@qq.com", want: "张***@qq.com"},
	{name: "e-mail with a full-width at", text: "zhangsan＠qq.com", want: "z***@qq.com"},
	{name: "e-mail in full-width letters", text: "ｚｈａｎｇｓａｎ@qq.com", want: "ｚ***@qq.com"},
	{name: "e-mail with an ideographic full stop", text: "zhangsan@qq。com", want: "z***@qq.com"},
	{name: "weak cue keeps the verb after the name", text: "本人张三投诉", want: "本人张**投诉"},
	{name: "strong cue keeps the verb after the name", text: "我叫张三投诉了商家", want: "我叫张**投诉了商家"},
	{name: "compound surname scrubbed once", text: "联系人：欧阳娜娜", want: "联系人：欧阳**"},
	{name: "a complaint naming her husband, a split phone, a Han e-mail and a flat", text: "本人张三投诉，我老公李建国一起去的，他手机138，0013，8000，我的邮箱是张三丰@qq.com，住在阳光小区3单元502室",
		known: []Known{{ScrubName, "张三"}, {ScrubMobile, "13800138000"}},
		gone:  []string{"李建国", "138，0013，8000", "3单元502室", "张三丰@qq.com", "张三"}, kept: []string{"投诉", "一起去的"}},
}

// possibleNameTexts hold a word that may be a name with no cue around it: the scrubber leaves
// them, the detector reports a possible name.
var possibleNameTexts = []string{"这件事，李娜说了不算", "快递放在门口，张伟，你去拿一下", "后来，王建国的电话打不通", "退款给了刘洋"}

// TestDetectPossibleNames: the consent check flags what may be a name, which Scrub leaves as
// it is; the ordinary words that begin with a surname are not flagged.
func TestDetectPossibleNames(t *testing.T) {
	for _, text := range possibleNameTexts {
		if out, _ := Scrub(text, nil); out != text {
			t.Errorf("Scrub(%q) = %q, want it unchanged", text, out)
		}
		hits := DetectPersonalInfo(text, nil)
		if !slices.ContainsFunc(hits, func(h ScrubHit) bool { return h.Kind == ScrubPossibleName }) {
			t.Errorf("no possible name in %q: %v", text, hits)
		}
		for _, h := range hits {
			if r := []rune(text); h.Marker == string(r[h.Start:h.End]) {
				t.Errorf("hit %+v shows its value", h)
			}
		}
	}
	for _, w := range []string{"周末", "马上", "方便", "高兴", "黄金", "金额", "白色", "王者荣耀", "周一", "万元", "余额"} {
		for _, text := range []string{w, "我" + w + "再说", "说" + w + "了", w + "，好的", "今天的" + w + "的"} {
			if hits := DetectPersonalInfo(text, nil); len(hits) != 0 {
				t.Errorf("DetectPersonalInfo(%q) = %v", text, hits)
			}
		}
	}
}

// TestScrubKeepsCommonWords: the ordinary words beginning with a surname survive scrubbing
// after every cue the scrubber knows.
func TestScrubKeepsCommonWords(t *testing.T) {
	for _, w := range []string{"王者荣耀", "周末", "高兴", "黄金", "平安银行", "京东", "天猫", "金额", "李宁", "白色", "马上", "周一", "万元", "方便"} {
		for _, text := range []string{w, "客服说" + w + "，", "我是" + w + "的", "老公" + w + "了", "尊敬的" + w + "用户", "这是" + w + "和" + w + "的"} {
			if out, hits := Scrub(text, nil); out != text {
				t.Errorf("Scrub(%q) = %q with %v", text, out, hits)
			}
		}
	}
}

// scrubbable leaves out the possible names, which Scrub does not replace.
func scrubbable(hits []ScrubHit) []ScrubHit {
	out := []ScrubHit{}
	for _, h := range hits {
		if h.Kind != ScrubPossibleName {
			out = append(out, h)
		}
	}
	return out
}
