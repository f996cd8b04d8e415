package web

import "github.com/gin-gonic/gin"

// registerConsoleAdmin adds the administrators' pages: platforms and their API keys, staff
// accounts, the notification log. g already requires an administrator.
func (s *site) registerConsoleAdmin(g *gin.RouterGroup) {}
