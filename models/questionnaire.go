package models

import "time"

// Audience is who answers a questionnaire (问卷).
type Audience string

// The audiences of a questionnaire.
const (
	AudienceMerchant Audience = "merchant"
	AudienceConsumer Audience = "consumer"
)

// AudienceLabels are the audiences in Chinese.
var AudienceLabels = map[Audience]string{AudienceMerchant: "商家", AudienceConsumer: "消费者"}

// Role is the account role that answers for the audience.
func (a Audience) Role() Role { return Role(a) }

// QuestionKind is the form of a question's answer.
type QuestionKind string

// The kinds of question.
const (
	QuestionSingle   QuestionKind = "single"   // one option
	QuestionMultiple QuestionKind = "multiple" // one or more options
	QuestionScale    QuestionKind = "scale"    // a whole number from ScaleMin to ScaleMax
	QuestionText     QuestionKind = "text"     // free text, shown to staff only
)

// QuestionKindLabels are the kinds in Chinese.
var QuestionKindLabels = map[QuestionKind]string{
	QuestionSingle:   "单选题",
	QuestionMultiple: "多选题",
	QuestionScale:    "量表题（1–5分）",
	QuestionText:     "填空题",
}

// The bounds of a scale answer.
const (
	ScaleMin = 1
	ScaleMax = 5
)

// HasOptions reports whether answers choose among listed options.
func (k QuestionKind) HasOptions() bool { return k == QuestionSingle || k == QuestionMultiple }

// Questionnaire is a campaign's questionnaire for one audience; a campaign has at most one
// per audience.
type Questionnaire struct {
	ID         string     `gorm:"primaryKey;size:40"`
	CampaignID string     `gorm:"size:40;not null;uniqueIndex:idx_questionnaires_audience,priority:1"`
	Audience   Audience   `gorm:"size:16;not null;uniqueIndex:idx_questionnaires_audience,priority:2"`
	Title      string     `gorm:"size:400;not null"`
	CreatedAt  time.Time  `gorm:"not null"`
	Questions  []Question `gorm:"foreignKey:QuestionnaireID"`
}

// Question is one question; Options are set for single and multiple choice only.
type Question struct {
	ID              string           `gorm:"primaryKey;size:40"`
	QuestionnaireID string           `gorm:"size:40;not null;index"`
	Position        int              `gorm:"not null"`
	Kind            QuestionKind     `gorm:"size:16;not null"`
	Text            string           `gorm:"size:1000;not null"`
	Required        bool             `gorm:"not null"`
	Options         []QuestionOption `gorm:"serializer:json;type:text"`
}

// QuestionOption is one option of a choice question; its id is unique within the question.
type QuestionOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// HasOption reports whether id names one of the question's options.
func (q *Question) HasOption(id string) bool {
	for _, o := range q.Options {
		if o.ID == id {
			return true
		}
	}
	return false
}

// QuestionnaireResponse is one account's answer sheet; an account answers a questionnaire once.
type QuestionnaireResponse struct {
	ID              string    `gorm:"primaryKey;size:40"`
	QuestionnaireID string    `gorm:"size:40;not null;uniqueIndex:idx_questionnaire_responses_user,priority:1"`
	UserID          string    `gorm:"size:40;not null;uniqueIndex:idx_questionnaire_responses_user,priority:2"`
	CreatedAt       time.Time `gorm:"not null"`
}

// QuestionnaireAnswer is one answer of a response: one row per chosen option, one for a scale
// value or a text. The rows are what the results aggregate.
type QuestionnaireAnswer struct {
	ID              string  `gorm:"primaryKey;size:40"`
	ResponseID      string  `gorm:"size:40;not null;index"`
	QuestionnaireID string  `gorm:"size:40;not null;index"`
	QuestionID      string  `gorm:"size:40;not null;index"`
	OptionID        *string `gorm:"size:40"`
	Scale           *int    ``
	Text            *string `gorm:"type:text"`
}
