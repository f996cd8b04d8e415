package api

// ErrorCode is one entry of the error catalogue: a problem's stable `code`, the HTTP status it
// comes with, and what it means for the client.
type ErrorCode struct {
	Code    string
	Status  int
	Meaning string
}

// ErrorCodes is every code the API answers, in the order of the README's table. Tests keep it
// equal to the codes in the source, to the enum of Problem.code in the Swagger document, and to
// the README's table.
var ErrorCodes = []ErrorCode{
	{"malformed_json", 400, "the body is not one valid JSON value in UTF-8, or is empty"},
	{"unreadable_body", 400, "the body could not be read (the connection broke, or an upload was cut short)"},
	{"malformed_multipart", 400, "an upload's multipart body could not be read"},
	{"unauthenticated", 401, "no credentials, or credentials of an unknown form; send `Authorization: Bearer …`"},
	{"invalid_token", 401, "the token or API key is invalid, expired or revoked; refresh or use another key"},
	{"invalid_credentials", 401, "the phone/e-mail or the password is wrong"},
	{"forbidden", 403, "these credentials may not do this (another role, a person on a platform endpoint, or the other way round)"},
	{"account_disabled", 403, "the account is disabled; an admin can enable it"},
	{"not_found", 404, "the resource does not exist, or is not visible to the caller"},
	{"route_not_found", 404, "no such endpoint"},
	{"method_not_allowed", 405, "the endpoint exists but does not take this method"},
	{"request_timeout", 408, "the body did not arrive within seconds of its headers; send it whole, as its Content-Length says"},
	{"phone_taken", 409, "an account with this phone exists"},
	{"email_taken", 409, "an account with this e-mail exists"},
	{"slug_taken", 409, "a platform with this slug exists"},
	{"name_taken", 409, "a platform with this name exists (compared ignoring case, full-width forms and surrounding spaces)"},
	{"last_admin", 409, "the last enabled admin account cannot be disabled"},
	{"screening_term_taken", 409, "the screening list has a term that matches as this one does"},
	{"already_answered", 409, "the caller has answered this questionnaire already; each account answers once"},
	{"duplicate_complaint", 409, "the same complainant has an open complaint against this platform for this order; `existing_id` names it"},
	{"invalid_state", 409, "the complaint (or resource) is not in a state that allows this action"},
	{"complaint_changed", 409, "the complaint changed at the same moment; retry"},
	{"endpoint_disabled", 409, "the webhook endpoint is disabled; enable it first"},
	{"no_endpoint", 409, "no enabled webhook endpoint subscribes to this event"},
	{"limit_reached", 409, "a limit per complaint or per platform is reached; `limit` names it and its maximum"},
	{"case_exists", 409, "the complaint is a typical case already; `existing_id` names it"},
	{"consent_required", 409, "the typical case's text still holds personal information and the complainant has not consented to its publication"},
	{"idempotency_key_in_use", 409, "another request with this Idempotency-Key is being processed; retry after a moment"},
	{"idempotency_key_unusable", 409, "the record of this Idempotency-Key can no longer be read; use a new key"},
	{"event_expired", 410, "the event's payload was emptied by retention (DSB_RETAIN_EVENT_PAYLOAD_DAYS after its last attempt); it cannot be delivered again"},
	{"precondition_failed", 412, "the evidence file does not match If-Match or If-Unmodified-Since"},
	{"body_too_large", 413, "the JSON body is over 1 MiB"},
	{"file_too_large", 413, "the uploaded file is over DSB_EVIDENCE_MAX_BYTES"},
	{"unsupported_media_type", 415, "the body is not JSON, or the upload is not of an accepted type"},
	{"multipart_required", 415, "uploads are multipart/form-data with one `file` part"},
	{"range_not_satisfiable", 416, "the requested byte range is outside the file"},
	{"validation_failed", 422, "members are invalid; `errors` names each field and what is wrong"},
	{"wrong_password", 422, "`current_password` is not the account's password"},
	{"unknown_field", 422, "the body has a member this endpoint does not know; `errors` names it"},
	{"invalid_cursor", 422, "the cursor is not one this API issued for this listing"},
	{"idempotency_key_reused", 422, "this Idempotency-Key was used with another body (the message says what differed)"},
	{"rate_limited", 429, "too many requests; wait for Retry-After seconds"},
	{"internal_error", 500, "an unexpected error; quote the request id to support"},
	{"service_unavailable", 503, "the database (or Redis, or the evidence storage) cannot be reached; retry after Retry-After seconds"},
}
