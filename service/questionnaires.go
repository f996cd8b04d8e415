package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// The bounds of a questionnaire.
const (
	questionnaireMaxQuestions = 50
	questionMaxOptions        = 20
	answerTextMax             = 2000
)

// QuestionRequest is one question of a new questionnaire. Options (2–20 labels) are for
// single and multiple choice only; their ids are o1, o2 … in the order given.
type QuestionRequest struct {
	Kind     string   `json:"kind" example:"single" enums:"single,multiple,scale,text"`
	Text     string   `json:"text" example:"您的店铺是否遭遇过“仅退款”？" maxLength:"500"`
	Required bool     `json:"required" example:"true"`
	Options  []string `json:"options" example:"遭遇过" maxItems:"20"`
}

// CreateQuestionnaireRequest is the body of POST /admin/campaigns/{id}/questionnaires.
type CreateQuestionnaireRequest struct {
	Audience  string            `json:"audience" example:"merchant" enums:"merchant,consumer"`
	Title     string            `json:"title" example:"电商平台“仅退款”商家调查问卷" maxLength:"200"`
	Questions []QuestionRequest `json:"questions" minItems:"1" maxItems:"50"`
}

// AnswerRequest answers one question: option_ids for choice questions (one for single),
// scale for a scale, text for free text; the others left out.
type AnswerRequest struct {
	QuestionID string   `json:"question_id"`
	OptionIDs  []string `json:"option_ids,omitempty" validate:"optional" example:"o1"`
	Scale      *int     `json:"scale,omitempty" validate:"optional" extensions:"x-nullable" example:"4" minimum:"1" maximum:"5"`
	Text       *string  `json:"text,omitempty" validate:"optional" extensions:"x-nullable" example:"平台应要求买家上传凭证后再退款。" maxLength:"2000"`
}

// RespondRequest is the body of POST /campaigns/{id}/questionnaires/{qid}/responses.
type RespondRequest struct {
	Answers []AnswerRequest `json:"answers" maxItems:"50"`
}

// Questionnaires lets staff give a campaign questionnaires and merchants and consumers answer
// them, once each.
type Questionnaires struct {
	st    *store.Store
	clock Clock
}

// Create adds a questionnaire to a campaign that is planned or open; a second one for the same
// audience is 409 invalid_state.
func (qs *Questionnaires) Create(ctx context.Context, p *models.Principal, campaignID string, req CreateQuestionnaireRequest) (*models.Questionnaire, error) {
	if !isStaff(p) {
		return nil, models.ErrForbidden
	}
	var v models.Validator
	audience := models.Audience(req.Audience)
	if _, ok := models.AudienceLabels[audience]; !ok {
		v.Add("audience", "must be merchant or consumer")
	}
	v.Text("title", req.Title, 2, 200)
	if len(req.Questions) == 0 || len(req.Questions) > questionnaireMaxQuestions {
		v.Add("questions", "must list 1 to %d questions", questionnaireMaxQuestions)
	}
	q := &models.Questionnaire{ID: models.NewID(), CampaignID: campaignID, Audience: audience,
		Title: strings.TrimSpace(req.Title), CreatedAt: now(qs.clock)}
	for i, qr := range req.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		kind := models.QuestionKind(qr.Kind)
		if _, ok := models.QuestionKindLabels[kind]; !ok {
			v.Add(f+".kind", "must be single, multiple, scale or text")
		}
		v.Text(f+".text", qr.Text, 2, 500)
		question := models.Question{ID: models.NewID(), QuestionnaireID: q.ID, Position: i + 1, Kind: kind,
			Text: strings.TrimSpace(qr.Text), Required: qr.Required, Options: []models.QuestionOption{}}
		switch {
		case kind.HasOptions() && (len(qr.Options) < 2 || len(qr.Options) > questionMaxOptions):
			v.Add(f+".options", "must list 2 to %d options", questionMaxOptions)
		case !kind.HasOptions() && len(qr.Options) > 0:
			v.Add(f+".options", "must be empty: only single and multiple choice questions have options")
		}
		for j, label := range qr.Options {
			v.Text(fmt.Sprintf("%s.options[%d]", f, j), label, 1, 200)
			question.Options = append(question.Options, models.QuestionOption{ID: fmt.Sprintf("o%d", j+1), Label: strings.TrimSpace(label)})
		}
		q.Questions = append(q.Questions, question)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return command(ctx, qs.st, func(tx *store.Store) (*models.Questionnaire, error) {
		status, err := tx.CampaignStatusShared(ctx, campaignID)
		if err != nil {
			return nil, err
		}
		if status != models.CampaignPlanned && status != models.CampaignOpen {
			return nil, models.Conflict("invalid_state", "the campaign is %s: questionnaires are added while it is planned or open", status)
		}
		if err := tx.CreateQuestionnaire(ctx, q); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("invalid_state", "the campaign has a questionnaire for %s already", audience)
			}
			return nil, err
		}
		return q, nil
	})
}

