package web

import "github.com/gin-gonic/gin"

// registerConsoleReview adds the review queue and a complaint's review page.
func (s *site) registerConsoleReview(g *gin.RouterGroup) {}
