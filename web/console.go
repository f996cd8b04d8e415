package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// The operator console (管理后台) under /console: moderators and administrators review
// complaints; administrators also keep the platforms, their API keys, the staff accounts and
// read the notification log. Each page acts through the same service calls as the admin API
// (/api/v1/admin/…), as the signed-in person, so the rules, timelines and webhooks are the same.
func (s *site) registerConsolePages(g *gin.RouterGroup) {
	g.GET("", s.consoleHome)
	s.registerConsoleReview(g)
	s.registerConsoleAdmin(g.Group("", s.requireAdmin))
}

// ConsoleSection is one entry of the console's navigation.
type ConsoleSection struct {
	Href, Label string
	// AdminOnly sections are shown to administrators only.
	AdminOnly bool
}

// ConsoleSections is the console's navigation, in order.
var ConsoleSections = []ConsoleSection{
	{"/console/complaints", "审核队列", false},
	{"/console/platforms", "平台管理", true},
	{"/console/staff", "工作人员", true},
	{"/console/notifications", "通知记录", true},
}

// consoleHome lists the console's sections the person may open.
func (s *site) consoleHome(c *gin.Context) {
	p := userPage(c, "管理后台 - 电诉宝", nil)
	s.show(c, http.StatusOK, "console", p)
}

// requireAdmin lets an administrator through (after the console's staff check); a moderator is refused.
func (s *site) requireAdmin(c *gin.Context) {
	if sessionOf(c).Principal.Role != models.RoleAdmin {
		writeError(c, http.StatusForbidden, "无权访问", "此页面只对管理员开放。")
		c.Abort()
		return
	}
	c.Next()
}
