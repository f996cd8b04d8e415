package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/internal/attachment"
)

// serveEvidence streams one evidence file to the signed-in person (a complainant under
// /me/evidence, staff under /console/evidence), through the evidence service's Open, so the
// access rule is the API's (GET /api/v1/evidence/{id}): the uploader, staff, the platform it
// was delivered to, the complainant for a reply's files. Anyone else gets the site's 404 page. The file is always an attachment, in a sandbox, never sniffed.
func (s *site) serveEvidence(c *gin.Context) {
	ev, f, err := s.svc.Evidence.Open(c.Request.Context(), sessionOf(c).Principal, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	attachment.Headers(c.Writer.Header(), ev.Filename, ev.ContentType, "private, no-store")
	http.ServeContent(c.Writer, c.Request, "", ev.CreatedAt, f)
}
