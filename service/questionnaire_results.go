package service

import (
	"context"
	"strconv"

	"github.com/dianshubao/dianshubao/models"
	"github.com/dianshubao/dianshubao/store"
)

// QuestionnaireResult is a questionnaire's aggregated answers.
type QuestionnaireResult struct {
	ID            string           `json:"id"`
	Audience      string           `json:"audience" example:"merchant" enums:"merchant,consumer"`
	AudienceLabel string           `json:"audience_label" example:"商家"`
	Title         string           `json:"title" example:"电商平台“仅退款”商家调查问卷"`
	Responses     int64            `json:"responses" example:"20"`
	Questions     []QuestionResult `json:"questions"`
}

// QuestionResult is one question's results. Answered counts the responses that answered it;
// each option's share is its count over Answered, rounded to 4 decimals (a multiple-choice
// question's shares may add up to more than 1). A scale question lists the values 1–5 as its
// options, with their mean.
type QuestionResult struct {
	ID        string         `json:"id"`
	Position  int            `json:"position" example:"1"`
	Kind      string         `json:"kind" example:"single" enums:"single,multiple,scale,text"`
	KindLabel string         `json:"kind_label" example:"单选题"`
	Text      string         `json:"text" example:"您的店铺是否遭遇过“仅退款”？"`
	Answered  int64          `json:"answered" example:"20"`
	Options   []OptionResult `json:"options"`
	// Mean is the mean of a scale question's answers (2 decimals); null for other kinds or
	// when nobody answered.
	Mean *float64 `json:"mean" example:"3.85" extensions:"x-nullable"`
	// Texts are a free-text question's answers, in the staff view only; null otherwise.
	Texts []string `json:"texts" extensions:"x-nullable"`
}

// OptionResult is how many responses chose one option (or scale value).
type OptionResult struct {
	ID    string  `json:"id" example:"o1"`
	Label string  `json:"label" example:"遭遇过"`
	Count int64   `json:"count" example:"17"`
	Share float64 `json:"share" example:"0.85"`
}

// questionnaireResults aggregates every questionnaire of a campaign, free text included.
func questionnaireResults(ctx context.Context, st *store.Store, campaignID string) ([]QuestionnaireResult, error) {
	qs, err := st.QuestionnairesOf(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	out := make([]QuestionnaireResult, 0, len(qs))
	for i := range qs {
		r, err := questionnaireResult(ctx, st, &qs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func questionnaireResult(ctx context.Context, st *store.Store, q *models.Questionnaire) (QuestionnaireResult, error) {
	res := QuestionnaireResult{ID: q.ID, Audience: string(q.Audience), AudienceLabel: models.AudienceLabels[q.Audience],
		Title: q.Title, Questions: []QuestionResult{}}
	var err error
	if res.Responses, err = st.CountResponses(ctx, q.ID); err != nil {
		return res, err
	}
	tallies, err := st.TallyAnswers(ctx, q.ID)
	if err != nil {
		return res, err
	}
	texts, err := st.AnswerTexts(ctx, q.ID)
	if err != nil {
		return res, err
	}
	for _, qq := range q.Questions {
		qr := QuestionResult{ID: qq.ID, Position: qq.Position, Kind: string(qq.Kind), KindLabel: models.QuestionKindLabels[qq.Kind],
			Text: qq.Text, Options: []OptionResult{}}
		counts := map[string]int64{}
		for _, t := range tallies {
			switch {
			case t.QuestionID != qq.ID:
			case t.OptionID != nil:
				counts[*t.OptionID] += t.N
			case t.Scale != nil:
				counts[strconv.Itoa(*t.Scale)] += t.N
			default:
				qr.Answered = t.N
			}
		}
		share := func(n int64) float64 {
			if qr.Answered == 0 {
				return 0
			}
			return models.RoundTo(float64(n)/float64(qr.Answered), 4)
		}
		switch qq.Kind {
		case models.QuestionSingle, models.QuestionMultiple:
			for _, o := range qq.Options {
				qr.Options = append(qr.Options, OptionResult{ID: o.ID, Label: o.Label, Count: counts[o.ID], Share: share(counts[o.ID])})
			}
		case models.QuestionScale:
			var sum int64
			for s := models.ScaleMin; s <= models.ScaleMax; s++ {
				k := strconv.Itoa(s)
				sum += int64(s) * counts[k]
				qr.Options = append(qr.Options, OptionResult{ID: k, Label: k + "分", Count: counts[k], Share: share(counts[k])})
			}
			if qr.Answered > 0 {
				m := models.RoundTo(float64(sum)/float64(qr.Answered), 2)
				qr.Mean = &m
			}
		case models.QuestionText:
			qr.Texts = []string{}
			for _, t := range texts {
				if t.QuestionID == qq.ID && t.Text != nil {
					qr.Texts = append(qr.Texts, *t.Text)
				}
			}
		}
		res.Questions = append(res.Questions, qr)
	}
	return res, nil
}
