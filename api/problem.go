package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// Problem is an RFC 9457 problem details body. Every error response of the API is one.
type Problem struct {
	Type   string `json:"type" example:"https://dianshubao.example/problems/validation_failed"`
	Title  string `json:"title" example:"Unprocessable Entity"`
	Status int    `json:"status" example:"422"`
	Detail string `json:"detail" example:"the request has invalid fields"`
	// Code is the stable, machine-readable error. The catalogue:
	//   - `malformed_json` (400): the body is not one valid JSON value in UTF-8, or is empty
	//   - `unreadable_body` (400): the body could not be read (the connection broke, or an upload was cut short)
	//   - `malformed_multipart` (400): an upload's multipart body could not be read
	//   - `unauthenticated` (401): no credentials, or credentials of an unknown form; send `Authorization: Bearer …`
	//   - `invalid_token` (401): the token or API key is invalid, expired or revoked; refresh or use another key
	//   - `invalid_credentials` (401): the phone/e-mail or the password is wrong
	//   - `forbidden` (403): these credentials may not do this (another role, a person on a platform endpoint, or the other way round)
	//   - `account_disabled` (403): the account is disabled; an admin can enable it
	//   - `not_found` (404): the resource does not exist, or is not visible to the caller
	//   - `route_not_found` (404): no such endpoint
	//   - `method_not_allowed` (405): the endpoint exists but does not take this method
	//   - `request_timeout` (408): the body did not arrive within seconds of its headers; send it whole, as its Content-Length says
	//   - `phone_taken` (409): an account with this phone exists
	//   - `email_taken` (409): an account with this e-mail exists
	//   - `slug_taken` (409): a platform with this slug exists
	//   - `name_taken` (409): a platform with this name exists (compared ignoring case, full-width forms and surrounding spaces)
	//   - `last_admin` (409): the last enabled admin account cannot be disabled
	//   - `screening_term_taken` (409): the screening list has a term that matches as this one does
	//   - `already_answered` (409): the caller has answered this questionnaire already; each account answers once
	//   - `duplicate_complaint` (409): the same complainant has an open complaint against this platform for this order; `existing_id` names it
	//   - `invalid_state` (409): the complaint (or resource) is not in a state that allows this action
	//   - `complaint_changed` (409): the complaint changed at the same moment; retry
	//   - `endpoint_disabled` (409): the webhook endpoint is disabled; enable it first
	//   - `no_endpoint` (409): no enabled webhook endpoint subscribes to this event
	//   - `limit_reached` (409): a limit per complaint or per platform is reached; `limit` names it and its maximum
	//   - `case_exists` (409): the complaint is a typical case already; `existing_id` names it
	//   - `consent_required` (409): the typical case's text still holds personal information and the complainant has not consented to its publication
	//   - `idempotency_key_in_use` (409): another request with this Idempotency-Key is being processed; retry after a moment
	//   - `idempotency_key_unusable` (409): the record of this Idempotency-Key can no longer be read; use a new key
	//   - `event_expired` (410): the event's payload was emptied by retention (DSB_RETAIN_EVENT_PAYLOAD_DAYS after its last attempt); it cannot be delivered again
	//   - `precondition_failed` (412): the evidence file does not match If-Match or If-Unmodified-Since
	//   - `body_too_large` (413): the JSON body is over 1 MiB
	//   - `file_too_large` (413): the uploaded file is over DSB_EVIDENCE_MAX_BYTES
	//   - `unsupported_media_type` (415): the body is not JSON, or the upload is not of an accepted type
	//   - `multipart_required` (415): uploads are multipart/form-data with one `file` part
	//   - `range_not_satisfiable` (416): the requested byte range is outside the file
	//   - `validation_failed` (422): members are invalid; `errors` names each field and what is wrong
	//   - `wrong_password` (422): `current_password` is not the account's password
	//   - `unknown_field` (422): the body has a member this endpoint does not know; `errors` names it
	//   - `invalid_cursor` (422): the cursor is not one this API issued for this listing
	//   - `idempotency_key_reused` (422): this Idempotency-Key was used with another body (the message says what differed)
	//   - `rate_limited` (429): too many requests; wait for Retry-After seconds
	//   - `internal_error` (500): an unexpected error; quote the request id to support
	//   - `service_unavailable` (503): the database (or Redis, or the evidence storage) cannot be reached; retry after Retry-After seconds
	Code     string              `json:"code" example:"validation_failed" enums:"malformed_json,unreadable_body,malformed_multipart,unauthenticated,invalid_token,invalid_credentials,forbidden,account_disabled,not_found,route_not_found,method_not_allowed,request_timeout,phone_taken,email_taken,slug_taken,name_taken,last_admin,screening_term_taken,already_answered,duplicate_complaint,invalid_state,complaint_changed,endpoint_disabled,no_endpoint,limit_reached,case_exists,consent_required,idempotency_key_in_use,idempotency_key_unusable,event_expired,precondition_failed,body_too_large,file_too_large,unsupported_media_type,multipart_required,range_not_satisfiable,validation_failed,wrong_password,unknown_field,invalid_cursor,idempotency_key_reused,rate_limited,internal_error,service_unavailable"`
	Errors   []models.FieldError `json:"errors"`
	Instance string              `json:"instance,omitempty" example:"/api/v1/auth/register"`
	// RequestID repeats X-Request-ID so that a support ticket can quote it.
	RequestID  string `json:"request_id,omitempty"`
	ExistingID string `json:"existing_id,omitempty"`
	// Limit is the limit a limit_reached problem ran into; absent on every other problem.
	Limit *ProblemLimit `json:"limit,omitempty"`
}

// ProblemLimit names a limit and its maximum (the DSB_MAX_* setting in force).
type ProblemLimit struct {
	Name string `json:"name" example:"supplements_per_complaint" enums:"supplements_per_complaint,replies_per_complaint,webhook_endpoints_per_platform,active_api_keys_per_platform,open_consultations_per_complaint,messages_per_consultation"`
	Max  int    `json:"max" example:"20"`
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
	models.KindGone:             http.StatusGone,
}

// retryAfterUnavailable is the Retry-After of a 503: long enough for a dropped database
// connection to be redialled, short enough that clients come back soon.
const retryAfterUnavailable = "2"

// writeProblem is the one place that turns an error into a response. Domain errors keep their
// code; a database, Redis or evidence storage that cannot be reached is 503 service_unavailable with Retry-After;
// other errors are logged and answered 500 without their text.
func writeProblem(c *gin.Context, err error) {
	var de *models.Error
	status := 0
	if !errors.As(err, &de) && service.IsUnavailable(err) {
		loggerOf(c).WarnContext(c.Request.Context(), "backing store unavailable", "error", err.Error(), "route", c.FullPath())
		c.Header("Retry-After", retryAfterUnavailable)
		what := "its database"
		if blob.IsUnavailable(err) {
			what = "its evidence storage"
		}
		de = &models.Error{Kind: models.KindInternal, Code: "service_unavailable",
			Detail: "the service cannot reach " + what + " right now; retry after a few seconds"}
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
	if name, ok := de.Extra["limit"].(string); ok {
		max, _ := de.Extra["max"].(int)
		p.Limit = &ProblemLimit{Name: name, Max: max}
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="dianshubao"`)
	}
	body, _ := json.Marshal(p)
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
