package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// registerConsoleAdmin adds the administrators' pages: platforms and their API keys, staff
// accounts, the notification log. g already requires an administrator.
func (s *site) registerConsoleAdmin(g *gin.RouterGroup) {
	s.registerConsolePlatforms(g)
	s.registerConsoleKeys(g)
	s.registerConsoleStaff(g)
	s.registerConsoleNotifications(g)
}

// consoleListSize is the page size of the console's listings.
const consoleListSize = 20

// refusalStatus is the status of a form the service refused, as the API answers it: a conflict
// (a taken name, the last admin, a duplicate complaint) or a state that does not allow the
// change is 409, anything else the person corrects 422.
func refusalStatus(err error) int {
	var me *models.Error
	if errors.As(err, &me) && (me.Kind == models.KindConflict || me.Kind == models.KindInvalidState) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// doneMessage is the success message named by the redirect's ?done=, from texts.
func doneMessage(c *gin.Context, p *Page, texts map[string]string) {
	if t, ok := texts[c.Query("done")]; ok {
		p.Messages = append(p.Messages, Message{Kind: "success", Text: t})
	}
}
