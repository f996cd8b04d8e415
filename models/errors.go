package models

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error; api/problem.go maps each kind to one HTTP status.
type Kind int

// The kinds of domain error.
const (
	KindInternal Kind = iota
	KindNotFound
	KindConflict
	KindInvalidState
	KindValidation
	KindUnauthenticated
	KindForbidden
	KindTooLarge
	KindUnsupportedMedia
	KindRateLimited
	KindBadRequest
	KindMethodNotAllowed
	// KindTimeout is a request body that did not arrive in time.
	KindTimeout
	// KindGone is a resource that exists but whose content is no longer kept.
	KindGone
)

// Error is a domain error with a stable snake_case code that clients can rely on.
type Error struct {
	Kind   Kind
	Code   string
	Detail string
	// Fields lists the offending fields of a validation error.
	Fields []FieldError
	// Extra members added to the problem body (for example existing_id).
	Extra map[string]any
}

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field" example:"phone"`
	Message string `json:"message" example:"must be a mainland mobile number"`
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Code + ": " + e.Detail
	}
	return e.Code
}

// Is lets errors.Is match on kind and code, so sentinel errors work after wrapping.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Kind == e.Kind && t.Code == e.Code
}

// Sentinel errors shared across the services.
var (
	ErrNotFound           = &Error{Kind: KindNotFound, Code: "not_found", Detail: "the resource does not exist"}
	ErrUnauthenticated    = &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Detail: "missing or invalid credentials"}
	ErrInvalidCredentials = &Error{Kind: KindUnauthenticated, Code: "invalid_credentials", Detail: "the phone/email or password is wrong"}
	ErrInvalidToken       = &Error{Kind: KindUnauthenticated, Code: "invalid_token", Detail: "the token is invalid, expired or revoked"}
	ErrForbidden          = &Error{Kind: KindForbidden, Code: "forbidden", Detail: "your role may not do this"}
	ErrInvalidState       = &Error{Kind: KindInvalidState, Code: "invalid_state", Detail: "the resource is not in a state that allows this"}
)

// NotFound returns a not-found error naming the resource.
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Code: "not_found", Detail: what + " not found"}
}

// Conflict returns a 409-class error with a specific code.
func Conflict(code, format string, args ...any) error {
	return &Error{Kind: KindConflict, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400-class error with a specific code.
func BadRequest(code, format string, args ...any) error {
	return &Error{Kind: KindBadRequest, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error for a single field.
func Invalid(field, message string) error {
	return &Error{Kind: KindValidation, Code: "validation_failed", Detail: "the request has invalid fields",
		Fields: []FieldError{{Field: field, Message: message}}}
}
