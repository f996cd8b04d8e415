package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerAccountPages adds sign-in, sign-out, registration and the complainant's pages.
// Every page here reads the session; every POST checks the form's CSRF token.
func (s *site) registerAccountPages(r gin.IRouter) {
	g := r.Group("", s.loadSession)
	g.GET("/login", s.loginForm)
	g.POST("/login", s.checkCSRF, s.login)
	g.POST("/logout", s.checkCSRF, s.logout)
	g.GET("/register", s.registerForm)
	g.POST("/register", s.checkCSRF, s.register)
	s.registerMePages(g.Group("/me", s.requirePerson(isComplainant, "“我的投诉”只对投诉人开放。")))
	s.registerConsolePages(g.Group("/console", s.requirePerson(models.Role.IsStaff, "管理后台只对审核员和管理员开放。")))
}

// formData is a form as shown again: what was entered and the errors beside its fields.
type formData struct {
	CSRF string
	// Once is the form's submission token (web/once.go), new each time the form is shown.
	Once   string
	Values map[string]string
	Errors map[string]string
	// Error is a message about the whole form.
	Error string
	// Existing is the complaint a duplicate filing should be added to instead (existing_id).
	Existing string
}

func newForm(csrf string) *formData {
	return &formData{CSRF: csrf, Once: newOnce(), Values: map[string]string{}, Errors: map[string]string{}}
}

// V is an entered value; Err the error beside a field.
func (f *formData) V(name string) string   { return f.Values[name] }
func (f *formData) Err(name string) string { return f.Errors[name] }

// apply puts a service error on the form: field errors beside their fields, anything the
// person can act on above it. It reports false for an error that is not the person's to fix.
func (f *formData) apply(err error) bool {
	var me *models.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.Kind {
	case models.KindValidation:
		for _, fe := range me.Fields {
			name := fe.Field
			if i := strings.IndexAny(name, "[."); i > 0 {
				name = name[:i]
			}
			if f.Errors[name] == "" {
				f.Errors[name] = zhMessage(fe.Message)
			}
			// A member of a group (after_sales_contact.phone) is also kept under its own
			// name, for a form that shows the group's members as fields of their own.
			if name != fe.Field && f.Errors[fe.Field] == "" {
				f.Errors[fe.Field] = zhMessage(fe.Message)
			}
		}
		f.Error = "请修改标出的项目后重新提交。"
	case models.KindConflict:
		f.Error = zhConflict(me)
		if id, ok := me.Extra["existing_id"].(string); ok && me.Code == "duplicate_complaint" {
			f.Existing = id
		}
		if fc, ok := conflictFields[me.Code]; ok {
			f.Errors[fc.field] = fc.zh
		}
	case models.KindInvalidState:
		f.Error = "当前状态下不能进行此操作。"
	default:
		return false
	}
	return true
}

// answered handles the error of a form's command: a second submission whose twin committed
// first is sent where that one led, an error the form cannot show (not a refusal of its
// input: a missing complaint, a failure) is the error page. It reports whether it answered
// the request; when not, f holds the errors and the form is to be shown again.
func (s *site) answered(c *gin.Context, f *formData, err error) bool {
	if s.twin(c, err) {
		return true
	}
	if !f.apply(err) {
		s.fail(c, err)
		return true
	}
	return false
}

// loginForm is the sign-in form; a signed-in person may sign in again (as another account),
// with the session's form token.
func (s *site) loginForm(c *gin.Context) {
	tok, err := s.formToken(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.show(c, http.StatusOK, "login", &Page{Title: "登录 - 电诉宝", Data: newForm(tok)})
}

// formToken is the token a form of this visitor carries: the session's, or the pre-session
// cookie's.
func (s *site) formToken(c *gin.Context) (string, error) {
	if ws := sessionOf(c); ws != nil {
		return ws.CSRFToken, nil
	}
	return s.preSessionToken(c)
}

// homeOf is where a person lands after signing in.
func homeOf(r models.Role) string {
	if r.IsStaff() {
		return "/console"
	}
	if r == models.RoleLawyer {
		// A lawyer's desk is the API's (/api/v1/lawyer/…); the site has no page of theirs.
		return "/"
	}
	return "/me"
}

func (s *site) login(c *gin.Context) {
	f := newForm(c.PostForm(csrfField))
	account := strings.TrimSpace(c.PostForm("account"))
	f.Values["account"] = account
	req := service.LoginRequest{Password: c.PostForm("password")}
	if strings.Contains(account, "@") {
		req.Email = account
	} else {
		req.Phone = account
	}
	wait, done := s.guard.AdmitLogin(c, req.Phone, req.Email)
	if wait > 0 {
		f.Error = fmt.Sprintf("尝试次数过多，请 %d 秒后再试。", int(wait/time.Second))
		s.show(c, http.StatusTooManyRequests, "login", &Page{Title: "登录 - 电诉宝", Data: f})
		return
	}
	sess, err := s.svc.Accounts.Login(c.Request.Context(), req)
	done(err)
	if err != nil {
		status := http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, models.ErrInvalidCredentials):
			status, f.Error = http.StatusUnauthorized, "账号或密码错误。"
		case errors.Is(err, service.ErrAccountDisabled):
			status, f.Error = http.StatusForbidden, "该账号已被停用。"
		case !f.apply(err):
			s.fail(c, err)
			return
		}
		s.show(c, status, "login", &Page{Title: "登录 - 电诉宝", Data: f})
		return
	}
	s.startSession(c, sess.User)
}

// startSession ends the session the browser had (a sign-in always gets a new id) and opens one
// for u.
func (s *site) startSession(c *gin.Context, u *models.User) {
	if old, err := c.Cookie(s.cookie(sessionCookie)); err == nil {
		if err := s.svc.WebSessions.Close(c.Request.Context(), old); err != nil {
			s.fail(c, err)
			return
		}
	}
	ws, err := s.svc.WebSessions.Open(c.Request.Context(), u)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setCookie(c, sessionCookie, ws.ID, 0)
	c.Redirect(http.StatusSeeOther, homeOf(u.Role))
}

func (s *site) logout(c *gin.Context) {
	if ws := sessionOf(c); ws != nil {
		if err := s.svc.WebSessions.Close(c.Request.Context(), ws.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

func (s *site) registerForm(c *gin.Context) {
	tok, err := s.formToken(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := newForm(tok)
	f.Values["role"] = "consumer"
	s.show(c, http.StatusOK, "register", &Page{Title: "注册 - 电诉宝", Data: f})
}

func (s *site) register(c *gin.Context) {
	f := newForm(c.PostForm(csrfField))
	for _, k := range []string{"role", "phone", "real_name", "shop_name"} {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	req := service.RegisterRequest{Role: f.Values["role"], Phone: f.Values["phone"],
		Password: c.PostForm("password"), RealName: f.Values["real_name"]}
	if req.Role == string(models.RoleMerchant) {
		shop := f.Values["shop_name"]
		req.ShopName = &shop
	}
	if wait := s.guard.AdmitRegister(c, req.Phone); wait > 0 {
		f.Error = fmt.Sprintf("尝试次数过多，请 %d 秒后再试。", int(wait/time.Second))
		s.show(c, http.StatusTooManyRequests, "register", &Page{Title: "注册 - 电诉宝", Data: f})
		return
	}
	sess, err := s.svc.Accounts.Register(c.Request.Context(), req)
	if err != nil {
		if !f.apply(err) {
			s.fail(c, err)
			return
		}
		s.show(c, http.StatusUnprocessableEntity, "register", &Page{Title: "注册 - 电诉宝", Data: f})
		return
	}
	s.startSession(c, sess.User)
}
