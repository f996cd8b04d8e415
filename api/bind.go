package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// bodyReadTimeout is how long a JSON body may take to arrive once its headers have: a client
// that sends fewer bytes than its Content-Length gets 408 in seconds, not after the server's
// two-minute read timeout.
const bodyReadTimeout = 5 * time.Second

// limitBody caps JSON bodies (uploads set their own limit). A Content-Length over the cap is
// 413 before a byte of the body is read — no 100 Continue is sent for it —, and the body must
// arrive within bodyReadTimeout.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody || c.Request.Method == http.MethodGet {
			c.Next()
			return
		}
		if c.Request.ContentLength > n {
			c.Header("Connection", "close") // the unread body is not worth draining
			writeProblem(c, errBodyTooLarge)
			return
		}
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(bodyReadTimeout))
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

var errBodyTooLarge = &models.Error{Kind: models.KindTooLarge, Code: "body_too_large", Detail: "the request body is too large"}

// bodyReadError names why a body could not be read: too large, too slow, or cut off.
func bodyReadError(err error) error {
	var (
		maxErr *http.MaxBytesError
		netErr net.Error
	)
	switch {
	case errors.As(err, &maxErr):
		return errBodyTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		return &models.Error{Kind: models.KindTimeout, Code: "request_timeout",
			Detail: "the request body did not arrive in time; send it whole, as its Content-Length says"}
	}
	return models.BadRequest("unreadable_body", "the request body could not be read")
}

// bindJSON decodes the request body into dst, strictly and the same way on every endpoint: the
// body must be JSON (a Content-Type other than application/json or a +json type is 415, except
// none at all and curl's default form type, which are read as JSON so that `curl -d '{…}'`
// works), valid UTF-8 (else 400), one JSON object (anything else is 422), with no member dst
// does not know (422 unknown_field naming it) and every member of its type (422 naming it).
func bindJSON(c *gin.Context, dst any) error {
	switch ct := c.ContentType(); {
	case ct == "", ct == "application/json", strings.HasSuffix(ct, "+json"), ct == "application/x-www-form-urlencoded":
	default:
		return &models.Error{Kind: models.KindUnsupportedMedia, Code: "unsupported_media_type",
			Detail: "send the body as application/json"}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return bodyReadError(err)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return models.BadRequest("malformed_json", "the body is empty; send a JSON object")
	case !utf8.Valid(body):
		// Decoding would silently turn the bad bytes into U+FFFD and store that.
		return models.BadRequest("malformed_json", "the body is not valid UTF-8")
	case trimmed[0] != '{':
		if !json.Valid(trimmed) {
			return models.BadRequest("malformed_json", "the body is not valid JSON")
		}
		return &models.Error{Kind: models.KindValidation, Code: "validation_failed", Detail: "the body must be a JSON object",
			Fields: []models.FieldError{{Field: "(body)", Message: "must be a JSON object, not " + jsonValueKind(trimmed[0])}}}
	}
	if !json.Valid(trimmed) {
		return models.BadRequest("malformed_json", "the body is not valid JSON")
	}
	if err := checkMembers(trimmed, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return models.BadRequest("malformed_json", "the body holds more than one JSON value")
	}
	return nil
}

// decodeError maps what encoding/json says about a body to the problem the client gets.
func decodeError(err error) error {
	var (
		typeErr *json.UnmarshalTypeError
		synErr  *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return models.BadRequest("malformed_json", "the body must be a JSON object")
		}
		if k := typeErr.Type.Kind().String(); strings.HasPrefix(typeErr.Value, "number") && strings.Contains(k, "int") {
			return models.Invalid(field, "must be an integer")
		}
		return models.Invalid(field, "must be a JSON "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return models.BadRequest("malformed_json", "the body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &models.Error{Kind: models.KindValidation, Code: "unknown_field",
			Detail: "the body has a member this endpoint does not take: " + name,
			Fields: []models.FieldError{{Field: name, Message: "is not a member of this request; check its spelling"}}}
	}
	// Errors raised by custom unmarshalers (for example a nullable member of the wrong shape).
	return models.BadRequest("malformed_json", "the body could not be read: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonValueKind(first byte) string {
	switch first {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	default:
		return "number"
	}
}

// noBody guards a command that takes no body: none, an empty one or `{}` passes; anything
// else is refused as every JSON endpoint refuses it (415, 400, or 422 naming the member), so
// a client that sends what it thinks are options learns they are not read.
func noBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody || c.Request.ContentLength == 0 {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			writeProblem(c, bodyReadError(err))
			return
		}
		if len(bytes.TrimSpace(body)) == 0 {
			c.Request.Body = http.NoBody
			c.Next()
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		if err := bindJSON(c, &struct{}{}); err != nil {
			writeProblem(c, err)
			return
		}
		c.Request.Body = http.NoBody
		c.Next()
	}
}

// uploadIdleTimeout is how long an upload may go without a byte arriving: a large file may
// take minutes on a slow line, a stalled one is cut off in seconds.
const uploadIdleTimeout = 10 * time.Second

// limitUpload guards an upload before anything else reads it: a Content-Length over the
// largest acceptable body is 413 at once (no 100 Continue is sent, the connection is closed),
// and the body must keep arriving — the read deadline moves with every read and runs out
// after uploadIdleTimeout without progress, which also bounds what the server spends draining
// the body of a request it refused early (no credentials, the wrong role).
func limitUpload(maxBody int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > maxBody {
			c.Header("Connection", "close")
			writeProblem(c, errFileTooLarge)
			return
		}
		rc := http.NewResponseController(c.Writer)
		_ = rc.SetReadDeadline(time.Now().Add(uploadIdleTimeout))
		c.Request.Body = &progressReader{ReadCloser: c.Request.Body, rc: rc}
		c.Next()
	}
}

// progressReader moves the connection's read deadline forward with every read.
type progressReader struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	if n > 0 {
		_ = p.rc.SetReadDeadline(time.Now().Add(uploadIdleTimeout))
	}
	return n, err
}
