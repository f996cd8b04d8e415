package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// registerConsolePlatforms adds the platform list with its create form and a platform's edit
// page, through the calls of POST/GET/PATCH /api/v1/admin/platforms.
func (s *site) registerConsolePlatforms(g *gin.RouterGroup) {
	g.GET("/platforms", s.consolePlatforms)
	g.POST("/platforms", s.checkCSRF, s.once, s.createPlatform)
	g.GET("/platforms/:id", s.consolePlatform)
	g.POST("/platforms/:id", s.checkCSRF, s.updatePlatform)
}

// platformRow is one platform of the list with whether complaints reach it now.
type platformRow struct {
	P         models.Platform
	Reachable bool
}

// consolePlatformsPage is one page of platforms, its filters and the create form.
type consolePlatformsPage struct {
	Items         []platformRow
	Pages         pageLinks
	Sector, Query string
	Sectors       []option
	Form          *formData
	FormSectors   []option
}

var platformDone = map[string]string{"created": "平台已创建。", "saved": "平台信息已保存。",
	"revoked": "API 密钥已吊销，使用它的请求将被拒绝。",
	"issued":  "此表单已提交过，密钥已生成；密钥只在生成时显示一次，如未保存，请吊销它并重新生成。"}

func (s *site) consolePlatforms(c *gin.Context) { s.platformsPage(c, http.StatusOK, nil) }

