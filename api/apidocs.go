package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	"github.com/dianshubao/dianshubao/internal/openapi"
)

// swaggerUI serves the Swagger UI under /swagger/ and the document it shows at
// /swagger/doc.json: the generated document as a validator reads it (no empty host).
func swaggerUI() gin.HandlerFunc {
	ui := ginSwagger.WrapHandler(swaggerFiles.Handler)
	return func(c *gin.Context) {
		if c.Param("any") == "/doc.json" {
			serveDocument(c, openapi.Swagger)
			return
		}
		ui(c)
	}
}

// openAPI3 godoc
//
//	@Summary		The API description as OpenAPI 3.0
//	@Description	The Swagger 2.0 document of `/swagger/doc.json`, converted to OpenAPI 3.0 (nullable members, enums and problem responses carried over) for generators that want it.
//	@Tags			ops
//	@ID				openapi3
//	@Produce		json
//	@Success		200	{object}	object
//	@Router			/openapi.json [get]
func openAPI3(c *gin.Context) { serveDocument(c, openapi.V3JSON) }

func serveDocument(c *gin.Context, doc func() ([]byte, error)) {
	b, err := doc()
	if err != nil {
		loggerOf(c).ErrorContext(c, "API document unavailable", "error", err)
		writeProblem(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}