// List lists a campaign's questionnaires with their questions.
func (qs *Questionnaires) List(ctx context.Context, campaignID string) ([]models.Questionnaire, error) {
	if len(campaignID) > 64 {
		return nil, models.NotFound("campaign")
	}
	if _, err := qs.st.CampaignByID(ctx, campaignID); err != nil {
		return nil, err
	}
	return qs.st.QuestionnairesOf(ctx, campaignID)
}

// Respond stores a merchant's or consumer's answers to a questionnaire for their audience,
// while the campaign is open; a second answer sheet is 409 already_answered.
func (qs *Questionnaires) Respond(ctx context.Context, p *models.Principal, campaignID, id string, req RespondRequest) (*models.QuestionnaireResponse, error) {
	if p == nil || p.Kind != models.PrincipalPerson || (p.Role != models.RoleConsumer && p.Role != models.RoleMerchant) {
		return nil, models.ErrForbidden
	}
	if len(campaignID) > 64 || len(id) > 64 {
		return nil, models.NotFound("questionnaire")
	}
	q, err := qs.st.QuestionnaireOf(ctx, campaignID, id)
	if err != nil {
		return nil, err
	}
	if q.Audience.Role() != p.Role {
		return nil, &models.Error{Kind: models.KindForbidden, Code: "forbidden",
			Detail: fmt.Sprintf("this questionnaire is for %s (%s)", q.Audience, models.AudienceLabels[q.Audience])}
	}
	r := &models.QuestionnaireResponse{ID: models.NewID(), QuestionnaireID: q.ID, UserID: p.UserID, CreatedAt: now(qs.clock)}
	answers, err := validateAnswers(q, r.ID, req)
	if err != nil {
		return nil, err
	}
	return command(ctx, qs.st, func(tx *store.Store) (*models.QuestionnaireResponse, error) {
		if err := stillOpen(ctx, tx, campaignID, "questionnaires are answered"); err != nil {
			return nil, err
		}
		if err := tx.AddResponse(ctx, r, answers); err != nil {
			if store.IsDuplicate(err) {
				return nil, models.Conflict("already_answered", "you have answered this questionnaire already")
			}
			return nil, err
		}
		return r, nil
	})
}

// validateAnswers checks an answer sheet against the questions and returns its rows.
func validateAnswers(q *models.Questionnaire, responseID string, req RespondRequest) ([]models.QuestionnaireAnswer, error) {
	var v models.Validator
	var rows []models.QuestionnaireAnswer
	answered := map[string]bool{}
	row := func(qid string) models.QuestionnaireAnswer {
		return models.QuestionnaireAnswer{ID: models.NewID(), ResponseID: responseID, QuestionnaireID: q.ID, QuestionID: qid}
	}
	for i, a := range req.Answers {
		f := fmt.Sprintf("answers[%d]", i)
		j := slices.IndexFunc(q.Questions, func(qq models.Question) bool { return qq.ID == a.QuestionID })
		if j < 0 || answered[a.QuestionID] {
			v.Add(f+".question_id", "is not a question of this questionnaire, or is answered twice")
			continue
		}
		answered[a.QuestionID] = true
		qq := &q.Questions[j]
		if (len(a.OptionIDs) > 0) != qq.Kind.HasOptions() || (a.Scale != nil) != (qq.Kind == models.QuestionScale) ||
			(a.Text != nil) != (qq.Kind == models.QuestionText) {
			v.Add(f, "a %s question is answered with %s only", qq.Kind, map[models.QuestionKind]string{models.QuestionSingle: "option_ids (one)",
				models.QuestionMultiple: "option_ids", models.QuestionScale: "scale", models.QuestionText: "text"}[qq.Kind])
			continue
		}
		switch qq.Kind {
		case models.QuestionSingle, models.QuestionMultiple:
			if qq.Kind == models.QuestionSingle && len(a.OptionIDs) != 1 {
				v.Add(f+".option_ids", "must name exactly one option")
				continue
			}
			for k, o := range a.OptionIDs {
				if !qq.HasOption(o) || slices.Index(a.OptionIDs, o) < k {
					v.Add(fmt.Sprintf("%s.option_ids[%d]", f, k), "is not an option of the question, or is named twice")
					continue
				}
				r := row(qq.ID)
				r.OptionID = &o
				rows = append(rows, r)
			}
		case models.QuestionScale:
			if *a.Scale < models.ScaleMin || *a.Scale > models.ScaleMax {
				v.Add(f+".scale", "must be a whole number from %d to %d", models.ScaleMin, models.ScaleMax)
				continue
			}
			r := row(qq.ID)
			r.Scale = a.Scale
			rows = append(rows, r)
		case models.QuestionText:
			if v.Text(f+".text", *a.Text, 1, answerTextMax) {
				t := strings.TrimSpace(*a.Text)
				r := row(qq.ID)
				r.Text = &t
				rows = append(rows, r)
			}
		}
	}
	for _, qq := range q.Questions {
		if qq.Required && !answered[qq.ID] {
			v.Add("answers", "question %d (%s) is required", qq.Position, qq.ID)
		}
	}
	return rows, v.Err()
}
