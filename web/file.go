package web

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

// filingPage is the consumer filing form with its choices.
type filingPage struct {
	Form       *formData
	Platforms  []option
	IssueTypes []option
	Demands    []option
	// Chosen are the demands ticked.
	Chosen map[string]bool
}

func labelled(m map[string]string) []option {
	out := make([]option, 0, len(m))
	for k, v := range m {
		out = append(out, option{Value: k, Label: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

func (s *site) filingPage(c *gin.Context, status int, f *formData, chosen map[string]bool) {
	platforms, err := s.platformOptions(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := filingPage{Form: f, Platforms: platforms, IssueTypes: labelled(models.IssueTypeLabels), Demands: labelled(models.DemandLabels), Chosen: chosen}
	p := userPage(c, "我要投诉 - 电诉宝", d)
	s.show(c, status, "me_new", p)
}

func (s *site) newComplaintForm(c *gin.Context) {
	if sessionOf(c).Principal.Role == models.RoleMerchant {
		c.Redirect(http.StatusSeeOther, "/me/complaints/refund-only")
		return
	}
	s.filingPage(c, http.StatusOK, newForm(sessionOf(c).CSRFToken), map[string]bool{})
}

// The filing form's text fields, as CreateComplaintRequest names them.
var filingFields = []string{"platform_id", "issue_type", "title", "description", "order_no", "amount", "contact_name", "contact_phone"}

// fileComplaint stores the attached file as POST /evidence does, then files the complaint as
// POST /complaints does; refused input comes back beside its field with the values kept.
func (s *site) fileComplaint(c *gin.Context) {
	ws := sessionOf(c)
	// Only consumers file here (POST /complaints's rule): a merchant's file is never stored.
	if ws.Principal.Role != models.RoleConsumer {
		writeError(c, http.StatusForbidden, "无权提交", "消费者投诉只能由消费者账号提交；商家请使用“仅退款”投诉通道。")
		return
	}
	f, ff := readFiling(c, ws.CSRFToken, filingFields)
	req := service.CreateComplaintRequest{PlatformID: f.Values["platform_id"], IssueType: f.Values["issue_type"],
		Title: f.Values["title"], Description: f.Values["description"], ContactName: f.Values["contact_name"],
		ContactPhone: f.Values["contact_phone"], Demands: ff.demands, EvidenceIDs: []string{},
		DeclarationAccepted: ff.declared}
	chosen := ff.chosen
	if v := f.Values["order_no"]; v != "" {
		req.OrderNo = &v
	}
	if v := f.Values["amount"]; v != "" {
		req.Amount = &v
	}
	s.fileWithEvidence(c, f, func(ids []string) (string, error) {
		req.EvidenceIDs = ids
		_, err := s.svc.Complaints.Create(submit(c, at("/me?filed=1")), ws.Principal, req)
		return "/me?filed=1", err
	}, func(status int) { s.filingPage(c, status, f, chosen) })
}

// filingForm is what both filing forms share beyond their text fields: the demands ticked
// (as a list for the service and as a set for the form shown again) and the declaration.
type filingForm struct {
	demands  []string
	chosen   map[string]bool
	declared bool
}

// readFiling reads a filing form: its text fields trimmed into a form to show again, the
// demands and the declaration.
func readFiling(c *gin.Context, csrf string, fields []string) (*formData, filingForm) {
	f := newForm(csrf)
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	ff := filingForm{demands: c.PostFormArray("demands"), chosen: map[string]bool{},
		declared: c.PostForm("declaration_accepted") != ""}
	if ff.demands == nil {
		ff.demands = []string{}
	}
	for _, d := range ff.demands {
		ff.chosen[d] = true
	}
	if ff.declared {
		f.Values["declaration_accepted"] = "1"
	}
	return f, ff
}

// fileWithEvidence stores the form's file, if one was chosen, then runs create with the
// evidence ids to cite and redirects to where it says; a refusal the person can fix is shown
// through again (the form with its errors), any other error as the site's error page.
func (s *site) fileWithEvidence(c *gin.Context, f *formData, create func(ids []string) (string, error), again func(status int)) {
	id, err := s.receiveEvidence(c.Request.Context(), c, sessionOf(c).Principal)
	to := ""
	if err == nil {
		ids := []string{}
		if id != "" {
			ids = append(ids, id)
		}
		to, err = create(ids)
	}
	if err != nil {
		s.discardUpload(c, id)
		if s.answered(c, f, err) {
			return
		}
		noteLostUpload(f, id)
		again(refusalStatus(err))
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

// discardUpload removes the file a refused form stored (id, when not empty): the form is one
// submission, so its refusal leaves nothing behind. Failing to remove it is logged, not shown:
// the person's form is what they need to see.
func (s *site) discardUpload(c *gin.Context, id string) {
	if id == "" {
		return
	}
	ctx := context.WithoutCancel(c.Request.Context())
	if err := s.svc.Evidence.Discard(ctx, sessionOf(c).Principal, id); err != nil {
		s.log.WarnContext(ctx, "a refused form's upload was not removed", "evidence_id", id, "error", err)
	}
}

// platformOptions are the platforms a complaint may be filed against, for a form's picker:
// every platform (about a thousand are linked), read a page at a time, at most maxPickerPlatforms.
func (s *site) platformOptions(c *gin.Context) ([]option, error) {
	var out []option
	cursor := ""
	for len(out) < maxPickerPlatforms {
		items, next, err := s.svc.Platforms.List(c.Request.Context(), service.PlatformListFilter{}, models.Page{Limit: 100, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, p := range items {
			out = append(out, option{Value: p.ID, Label: p.Name})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, nil
}

// maxPickerPlatforms bounds the platform picker of the filing forms.
const maxPickerPlatforms = 5000

// noteLostUpload tells the person, on a refused form, that the file they chose must be chosen
// again (a browser does not send it twice), and puts an error about the files beside the file
// field.
func noteLostUpload(f *formData, id string) {
	if id != "" && f.Errors["evidence_ids"] == "" {
		f.Error += "已上传的证据需重新选择。"
	}
	if msg := f.Errors["evidence_ids"]; msg != "" && f.Errors["evidence"] == "" {
		f.Errors["evidence"] = msg
	}
}

// receiveEvidence stores the form's file, if one was chosen, through the evidence service;
// its refusals are field errors of "evidence".
func (s *site) receiveEvidence(ctx context.Context, c *gin.Context, p *models.Principal) (string, error) {
	fh, err := c.FormFile("evidence")
	if errors.Is(err, http.ErrMissingFile) || (err == nil && fh.Filename == "") {
		return "", nil
	}
	if err != nil {
		return "", models.Invalid("evidence", "could not be read")
	}
	if err := s.svc.Evidence.MayUpload(p); err != nil {
		return "", err
	}
	file, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer file.Close()
	ev, err := s.svc.Evidence.Receive(ctx, p, fh.Filename, file)
	if err != nil {
		var me *models.Error
		if errors.As(err, &me) && me.Kind == models.KindValidation {
			return "", relabel(me, "evidence")
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) || (errors.As(err, &me) && me.Kind == models.KindTooLarge) {
			return "", models.Invalid("evidence", "is too large")
		}
		if errors.As(err, &me) && me.Kind == models.KindUnsupportedMedia {
			return "", models.Invalid("evidence", "is not an accepted type")
		}
		return "", err
	}
	ev, err = s.svc.Evidence.Save(ctx, ev)
	if err != nil {
		return "", err
	}
	return ev.ID, nil
}

// relabel puts a validation error of the upload on the form's file field.
func relabel(me *models.Error, field string) error {
	msgs := make([]string, 0, len(me.Fields))
	for _, fe := range me.Fields {
		msgs = append(msgs, fe.Message)
	}
	if len(msgs) == 0 {
		msgs = append(msgs, me.Detail)
	}
	return models.Invalid(field, strings.Join(msgs, "; "))
}
