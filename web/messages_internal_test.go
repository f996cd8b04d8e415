package web

import (
	"testing"

	"github.com/dianshubao/dianshubao/models"
)

// TestZhMessages: the services' messages read in Chinese with their figures, a screening hit's
// place counted from 1 as a person counts, and a message with no wording passed through.
func TestZhMessages(t *testing.T) {
	for msg, want := range map[string]string{
		`contains "傻逼", a term of the screening list (characters 0–2): rephrase it`:  "含有不文明用语“傻逼”（第 1–2 个字），请修改后重新提交",
		`contains "垃圾", a term of the screening list (characters 9–11): rephrase it`: "含有不文明用语“垃圾”（第 10–11 个字），请修改后重新提交",
		"must be at least 20 characters":  "至少需要 20 个字",
		"is not a cursor this API issued": "翻页链接无效，请回到第一页",
		"is not a known sector":           "请从列表中选择所属领域",
		"something no rule words":         "something no rule words",
	} {
		if got := zhMessage(msg); got != want {
			t.Errorf("%q: %q, want %q", msg, got, want)
		}
	}
	if got := zhQueryError(models.FieldError{Field: "sector", Message: "is not a known sector"}); got != "所属领域：请从列表中选择所属领域" {
		t.Errorf("a named field: %q", got)
	}
	if got := zhQueryError(models.FieldError{Field: "cursor", Message: "is not a cursor this API issued"}); got != "翻页链接无效，请回到第一页" {
		t.Errorf("a field not named: %q", got)
	}
}