func (s *site) platformsPage(c *gin.Context, status int, f *formData) {
	ctx := c.Request.Context()
	filter := service.PlatformListFilter{Sector: c.Query("sector"), Query: c.Query("q")}
	items, next, err := s.svc.Platforms.List(ctx, filter, models.Page{Limit: consoleListSize, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := consolePlatformsPage{Sector: filter.Sector, Query: filter.Query, Sectors: sectorOptions(filter.Sector),
		Pages: links("/console/platforms", url.Values{"sector": {filter.Sector}, "q": {filter.Query}}, c.Query("cursor"), next, c.Query("back"))}
	// Reachability is the admin view's rule (onboarded, and a contact, a key or a webhook),
	// read per platform from the database so that a change shows at once; a page is small.
	for i := range items {
		v, err := s.svc.Platforms.AdminGet(ctx, items[i].ID)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Items = append(d.Items, platformRow{P: items[i], Reachable: v.Reachable})
	}
	if f == nil {
		f = newForm(sessionOf(c).CSRFToken)
	}
	d.Form, d.FormSectors = f, formSectorOptions(f.V("sector"))
	p := userPage(c, "平台管理 - 管理后台 - 电诉宝", d)
	doneMessage(c, p, platformDone)
	if f.Error != "" {
		p.Messages = append(p.Messages, Message{Kind: "error", Text: f.Error})
	}
	s.show(c, status, "console_platforms", p)
}

// formSectorOptions are the sectors of a platform's form, with nothing chosen at first.
func formSectorOptions(selected string) []option {
	out := sectorOptions(selected)
	out[0].Label = "请选择"
	return out
}

// platformFields are a platform form's fields, as entered.
var platformFields = []string{"name", "slug", "sector", "tags", "onboarded", "after_sales_phone", "after_sales_email"}

// readPlatform reads the create and edit forms: one tag a line (a tag may hold a comma or a
// 、, so no other separator reads back what the form showed), the after-sales contact none
// when both its fields are empty.
func readPlatform(c *gin.Context) (f *formData, tags []string, contact *service.AfterSalesContact) {
	f = newForm(sessionOf(c).CSRFToken)
	for _, k := range platformFields {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	tags = []string{}
	for _, t := range strings.Split(f.V("tags"), "\n") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	if ph, em := f.V("after_sales_phone"), f.V("after_sales_email"); ph != "" || em != "" {
		contact = &service.AfterSalesContact{Phone: ph, Email: em}
	}
	return f, tags, contact
}

// contactErrors puts the service's after-sales contact errors beside the form's own fields.
func contactErrors(f *formData) {
	f.Errors["after_sales_phone"] = f.Errors["after_sales_contact.phone"]
	f.Errors["after_sales_email"] = f.Errors["after_sales_contact.email"]
	if f.Errors["after_sales_phone"] == "" && f.Errors["after_sales_email"] == "" {
		f.Errors["after_sales_phone"] = f.Errors["after_sales_contact"]
	}
}

func (s *site) createPlatform(c *gin.Context) {
	f, tags, contact := readPlatform(c)
	p, err := s.svc.Platforms.Create(submit(c, createdPlatformAt), service.CreatePlatformRequest{Name: f.V("name"),
		Slug: f.V("slug"), Sector: f.V("sector"), Tags: tags, Onboarded: f.V("onboarded") != "",
		AfterSalesContact: contact})
	if err != nil {
		if s.answered(c, f, err) {
			return
		}
		contactErrors(f)
		s.platformsPage(c, refusalStatus(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, createdPlatformAt(p))
}

// createdPlatformAt is the page of a platform just created.
func createdPlatformAt(result any) string {
	return "/console/platforms/" + result.(*models.Platform).ID + "?done=created"
}

// consolePlatformPage is a platform's edit form with its API keys.
type consolePlatformPage struct {
	V           *service.PlatformAdminView
	Form        *formData
	FormSectors []option
	Keys        []keyRow
	// KeysNext is the link to the next page of keys.
	KeysNext string
	KeyForm  *formData
	// NewKey is the secret of the key just issued: shown on this answer only.
	NewKey string
}

func (s *site) consolePlatform(c *gin.Context) { s.platformPage(c, http.StatusOK, nil, nil, "") }

// platformPage shows the platform of the path with the forms given (fresh ones when nil).
func (s *site) platformPage(c *gin.Context, status int, f, kf *formData, newKey string) {
	ctx := c.Request.Context()
	v, err := s.svc.Platforms.AdminGet(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	keys, next, err := s.svc.Platforms.ListAPIKeys(ctx, v.Platform.ID, models.Page{Limit: consoleListSize, Cursor: c.Query("keys_cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	csrf := sessionOf(c).CSRFToken
	if f == nil {
		f = platformForm(csrf, v.Platform)
	}
	if kf == nil {
		kf = newForm(csrf)
	}
	d := consolePlatformPage{V: v, Form: f, FormSectors: formSectorOptions(f.V("sector")), Keys: keyRows(keys),
		KeyForm: kf, NewKey: newKey}
	if next != "" {
		d.KeysNext = "/console/platforms/" + v.Platform.ID + "?" + url.Values{"keys_cursor": {next}}.Encode()
	}
	p := userPage(c, v.Platform.Name+" - 平台管理 - 电诉宝", d)
	doneMessage(c, p, platformDone)
	for _, e := range []string{f.Error, kf.Error} {
		if e != "" {
			p.Messages = append(p.Messages, Message{Kind: "error", Text: e})
		}
	}
	s.show(c, status, "console_platform", p)
}

// platformForm is the edit form filled with the platform as it is.
func platformForm(csrf string, p *models.Platform) *formData {
	f := newForm(csrf)
	f.Values["name"], f.Values["slug"], f.Values["sector"] = p.Name, p.Slug, string(p.Sector)
	f.Values["tags"] = strings.Join(p.Tags, "\n")
	if p.Onboarded {
		f.Values["onboarded"] = "1"
	}
	if p.AfterSalesPhone != nil {
		f.Values["after_sales_phone"] = *p.AfterSalesPhone
	}
	if p.AfterSalesEmail != nil {
		f.Values["after_sales_email"] = *p.AfterSalesEmail
	}
	return f
}

// updatePlatform saves every field of the edit form, as one PATCH carrying all members would;
// empty contact fields remove the after-sales contact.
func (s *site) updatePlatform(c *gin.Context) {
	f, tags, contact := readPlatform(c)
	name, slug, sector, onboarded := f.V("name"), f.V("slug"), f.V("sector"), f.V("onboarded") != ""
	req := service.UpdatePlatformRequest{Name: &name, Slug: &slug, Sector: &sector, Tags: &tags, Onboarded: &onboarded,
		AfterSalesContact: service.NullableContact{Set: true, Value: contact}}
	id := c.Param("id")
	if _, err := s.svc.Platforms.Update(c.Request.Context(), id, req); err != nil {
		if s.answered(c, f, err) {
			return
		}
		contactErrors(f)
		s.platformPage(c, refusalStatus(err), f, nil, "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/platforms/"+id+"?done=saved")
}
