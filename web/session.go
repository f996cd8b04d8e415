package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// The cookies of the website: the session's random id, and the form token of a visitor not
// signed in yet (checked as a double submit: the form's value must equal the cookie's).
const (
	sessionCookie = "dsb_session"
	preCSRFCookie = "dsb_csrf"
	csrfField     = "csrf"
	sessionKey    = "web.session"
)

// Guard spends sign-ins and registrations from the API's own budgets. It returns how long to
// wait when refused (0 when admitted), and for a login the function that records its result.
type Guard interface {
	AdmitLogin(c *gin.Context, phone, email string) (time.Duration, func(error))
	AdmitRegister(c *gin.Context, phone string) time.Duration
	// AdmitPerson spends one request of a signed-in person's budget; a positive answer is the
	// wait before the next is allowed.
	AdmitPerson(c *gin.Context, p *models.Principal) time.Duration
}

// cookie is the name a cookie of the site goes by: with the __Host- prefix in production, so
// that neither a sibling domain nor a plain-HTTP response can plant it (a browser keeps such a
// cookie only when it is Secure, set by the host itself, with Path=/).
func (s *site) cookie(name string) string {
	if s.secure {
		return "__Host-" + name
	}
	return name
}

// setCookie writes one of the site's cookies: HttpOnly, SameSite=Lax, Secure in production.
func (s *site) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: s.cookie(name), Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		ck.MaxAge = -1
	} else if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(c.Writer, ck)
}

// loadSession puts the session the cookie names in the context, if it is alive.
func (s *site) loadSession(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	id, err := c.Cookie(s.cookie(sessionCookie))
	if err != nil || id == "" {
		c.Next()
		return
	}
	ws, err := s.svc.WebSessions.Load(c.Request.Context(), id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		s.setCookie(c, sessionCookie, "", -1)
	case err != nil:
		s.fail(c, err)
		c.Abort()
		return
	default:
		ws.ID = id
		c.Set(sessionKey, ws)
	}
	c.Next()
}

func sessionOf(c *gin.Context) *service.WebSession {
	if v, ok := c.Get(sessionKey); ok {
		return v.(*service.WebSession)
	}
	return nil
}

// formMaxBytes bounds the body of every form but the filing's, before its token is checked.
const formMaxBytes = 64 << 10

// checkCSRF refuses a POST whose csrf field is not the session's token (or, with no session,
// the pre-session cookie's). A form's body is read up to formMaxBytes only.
func (s *site) checkCSRF(c *gin.Context) { s.csrf(c, formMaxBytes) }

// checkUploadCSRF is checkCSRF for the filing form, whose body may carry one evidence file; it
// runs after the signed-in complainant was checked.
func (s *site) checkUploadCSRF(c *gin.Context) { s.csrf(c, s.maxBody) }

func (s *site) csrf(c *gin.Context, maxBody int64) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	// ParseForm first: ParseMultipartForm answers ErrNotMultipart for a URL-encoded form and
	// drops the error its own ParseForm met (a body over the bound among them).
	err := c.Request.ParseForm()
	if err == nil {
		err = c.Request.ParseMultipartForm(8 << 20)
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(c, http.StatusRequestEntityTooLarge, "文件过大", "上传的文件超过了大小限制，请压缩后重新提交。")
		} else {
			writeError(c, http.StatusBadRequest, "表单无法读取", "请返回上一页重新提交。")
		}
		c.Abort()
		return
	}
	got := c.PostForm(csrfField)
	want := ""
	if ws := sessionOf(c); ws != nil {
		want = ws.CSRFToken
	} else if v, err := c.Cookie(s.cookie(preCSRFCookie)); err == nil {
		want = v
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		writeError(c, http.StatusForbidden, "请求无法验证", "表单已过期或来源不明。请返回上一页，刷新后重新提交。")
		c.Abort()
		return
	}
	c.Next()
}

// preSessionToken is the form token of a visitor not signed in, set as a cookie when absent.
func (s *site) preSessionToken(c *gin.Context) (string, error) {
	if v, err := c.Cookie(s.cookie(preCSRFCookie)); err == nil && len(v) >= 32 {
		return v, nil
	}
	tok, err := service.RandomToken(32)
	if err != nil {
		return "", err
	}
	s.setCookie(c, preCSRFCookie, tok, 0)
	return tok, nil
}

// admitPerson spends one request of the signed-in person's API budget (a browser is no way
// around its limit); refused, it answers 429 and reports false.
func (s *site) admitPerson(c *gin.Context, ws *service.WebSession) bool {
	if s.guard == nil {
		return true
	}
	if wait := s.guard.AdmitPerson(c, ws.Principal); wait > 0 {
		writeError(c, http.StatusTooManyRequests, "请求过于频繁", fmt.Sprintf("请在 %d 秒后再试。", int(wait.Seconds())))
		c.Abort()
		return false
	}
	return true
}

// requirePerson lets a signed-in person whose role allow accepts through, spending one
// request of their API budget; anyone else signed in is refused (403, with refusal), and a
// visitor is sent to sign in.
func (s *site) requirePerson(allow func(models.Role) bool, refusal string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ws := sessionOf(c)
		if ws == nil {
			c.Redirect(http.StatusSeeOther, "/login")
			c.Abort()
			return
		}
		if !allow(ws.Principal.Role) {
			writeError(c, http.StatusForbidden, "无权访问", refusal)
			c.Abort()
			return
		}
		if s.admitPerson(c, ws) {
			c.Next()
		}
	}
}

// isComplainant is a consumer or a merchant: the people of the /me pages.
func isComplainant(r models.Role) bool { return r == models.RoleConsumer || r == models.RoleMerchant }

// userPage is a page for a signed-in person: the layout shows the sign-out form.
func userPage(c *gin.Context, title string, data any) *Page {
	p := &Page{Title: title, Nav: NavMe, Data: data}
	if ws := sessionOf(c); ws != nil {
		p.SignedIn, p.CSRF = true, ws.CSRFToken
		p.Home, p.HomeLabel = "/me", "我的投诉"
		if ws.Principal.Role.IsStaff() {
			p.Home, p.HomeLabel, p.Nav = "/console", "管理后台", NavConsole
			p.Admin = ws.Principal.Role == models.RoleAdmin
		}
	}
	return p
}

// show renders a page that is never cached (it is one person's).
func (s *site) show(c *gin.Context, status int, name string, p *Page) {
	body, err := renderPage(name, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, htmlType, body)
}
