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
	items, _, err := s.svc.Platforms.List(c.Request.Context(), service.PlatformListFilter{}, models.Page{Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := filingPage{Form: f, IssueTypes: labelled(models.IssueTypeLabels), Demands: labelled(models.DemandLabels), Chosen: chosen}
	for _, p := range items {
		d.Platforms = append(d.Platforms, option{Value: p.ID, Label: p.Name})
	}
	p := userPage(c, "我要投诉 - 电诉宝", d)
	s.show(c, status, "me_new", p)
}

func (s *site) newComplaintForm(c *gin.Context) {
	s.filingPage(c, http.StatusOK, newForm(sessionOf(c).CSRFToken), map[string]bool{})
}

// The filing form's text fields, as CreateComplaintRequest names them.
var filingFields = []string{"platform_id", "issue_type", "title", "description", "order_no", "amount", "contact_name", "contact_phone"}

// fileComplaint stores the attached file as POST /evidence does, then files the complaint as
// POST /complaints does; refused input comes back beside its field with the values kept.
func (s *site) fileComplaint(c *gin.Context) {
	ws := sessionOf(c)
	ctx := c.Request.Context()
	// Only consumers file here (POST /complaints's rule): a merchant's file is never stored.
	if ws.Principal.Role != models.RoleConsumer {
		writeError(c, http.StatusForbidden, "无权提交", "消费者投诉只能由消费者账号提交；商家请使用“仅退款”投诉通道。")
		return
	}
	f := newForm(ws.CSRFToken)
	for _, k := range filingFields {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	chosen := map[string]bool{}
	req := service.CreateComplaintRequest{PlatformID: f.Values["platform_id"], IssueType: f.Values["issue_type"],
		Title: f.Values["title"], Description: f.Values["description"], ContactName: f.Values["contact_name"],
		ContactPhone: f.Values["contact_phone"], Demands: c.PostFormArray("demands"), EvidenceIDs: []string{},
		DeclarationAccepted: c.PostForm("declaration_accepted") != ""}
	if req.Demands == nil {
		req.Demands = []string{}
	}
	for _, d := range req.Demands {
		chosen[d] = true
	}
	if req.DeclarationAccepted {
		f.Values["declaration_accepted"] = "1"
	}
	if v := f.Values["order_no"]; v != "" {
		req.OrderNo = &v
	}
	if v := f.Values["amount"]; v != "" {
		req.Amount = &v
	}
	id, err := s.receiveEvidence(ctx, c, ws.Principal)
	if err == nil {
		if id != "" {
			req.EvidenceIDs = append(req.EvidenceIDs, id)
		}
		_, err = s.svc.Complaints.Create(ctx, ws.Principal, req)
	}
	if err != nil {
		if !f.apply(err) {
			s.fail(c, err)
			return
		}
		if id != "" && f.Errors["evidence_ids"] == "" {
			f.Error += "已上传的证据需重新选择。"
		}
		if msg := f.Errors["evidence_ids"]; msg != "" && f.Errors["evidence"] == "" {
			f.Errors["evidence"] = msg
		}
		s.filingPage(c, http.StatusUnprocessableEntity, f, chosen)
		return
	}
	c.Redirect(http.StatusSeeOther, "/me?filed=1")
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
