package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// A form's submission token makes its POST idempotent as an Idempotency-Key makes an API
// request (API.md section 1), through the same record, written by the command in its own
// transaction: every form of a signed-in person carries a random token (the hidden field
// "once", new each time the form is shown); the command that completes the form records where
// its answer led; a second POST with the same token — a double click, a reload after the answer
// was lost — is sent there without the command running again. A refused submission records
// nothing, so it may be corrected and sent again.

const (
	onceField     = "once"
	submissionKey = "web.submission"
	// onceTTL is how long a form's answer is kept, as long as an API request's.
	onceTTL = 24 * time.Hour
)

// newOnce is a fresh submission token: 128 random bits.
func newOnce() string { return rand.Text() }

// onceAnswer is what a form's record holds: the page its answer led to. It holds nothing
// secret (a page that shows a secret, such as a new API key, is not replayed: the replay
// leads to the page the secret's owner manages it from).
type onceAnswer struct {
	Location string `json:"location"`
}

// onceRecordID names a form's record: the person, the method, the path and the token, hashed
// under a label of the site's own, so that no API request's record shares it.
func onceRecordID(person, method, path, token string) string {
	h := sha256.New()
	for _, part := range []string{"dsb-web-form-v1", person, method, path, token} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// once runs after the form's CSRF check: a token already answered is sent where its first
// submission led; a new one is handed to the command through submit. A form without a token
// runs as it is.
func (s *site) once(c *gin.Context) {
	tok := c.PostForm(onceField)
	ws := sessionOf(c)
	if tok == "" || ws == nil {
		c.Next()
		return
	}
	if len(tok) > 64 || models.ControlChar(tok) {
		writeError(c, http.StatusBadRequest, "表单无法读取", "请返回上一页，刷新后重新提交。")
		c.Abort()
		return
	}
	id := onceRecordID(ws.Principal.UserID, c.Request.Method, c.Request.URL.Path, tok)
	fp := formFingerprint(c.Request)
	at := s.now().UTC().Truncate(time.Millisecond)
	rec, err := s.svc.IdempotencyRecord(c.Request.Context(), []string{id}, at)
	switch {
	case err == nil && rec.Fingerprint != fp:
		// The same form sent again with other contents (edited after going back): it is not
		// the first submission again, and it is not run under its token either.
		writeError(c, http.StatusUnprocessableEntity, "表单已提交过", "此表单已经提交过，修改后的内容没有提交。请刷新页面，重新填写后提交。")
		c.Abort()
		return
	case err == nil:
		s.replayForm(c, rec)
		c.Abort()
		return
	case !errors.Is(err, models.ErrNotFound):
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Set(submissionKey, &service.Idempotent{RecordID: id, Fingerprint: fp, Status: http.StatusSeeOther,
		Seal: func(b []byte) []byte { return b }, Owner: ws.Principal.UserID, Created: at, Expires: at.Add(onceTTL)})
	c.Next()
}

// submit is the context of the command that completes the form: it records, in the command's
// transaction, the page locate names for the command's result.
func submit(c *gin.Context, locate func(result any) string) context.Context {
	ctx := c.Request.Context()
	v, ok := c.Get(submissionKey)
	if !ok {
		return ctx
	}
	im := v.(*service.Idempotent)
	im.Render = func(result any) ([]byte, error) { return json.Marshal(onceAnswer{Location: locate(result)}) }
	return service.WithIdempotent(ctx, im)
}

// formFingerprint is the SHA-256 of what a form carries besides its tokens: every field and
// value in order of name, and each file's field, name and size.
func formFingerprint(r *http.Request) string {
	h := sha256.New()
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		if k != csrfField && k != onceField {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.PostForm[k] {
			fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(v), v)
		}
	}
	if r.MultipartForm != nil {
		names := make([]string, 0, len(r.MultipartForm.File))
		for k := range r.MultipartForm.File {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			for _, f := range r.MultipartForm.File[k] {
				fmt.Fprintf(h, "file %d:%s%d:%s %d", len(k), k, len(f.Filename), f.Filename, f.Size)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// at returns a locate that leads to one page whatever the result.
func at(location string) func(any) string { return func(any) string { return location } }

// twin answers a submission whose command failed because the same form's first submission
// committed meanwhile (a double click whose two requests ran at once): it is sent where that
// one led. It reports false for any other error.
func (s *site) twin(c *gin.Context, err error) bool {
	v, ok := c.Get(submissionKey)
	if !ok || !errors.Is(err, service.ErrIdempotencyKeyInUse) {
		return false
	}
	im := v.(*service.Idempotent)
	rec, lerr := s.svc.IdempotencyRecord(c.Request.Context(), []string{im.RecordID}, s.now())
	if lerr != nil {
		return false
	}
	s.replayForm(c, rec)
	return true
}

// replayForm sends a repeated submission where the first one led.
func (s *site) replayForm(c *gin.Context, rec *models.IdempotencyRecord) {
	var a onceAnswer
	if err := json.Unmarshal(rec.Sealed, &a); err != nil || !strings.HasPrefix(a.Location, "/") || strings.HasPrefix(a.Location, "//") {
		writeError(c, http.StatusConflict, "表单已提交", "此表单已提交过。请返回上一页，刷新后查看结果。")
		return
	}
	c.Redirect(http.StatusSeeOther, a.Location)
}
