package api

import (
	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type evidenceHandler struct {
	svc      *service.Evidence
	maxBytes int64
}

func (h *evidenceHandler) upload(c *gin.Context) {
	writeProblem(c, &models.Error{Kind: models.KindMethodNotAllowed, Code: "not_implemented"})
}

func (h *evidenceHandler) download(c *gin.Context) {
	writeProblem(c, &models.Error{Kind: models.KindMethodNotAllowed, Code: "not_implemented"})
}
