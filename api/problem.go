package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// Problem is an RFC 9457 problem details body. Every error response of the API is one.
type Problem struct {
	Type     string              `json:"type" example:"https://dianshubao.example/problems/validation_failed"`
	Title    string              `json:"title" example:"Unprocessable Entity"`
	Status   int                 `json:"status" example:"422"`
	Detail   string              `json:"detail" example:"the request has invalid fields"`
	Code     string              `json:"code" example:"validation_failed"`
	Errors   []models.FieldError `json:"errors"`
	Instance string              `json:"instance,omitempty" example:"/api/v1/auth/register"`
	// RequestID repeats X-Request-ID so that a support ticket can quote it.
	RequestID  string `json:"request_id,omitempty"`
	ExistingID string `json:"existing_id,omitempty"`
}

const problemBase = "https://dianshubao.example/problems/"

var kindStatus = map[models.Kind]int{
	models.KindNotFound:         http.StatusNotFound,
	models.KindConflict:         http.StatusConflict,
	models.KindInvalidState:     http.StatusConflict,
	models.KindValidation:       http.StatusUnprocessableEntity,
	models.KindUnauthenticated:  http.StatusUnauthorized,
	models.KindForbidden:        http.StatusForbidden,
	models.KindTooLarge:         http.StatusRequestEntityTooLarge,
	models.KindUnsupportedMedia: http.StatusUnsupportedMediaType,
	models.KindRateLimited:      http.StatusTooManyRequests,
	models.KindBadRequest:       http.StatusBadRequest,
	models.KindMethodNotAllowed: http.StatusMethodNotAllowed,
	models.KindTimeout:          http.StatusRequestTimeout,
}

// retryAfterUnavailable is the Retry-After of a 503: long enough for a dropped database
// connection to be redialled, short enough that clients come back soon.
const retryAfterUnavailable = "2"

// writeProblem is the one place that turns an error into a response. Domain errors keep their
// code; a database or Redis that cannot be reached is 503 service_unavailable with Retry-After;
// other errors are logged and answered 500 without their text.
func writeProblem(c *gin.Context, err error) {
	var de *models.Error
	status := 0
	if !errors.As(err, &de) && service.IsUnavailable(err) {
		loggerOf(c).WarnContext(c.Request.Context(), "backing store unavailable", "error", err.Error(), "route", c.FullPath())
		c.Header("Retry-After", retryAfterUnavailable)
		de = &models.Error{Kind: models.KindInternal, Code: "service_unavailable",
			Detail: "the service cannot reach its database right now; retry after a few seconds"}
		status = http.StatusServiceUnavailable
	}
	if de == nil {
		loggerOf(c).ErrorContext(c.Request.Context(), "internal error", "error", err.Error(), "route", c.FullPath())
		de = &models.Error{Kind: models.KindInternal, Code: "internal_error",
			Detail: "an unexpected error occurred; quote the request id when you contact support"}
	}
	if status == 0 {
		var ok bool
		if status, ok = kindStatus[de.Kind]; !ok {
			status = http.StatusInternalServerError
		}
	}
	p := Problem{Type: problemBase + de.Code, Title: http.StatusText(status), Status: status,
		Detail: de.Detail, Code: de.Code, Errors: de.Fields, Instance: c.Request.URL.Path,
		RequestID: requestID(c)}
	if p.Errors == nil {
		p.Errors = []models.FieldError{}
	}
	if id, ok := de.Extra["existing_id"].(string); ok {
		p.ExistingID = id
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="dianshubao"`)
	}
	body, _ := json.Marshal(p)
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
