package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerConsoleKeys adds a platform's API keys to its page: issuing one and revoking one,
// through the calls of POST and DELETE /api/v1/admin/platforms/{id}/api-keys.
func (s *site) registerConsoleKeys(g *gin.RouterGroup) {
	g.POST("/platforms/:id/keys", s.checkCSRF, s.once, s.createKey)
	g.POST("/platforms/:id/keys/:key_id/revoke", s.checkCSRF, s.revokeKey)
}

// keyRow is an API key as listed: never its secret, only its prefix.
type keyRow struct {
	ID, Name, Prefix, Created, LastUsed, Revoked string
}

func keyRows(keys []models.APIKey) []keyRow {
	out := make([]keyRow, len(keys))
	for i, k := range keys {
		out[i] = keyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Created: dateTime(service.Ts(k.CreatedAt))}
		if k.LastUsedAt != nil {
			out[i].LastUsed = dateTime(service.Ts(*k.LastUsedAt))
		}
		if k.RevokedAt != nil {
			out[i].Revoked = dateTime(service.Ts(*k.RevokedAt))
		}
	}
	return out
}

// createKey issues a key and answers the platform's page with its secret, 201 and never
// stored (show sets no-store): the service keeps only its hash, so this is the only time
// the key can be read; a reload or the next visit shows its prefix only.
func (s *site) createKey(c *gin.Context) {
	kf := newForm(sessionOf(c).CSRFToken)
	kf.Values["name"] = strings.TrimSpace(c.PostForm("name"))
	// A second submission of the form is not shown the key (it is kept nowhere): it is led to
	// the platform's page, which says so.
	again := at("/console/platforms/" + c.Param("id") + "?done=issued")
	_, plain, err := s.svc.Platforms.CreateAPIKey(submit(c, again), c.Param("id"), service.CreateAPIKeyRequest{Name: kf.V("name")})
	if err != nil {
		if s.answered(c, kf, err) {
			return
		}
		s.platformPage(c, refusalStatus(err), nil, kf, "")
		return
	}
	s.platformPage(c, http.StatusCreated, nil, nil, plain)
}

func (s *site) revokeKey(c *gin.Context) {
	id := c.Param("id")
	if _, err := s.svc.Platforms.RevokeAPIKey(c.Request.Context(), id, c.Param("key_id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/platforms/"+id+"?done=revoked")
}
