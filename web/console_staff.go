package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerConsoleStaff adds the staff accounts: the list, creating a moderator's, an admin's
// or a lawyer's account, disabling and enabling an account, through the calls of
// /api/v1/admin/users. A lawyer's account is linked to a public profile through
// POST or PATCH /api/v1/admin/lawyers.
func (s *site) registerConsoleStaff(g *gin.RouterGroup) {
	g.GET("/staff", s.consoleStaff)
	g.POST("/staff", s.checkCSRF, s.once, s.createStaff)
	g.POST("/staff/:id/disable", s.checkCSRF, s.disableStaff)
	g.POST("/staff/:id/enable", s.checkCSRF, s.enableStaff)
}

// managedRoles are the roles the create form makes and the list shows, one at a time (the
// accounts an admin creates, disables and enables).
var managedRoles = []option{{Value: string(models.RoleModerator), Label: "审核员"}, {Value: string(models.RoleAdmin), Label: "管理员"},
	{Value: string(models.RoleLawyer), Label: "律师"}}

func roleLabel(r models.Role) string {
	for _, o := range managedRoles {
		if o.Value == string(r) {
			return o.Label
		}
	}
	return string(r)
}

// staffRow is one account of the list.
type staffRow struct {
	ID, Role, Email, Name string
	Disabled, Self        bool
	// Error is the service's refusal of the last action on this account.
	Error string
}

// consoleStaffPage is one page of the accounts of a role, with the create form.
type consoleStaffPage struct {
	Items []staffRow
	Pages pageLinks
	Role  string
	Roles []option
	Form  *formData
	// FormRoles are the create form's roles, the entered one chosen.
	FormRoles []option
}

var staffDone = map[string]string{"created": "账号已创建。", "disabled": "账号已停用，其登录状态已失效。", "enabled": "账号已启用。"}

func (s *site) consoleStaff(c *gin.Context) { s.staffPage(c, http.StatusOK, nil, "", "") }

// listRole is the role the list shows: the query's, moderators by default.
func listRole(c *gin.Context) string {
	if r := c.Query("role"); r != "" {
		return r
	}
	return string(models.RoleModerator)
}

func chosen(opts []option, v string) []option {
	out := make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == v
		out[i] = o
	}
	return out
}

// staffPage shows the list with the create form f (fresh when nil) and, when an action on
// account failedID was refused, its refusal beside that account.
func (s *site) staffPage(c *gin.Context, status int, f *formData, failedID, refusal string) {
	ws := sessionOf(c)
	role := listRole(c)
	if !models.Role(role).IsManaged() {
		writeError(c, http.StatusUnprocessableEntity, "查询条件有误", "请选择审核员、管理员或律师。")
		return
	}
	users, next, err := s.svc.Accounts.ListUsers(c.Request.Context(), service.UserListFilter{Role: role},
		models.Page{Limit: consoleListSize, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	if f == nil {
		f = newForm(ws.CSRFToken)
	}
	d := consoleStaffPage{Role: role, Roles: chosen(managedRoles, role), Form: f, FormRoles: chosen(managedRoles, f.V("role")),
		Pages: links("/console/staff", url.Values{"role": {role}}, c.Query("cursor"), next, c.Query("back"))}
	for _, u := range users {
		r := staffRow{ID: u.ID, Role: roleLabel(u.Role), Name: u.RealName, Disabled: u.DisabledAt != nil,
			Self: u.ID == ws.Principal.UserID}
		if u.Email != nil {
			r.Email = *u.Email
		}
		if u.ID == failedID {
			r.Error = refusal
		}
		d.Items = append(d.Items, r)
	}
	p := userPage(c, "工作人员 - 管理后台 - 电诉宝", d)
	doneMessage(c, p, staffDone)
	for _, e := range []string{f.Error, refusal} {
		if e != "" {
			p.Messages = append(p.Messages, Message{Kind: "error", Text: e})
		}
	}
	s.show(c, status, "console_staff", p)
}

func (s *site) createStaff(c *gin.Context) {
	f := newForm(sessionOf(c).CSRFToken)
	for _, k := range []string{"role", "email", "real_name"} {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	u, err := s.svc.Accounts.CreateStaff(submit(c, createdStaffAt), service.CreateStaffRequest{Role: f.V("role"),
		Email: f.V("email"), Password: c.PostForm("password"), RealName: f.V("real_name")})
	if err != nil {
		if s.answered(c, f, err) {
			return
		}
		if f.Errors["role"] != "" {
			f.Errors["role"] = "请选择审核员、管理员或律师"
		}
		s.staffPage(c, refusalStatus(err), f, "", "")
		return
	}
	c.Redirect(http.StatusSeeOther, createdStaffAt(u))
}

// createdStaffAt is the list of the new account's role, which says it was created.
func createdStaffAt(result any) string {
	return "/console/staff?" + url.Values{"role": {string(result.(*models.User).Role)}, "done": {"created"}}.Encode()
}

func (s *site) disableStaff(c *gin.Context) {
	s.setStaffState(c, s.svc.Accounts.DisableStaff, "disabled")
}
func (s *site) enableStaff(c *gin.Context) { s.setStaffState(c, s.svc.Accounts.EnableStaff, "enabled") }

// setStaffState disables or enables the account of the path; the service's refusal (an
// admin's own account, the last admin) is shown beside the account with its status.
func (s *site) setStaffState(c *gin.Context, run func(ctx context.Context, actor *models.Principal, id string) (*models.User, error), done string) {
	id := c.Param("id")
	u, err := run(c.Request.Context(), sessionOf(c).Principal, id)
	if err != nil {
		var me *models.Error
		if !errors.As(err, &me) || me.Kind == models.KindNotFound {
			s.fail(c, err)
			return
		}
		switch me.Kind {
		case models.KindForbidden:
			refusal := "不能停用或启用此账号。"
			if id == sessionOf(c).Principal.UserID {
				refusal = "不能停用自己的账号。"
			}
			s.staffPage(c, http.StatusForbidden, nil, id, refusal)
		case models.KindConflict:
			s.staffPage(c, http.StatusConflict, nil, id, zhConflict(me))
		default:
			s.fail(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/staff?"+url.Values{"role": {string(u.Role)}, "done": {done}}.Encode())
}
