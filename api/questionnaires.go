package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/service"
)

type questionnairesHandler struct {
	svc *service.Questionnaires
}

// QuestionnaireView is a campaign's questionnaire (问卷) with its questions.
type QuestionnaireView struct {
	ID            string         `json:"id"`
	CampaignID    string         `json:"campaign_id"`
	Audience      string         `json:"audience" example:"merchant" enums:"merchant,consumer"`
	AudienceLabel string         `json:"audience_label" example:"商家"`
	Title         string         `json:"title" example:"电商平台“仅退款”商家调查问卷"`
	CreatedAt     string         `json:"created_at" format:"date-time"`
	Questions     []QuestionView `json:"questions"`
}

// QuestionView is one question; options are empty for scale (1–5) and text questions.
type QuestionView struct {
	ID        string       `json:"id"`
	Position  int          `json:"position" example:"1"`
	Kind      string       `json:"kind" example:"single" enums:"single,multiple,scale,text"`
	KindLabel string       `json:"kind_label" example:"单选题"`
	Text      string       `json:"text" example:"您的店铺是否遭遇过“仅退款”？"`
	Required  bool         `json:"required"`
	Options   []OptionView `json:"options"`
}

// OptionView is one option of a choice question.
type OptionView struct {
	ID    string `json:"id" example:"o1"`
	Label string `json:"label" example:"遭遇过"`
}

// ResponseView acknowledges an answer sheet.
type ResponseView struct {
	ID              string `json:"id"`
	QuestionnaireID string `json:"questionnaire_id"`
	CreatedAt       string `json:"created_at" format:"date-time"`
}

func questionnaireView(q *models.Questionnaire) QuestionnaireView {
	v := QuestionnaireView{ID: q.ID, CampaignID: q.CampaignID, Audience: string(q.Audience), AudienceLabel: models.AudienceLabels[q.Audience],
		Title: q.Title, CreatedAt: service.Ts(q.CreatedAt), Questions: make([]QuestionView, len(q.Questions))}
	for i, qq := range q.Questions {
		opts := make([]OptionView, len(qq.Options))
		for j, o := range qq.Options {
			opts[j] = OptionView{ID: o.ID, Label: o.Label}
		}
		v.Questions[i] = QuestionView{ID: qq.ID, Position: qq.Position, Kind: string(qq.Kind), KindLabel: models.QuestionKindLabels[qq.Kind],
			Text: qq.Text, Required: qq.Required, Options: opts}
	}
	return v
}

// QuestionnaireList is a campaign's questionnaires.
type QuestionnaireList struct {
	Data []QuestionnaireView `json:"data"`
}

// list godoc
//
//	@Summary		A campaign's questionnaires (问卷)
//	@Description	Its questionnaires (at most one per audience) with their questions, to be answered by logged-in merchants or consumers as `audience` says. Public and cacheable (`Cache-Control`, `ETag`).
//	@Tags			campaigns
//	@ID				listCampaignQuestionnaires
//	@Produce		json,application/problem+json
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	QuestionnaireList
//	@Success		304	"not modified"
//	@Failure		404	{object}	Problem
//	@Failure		503	{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500	{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/campaigns/{id}/questionnaires [get]
func (h *questionnairesHandler) list(c *gin.Context) {
	qs, err := h.svc.List(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeProblem(c, err)
		return
	}
	out := QuestionnaireList{Data: make([]QuestionnaireView, len(qs))}
	for i := range qs {
		out.Data[i] = questionnaireView(&qs[i])
	}
	writeCacheable(c, out, publicMaxAge)
}

// create godoc
//
//	@Summary		Add a questionnaire to a campaign
//	@Description	Staff, while the campaign is planned or open (else 409 `invalid_state`, as is a second questionnaire for the same audience). Questions are `single` or `multiple` choice (2–20 options, given ids o1, o2 … in order), `scale` (1–5) or `text` (free text, shown to staff only); `required` ones must be answered.
//	@Tags			admin
//	@ID				createCampaignQuestionnaire
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string								true	"campaign id"
//	@Param			body			body		service.CreateQuestionnaireRequest	true	"the questionnaire"
//	@Param			Idempotency-Key	header		string								false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	QuestionnaireView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"invalid_state: the campaign is closed or reported, or has a questionnaire for this audience; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/admin/campaigns/{id}/questionnaires [post]
func (h *questionnairesHandler) create(c *gin.Context) {
	var req service.CreateQuestionnaireRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id := principal(c), c.Param("id")
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.Questionnaire, error) {
		return h.svc.Create(ctx, p, id, req)
	}, func(q *models.Questionnaire) any { return questionnaireView(q) })
}

// respond godoc
//
//	@Summary		Answer a questionnaire
//	@Description	A logged-in merchant or consumer, for a questionnaire of their audience (another audience is 403), while the campaign is open (else 409 `invalid_state`); once per account (a second answer sheet is 409 `already_answered`). Each answer names its `question_id` and gives `option_ids` (single choice: exactly one), `scale` (1–5) or `text` (1–2000 characters) as the question's kind asks; unknown questions or options, a value out of range or a required question left out are 422 naming the field.
//	@Tags			campaigns
//	@ID				answerQuestionnaire
//	@Accept			json
//	@Produce		json,application/problem+json
//	@Security		BearerAuth
//	@Param			id				path		string					true	"campaign id"
//	@Param			qid				path		string					true	"questionnaire id"
//	@Param			body			body		service.RespondRequest	true	"the answers"
//	@Param			Idempotency-Key	header		string					false	"optional, at most 255 printable characters, scoped to the caller, method and path: the same key and body within 24 h replay the first answer (same status and bytes, with Idempotent-Replayed: true), another body is 422 idempotency_key_reused; a refused request (4xx) is not recorded and may be corrected and sent again with the same key"
//	@Success		201				{object}	ResponseView
//	@Failure		400				{object}	Problem	"malformed_json, unreadable_body"
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem	"forbidden: not a merchant or consumer, or not the questionnaire's audience"
//	@Failure		404				{object}	Problem
//	@Failure		408				{object}	Problem	"request_timeout: the body did not arrive in time"
//	@Failure		409				{object}	Problem	"already_answered; invalid_state: the campaign is not open; idempotency_key_in_use, idempotency_key_unusable"
//	@Failure		413				{object}	Problem	"body_too_large"
//	@Failure		415				{object}	Problem	"unsupported_media_type: send application/json"
//	@Failure		422				{object}	Problem	"validation_failed (fields named), unknown_field; idempotency_key_reused"
//	@Failure		429				{object}	Problem	"rate_limited: see Retry-After"
//	@Failure		503				{object}	Problem	"service_unavailable: the database cannot be reached; see Retry-After"
//	@Failure		500				{object}	Problem	"internal_error: an unexpected failure; quote request_id to support"
//	@Router			/api/v1/campaigns/{id}/questionnaires/{qid}/responses [post]
func (h *questionnairesHandler) respond(c *gin.Context) {
	var req service.RespondRequest
	if err := bindJSON(c, &req); err != nil {
		writeProblem(c, err)
		return
	}
	p, id, qid := principal(c), c.Param("id"), c.Param("qid")
	respondCommand(c, http.StatusCreated, func(ctx context.Context) (*models.QuestionnaireResponse, error) {
		return h.svc.Respond(ctx, p, id, qid, req)
	}, func(r *models.QuestionnaireResponse) any {
		return ResponseView{ID: r.ID, QuestionnaireID: r.QuestionnaireID, CreatedAt: service.Ts(r.CreatedAt)}
	})
}
