package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/internal/keyring"
	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// idempotency applies Idempotency-Key (API.md section 1). The record lives in the database and
// is written by the command in its own transaction: this side looks it up before the handler
// runs, replays it, or hands the command what it needs to write it.
type idempotency struct {
	// keys seal the stored responses, so that the table's contents are useless without the
	// service's secret and the client's key (idempotency_seal.go). The current key seals new
	// records; a previous one (during a rotation) still opens its own.
	keys *keyring.Ring
	// legacy are the secrets themselves, which named and sealed records before keys were
	// derived per purpose: their records are still found and opened, never made.
	legacy [][]byte
	now    func() time.Time
	// records loads the live record under the first of ids that has one, or ErrNotFound.
	records func(ctx context.Context, ids []string, at time.Time) (*models.IdempotencyRecord, error)
}

const (
	idempotencyTTL = 24 * time.Hour
	ctxIdempotent  = "dsb.idempotent"
)

// idemScope is what a key belongs to: the caller, the method and the path. Two requests share a
// record only when all of them and the key are equal.
type idemScope struct {
	caller, method, path, key string
}

// idemRequest is a request whose record does not exist yet.
type idemRequest struct {
	guard   *idempotency
	scope   idemScope
	differs string
	im      *service.Idempotent
}

// checkIdempotencyKey refuses keys a client could not have meant (API.md: at most 255
// printable characters).
func checkIdempotencyKey(key string) error {
	if len(key) > 255 || models.ControlChar(key) {
		return models.Invalid("Idempotency-Key", "must be at most 255 printable characters")
	}
	return nil
}

// scopeOf is the scope of the request's key. A platform is one caller whichever of its API keys
// it uses (a retry after a key rotation is still a retry); anonymous callers (register, login,
// refresh) are told apart by address.
func scopeOf(c *gin.Context, key string) idemScope {
	caller := "ip:" + c.ClientIP()
	if p := principal(c); p != nil {
		caller = p.RateKey()
		if p.Kind == models.PrincipalPlatform {
			caller = "platform:" + p.PlatformID
		}
	}
	return idemScope{caller: caller, method: c.Request.Method, path: c.Request.URL.Path, key: key}
}

// middleware handles POST requests with an Idempotency-Key: their fingerprint is the SHA-256
// of the body.
func (g *idempotency) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" || c.Request.Method != http.MethodPost {
			c.Next()
			return
		}
		if err := checkIdempotencyKey(key); err != nil {
			writeProblem(c, err)
			return
		}
		body, err := readAllLimited(c)
		if err != nil {
			writeProblem(c, err)
			return
		}
		sum := sha256.Sum256(body)
		// Method and path are part of the scope, so only the body can differ.
		if g.begin(c, scopeOf(c, key), hex.EncodeToString(sum[:]), "the request body differed from the first request's") {
			c.Next()
		}
	}
}

// begin looks the request's record up. It answers the request (a replay or a refusal) and
// returns false, or returns true with the command's instructions in the request context.
func (g *idempotency) begin(c *gin.Context, s idemScope, fingerprint, differs string) bool {
	ctx := c.Request.Context()
	at := g.now().UTC().Truncate(time.Millisecond)
	names := g.names(s)
	rec, err := g.records(ctx, names, at)
	switch {
	case err == nil:
		g.replay(c, s, rec, fingerprint, differs)
		return false
	case !errors.Is(err, models.ErrNotFound):
		writeProblem(c, err)
		return false
	}
	im := &service.Idempotent{RecordID: names[0], Fingerprint: fingerprint, Created: at, Expires: at.Add(idempotencyTTL),
		Seal: func(b []byte) []byte { return g.seal(s, b) }}
	if p := principal(c); p != nil && p.Kind == models.PrincipalPerson {
		im.Owner = p.UserID
	}
	c.Set(ctxIdempotent, &idemRequest{guard: g, scope: s, differs: differs, im: im})
	c.Request = c.Request.WithContext(service.WithIdempotent(ctx, im))
	return true
}

// replay answers a request from its record: the same status and bytes, or a refusal.
func (g *idempotency) replay(c *gin.Context, s idemScope, rec *models.IdempotencyRecord, fingerprint, differs string) {
	if rec.Fingerprint != fingerprint {
		writeProblem(c, &models.Error{Kind: models.KindValidation, Code: "idempotency_key_reused",
			Detail: "this Idempotency-Key was already used on this endpoint, and " + differs + "; use a new key for a new request"})
		return
	}
	body, err := g.open(s, rec)
	if err != nil {
		// Sealed under a key the service no longer has (a restart without DSB_JWT_SECRET, or
		// DSB_JWT_SECRET_PREVIOUS removed while the record lived).
		writeProblem(c, models.Conflict("idempotency_key_unusable", "this Idempotency-Key's record can no longer be read; use a new key"))
		return
	}
	c.Header("Idempotent-Replayed", "true")
	c.Abort()
	c.Data(rec.Status, rec.ContentType, body)
}

// respondCommand runs a command and writes its answer: on success the bytes the command
// recorded for the request's Idempotency-Key (so that the first answer and its replays are the
// same bytes), else the JSON of view(result). Every POST route with an Idempotency-Key answers
// through it. view must render what the command's transaction returns (its result type T).
func respondCommand[T any](c *gin.Context, status int, run func(ctx context.Context) (T, error), view func(T) any) {
	v, _ := c.Get(ctxIdempotent)
	ir, _ := v.(*idemRequest)
	if ir != nil {
		ir.im.Status = status
		ir.im.Render = func(result any) ([]byte, error) {
			v, ok := result.(T)
			if !ok {
				var want T
				return nil, fmt.Errorf("idempotency: the command returned %T, the handler renders %T", result, want)
			}
			return json.Marshal(view(v))
		}
	}
	result, err := run(c.Request.Context())
	if err != nil {
		if ir != nil && errors.Is(err, service.ErrIdempotencyKeyInUse) {
			// A request with the same key committed while this one waited: answer with its record.
			if rec, lerr := ir.guard.records(c.Request.Context(), []string{ir.im.RecordID}, ir.guard.now()); lerr == nil {
				ir.guard.replay(c, ir.scope, rec, ir.im.Fingerprint, ir.differs)
				return
			}
		}
		writeProblem(c, err)
		return
	}
	body := []byte(nil)
	if ir != nil {
		if body = ir.im.Body; body == nil {
			// The service wrote outside command: a retry with this key would run it again.
			loggerOf(c).ErrorContext(c.Request.Context(), "command did not record its Idempotency-Key answer", "route", c.FullPath())
		}
	}
	if body == nil {
		if body, err = json.Marshal(view(result)); err != nil {
			writeProblem(c, err)
			return
		}
	}
	c.Data(status, service.IdempotencyContentType, body)
}

// same is the view of results sent as they are.
func same[T any](v T) any { return v }

// readAllLimited reads the body (already capped by MaxBytesReader) and puts it back.
func readAllLimited(c *gin.Context) ([]byte, error) {
	var buf bytes.Buffer
	if c.Request.Body != nil {
		if _, err := buf.ReadFrom(c.Request.Body); err != nil {
			return nil, bodyReadError(err)
		}
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	return buf.Bytes(), nil
}
