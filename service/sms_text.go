package service

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/dianshubao/dianshubao/models"
)

// smsSign is the signature (短信签名) that opens every message; providers add it themselves
// from the registered sign name, so templates leave it out.
const smsSign = "【电诉宝】"

// SMSTemplates are the bodies to register with an SMS provider, one per notification kind,
// with the provider's numbered placeholders ({1}, {2}, …, as Tencent Cloud SMS writes them);
// a notification's Params fill them in that order. The stored text is the sign followed by the
// template filled in, so what the admin listing shows is what the complainant receives.
//
//   - rejected: {1} complaint number, {2} reason, {3} the moderator's note (无 when none),
//     {4} what the complainant may do next.
//   - delivered: {1} complaint number, {2} platform name.
//   - replied: {1} platform name, {2} complaint number.
//   - consultation_assigned: {1} complaint number, {2} lawyer's name, {3} law firm.
//   - consultation_answered: {1} lawyer's name, {2} complaint number.
var SMSTemplates = map[string]string{
	models.NotifyRejected:             "您的投诉（编号{1}）经审核不予受理，原因：{2}。说明：{3}。{4}",
	models.NotifyDelivered:            "您的投诉（编号{1}）已递交至{2}，请耐心等待商家与您联系和回复。",
	models.NotifyReplied:              "{1}已回复您的投诉（编号{2}），请登录电诉宝查看处理进度并进行评价。",
	models.NotifyConsultationAssigned: "您就投诉（编号{1}）提出的法律咨询已由{3}{2}律师受理，律师答复后将短信通知您。",
	models.NotifyConsultationAnswered: "{1}律师已答复您就投诉（编号{2}）提出的法律咨询，请登录电诉宝查看。",
}

// The last sentence of a rejection: a complaint that may come back says how, one that may not
// closes politely.
const (
	smsResubmitAdvice = "您可补充信息后再次提交，请理性维权。"
	smsFinalClosing   = "感谢您的理解。"
	smsNoNote         = "无"
)

// renderSMS fills kind's template with params and puts the sign before it.
func renderSMS(kind string, params []string) string {
	text := SMSTemplates[kind]
	for i := len(params); i >= 1; i-- { // {10} before {1}
		text = strings.ReplaceAll(text, "{"+strconv.Itoa(i)+"}", params[i-1])
	}
	return smsSign + text
}

// rejectedParams are a rejection's template parameters.
func rejectedParams(number string, reason models.RejectionReason, note string) []string {
	closing := smsFinalClosing
	if reason.Resubmittable() {
		closing = smsResubmitAdvice
	}
	return []string{number, models.RejectionReasonLabels[reason], noteSentence(note), closing}
}

// noteSentence makes the moderator's note one sentence for the template's "说明：{3}。": its
// lines and runs of spaces become single spaces, and the punctuation it ends with is dropped,
// because the template ends the sentence with 。 and the next one follows.
func noteSentence(note string) string {
	note = strings.Join(strings.Fields(note), " ")
	note = strings.TrimRightFunc(note, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("。．.！!？?；;，,、：:…", r)
	})
	if note == "" {
		return smsNoNote
	}
	return note
}
