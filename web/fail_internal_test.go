package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// TestFailAnswersEachKindWithItsStatus: a service refusal that reaches the error page is the
// 4xx the API would answer, never a 500; only an unexpected error is a 500.
func TestFailAnswersEachKindWithItsStatus(t *testing.T) {
	s := &site{log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{models.NotFound("complaint"), http.StatusNotFound},
		{models.Conflict("already_revoked", "the key is revoked"), http.StatusConflict},
		{&models.Error{Kind: models.KindInvalidState, Code: "invalid_state"}, http.StatusConflict},
		{&models.Error{Kind: models.KindValidation, Code: "validation_failed"}, http.StatusUnprocessableEntity},
		{&models.Error{Kind: models.KindForbidden, Code: "forbidden"}, http.StatusForbidden},
		{&models.Error{Kind: models.KindUnauthenticated, Code: "unauthenticated"}, http.StatusUnauthorized},
		{&models.Error{Kind: models.KindRateLimited, Code: "rate_limited"}, http.StatusTooManyRequests},
		{&models.Error{Kind: models.KindTooLarge, Code: "body_too_large"}, http.StatusRequestEntityTooLarge},
		{&models.Error{Kind: models.KindBadRequest, Code: "bad_request"}, http.StatusBadRequest},
		{&models.Error{Kind: models.KindGone, Code: "gone"}, http.StatusGone},
		{&models.Error{Kind: models.KindMethodNotAllowed, Code: "method_not_allowed"}, http.StatusMethodNotAllowed},
		{&models.Error{Kind: models.KindUnsupportedMedia, Code: "unsupported_media_type"}, http.StatusUnsupportedMediaType},
		{&models.Error{Kind: models.KindTimeout, Code: "request_timeout"}, http.StatusRequestTimeout},
		{errors.New("disk on fire"), http.StatusInternalServerError},
	} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/console", nil)
		s.fail(c, tc.err)
		if w.Code != tc.want {
			t.Errorf("%v: %d, want %d", tc.err, w.Code, tc.want)
		}
		if w.Header().Get("Content-Security-Policy") != pagePolicy {
			t.Errorf("%v: the error page has no policy", tc.err)
		}
	}
}
