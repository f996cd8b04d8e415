package service

import (
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// TestRejectionTextKeepsTheNoteAsItsOwnSentence: whatever the moderator typed, the note is
// one sentence ended by 。 and the next sentence follows it; the text is the sign and the
// registered template filled with the parameters.
func TestRejectionTextKeepsTheNoteAsItsOwnSentence(t *testing.T) {
	const head = "【电诉宝】您的投诉（编号DSB20261126000001）经审核不予受理，原因："
	cases := []struct {
		reason models.RejectionReason
		note   string
		want   string
	}{
		{models.RejectMissingInformation, "请补充订单号", "投诉信息缺少重要部分。说明：请补充订单号。您可补充信息后再次提交，请理性维权。"},
		{models.RejectMissingInformation, "请补充订单号。", "投诉信息缺少重要部分。说明：请补充订单号。您可补充信息后再次提交，请理性维权。"},
		{models.RejectMissingInformation, "  请补充订单号！\n", "投诉信息缺少重要部分。说明：请补充订单号。您可补充信息后再次提交，请理性维权。"},
		{models.RejectAbusiveContent, "第一段\n\n第二段；", "投诉内容含有非法或辱骂性词汇。说明：第一段 第二段。您可补充信息后再次提交，请理性维权。"},
		{models.RejectDuplicate, "", "重复投诉。说明：无。感谢您的理解。"},
		{models.RejectOutOfScope, "。。", "不属于受理范围。说明：无。感谢您的理解。"},
	}
	for _, c := range cases {
		params := rejectedParams("DSB20261126000001", c.reason, c.note)
		if len(params) != 4 || strings.Count(SMSTemplates[models.NotifyRejected], "{") != len(params) {
			t.Fatalf("%d parameters for the rejected template", len(params))
		}
		for i, p := range params {
			if p == "" {
				t.Fatalf("parameter %d is empty (providers refuse empty parameters): %q", i+1, params)
			}
		}
		if got := renderSMS(models.NotifyRejected, params); got != head+c.want {
			t.Errorf("note %q:\n got %s\nwant %s", c.note, got, head+c.want)
		}
	}
	if got := renderSMS(models.NotifyReplied, []string{"淘宝", "DSB1"}); got != "【电诉宝】淘宝已回复您的投诉（编号DSB1），请登录电诉宝查看处理进度并进行评价。" {
		t.Errorf("replied: %s", got)
	}
	if got := renderSMS(models.NotifyDelivered, []string{"DSB1", "淘宝"}); got != "【电诉宝】您的投诉（编号DSB1）已递交至淘宝，请耐心等待商家与您联系和回复。" {
		t.Errorf("delivered: %s", got)
	}
}
