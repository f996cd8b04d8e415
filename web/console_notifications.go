package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerConsoleNotifications adds the notification log, the listing of GET
// /api/v1/admin/notifications: every SMS to a complainant, newest first.
func (s *site) registerConsoleNotifications(g *gin.RouterGroup) {
	g.GET("/notifications", s.consoleNotifications)
}

// notificationKinds and notificationStates say the service's kinds and states in Chinese.
var (
	notificationKinds = map[string]string{"rejected": "审核未通过", "delivered": "已递交平台", "replied": "平台已回复",
		"consultation_assigned": "律师咨询已分配", "consultation_answered": "律师已答复"}
	notificationStates = map[string]string{"pending": "待发送", "sent": "已发送", "logged": "仅记录（未实际发送）", "failed": "发送失败"}
)

// notificationRow is one SMS of the log.
type notificationRow struct {
	Created, Sent, Kind, Phone, Text, State, Status string
}

// consoleNotificationsPage is one page of the log, with its phone filter.
type consoleNotificationsPage struct {
	Items []notificationRow
	Pages pageLinks
	Form  *formData
}

func (s *site) consoleNotifications(c *gin.Context) {
	f := newForm("")
	f.Values["phone"] = strings.TrimSpace(c.Query("phone"))
	items, next, err := s.svc.Notifications.List(c.Request.Context(), f.V("phone"),
		models.Page{Limit: consoleListSize, Cursor: c.Query("cursor")})
	status := http.StatusOK
	if err != nil {
		// A malformed phone is the filter's error, shown beside it over an empty log.
		if !f.apply(err) {
			s.fail(c, err)
			return
		}
		status = http.StatusUnprocessableEntity
	}
	d := consoleNotificationsPage{Form: f, Pages: links("/console/notifications", url.Values{"phone": {f.V("phone")}}, c.Query("cursor"), next, c.Query("back"))}
	for _, n := range items {
		d.Items = append(d.Items, notificationRow{Created: dateTime(n.CreatedAt), Sent: sentAt(n), Kind: label(notificationKinds, n.Kind),
			Phone: n.Phone, Text: n.Text, State: label(notificationStates, n.Status), Status: n.Status})
	}
	s.show(c, status, "console_notifications", userPage(c, "通知记录 - 管理后台 - 电诉宝", d))
}

func sentAt(n service.NotificationView) string {
	if n.SentAt == nil {
		return ""
	}
	return dateTime(*n.SentAt)
}
