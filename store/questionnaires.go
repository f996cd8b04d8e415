package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/dianshubao/dianshubao/models"
)

// CreateQuestionnaire inserts a questionnaire with its questions; a second one for the same
// campaign and audience is a duplicate (IsDuplicate).
func (s *Store) CreateQuestionnaire(ctx context.Context, q *models.Questionnaire) error {
	return s.conn(ctx).Create(q).Error
}

func orderedQuestions(db *gorm.DB) *gorm.DB { return db.Order("position") }

// QuestionnairesOf loads a campaign's questionnaires with their questions in order.
func (s *Store) QuestionnairesOf(ctx context.Context, campaignID string) ([]models.Questionnaire, error) {
	var out []models.Questionnaire
	err := s.conn(ctx).Preload("Questions", orderedQuestions).Where("campaign_id = ?", campaignID).Order("id").Find(&out).Error
	return out, err
}

// QuestionnaireOf loads one questionnaire of a campaign with its questions, or ErrNotFound.
func (s *Store) QuestionnaireOf(ctx context.Context, campaignID, id string) (*models.Questionnaire, error) {
	var q models.Questionnaire
	err := s.conn(ctx).Preload("Questions", orderedQuestions).Where("id = ? AND campaign_id = ?", id, campaignID).Take(&q).Error
	return &q, translate(err, "questionnaire")
}

// AddResponse stores an answer sheet; a second one by the same account is a duplicate
// (IsDuplicate), and then no answer is stored.
func (s *Store) AddResponse(ctx context.Context, r *models.QuestionnaireResponse, answers []models.QuestionnaireAnswer) error {
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return err
	}
	if len(answers) == 0 {
		return nil
	}
	return s.conn(ctx).CreateInBatches(answers, 200).Error
}

// AnswerTally counts a questionnaire's answers: per question the responses that answered it
// (Option and Scale nil), per option, and per scale value.
type AnswerTally struct {
	QuestionID string
	OptionID   *string
	Scale      *int
	N          int64
}

// CountResponses counts a questionnaire's responses.
func (s *Store) CountResponses(ctx context.Context, questionnaireID string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&models.QuestionnaireResponse{}).Where("questionnaire_id = ?", questionnaireID).Count(&n).Error
	return n, err
}

// TallyAnswers aggregates a questionnaire's answers in SQL.
func (s *Store) TallyAnswers(ctx context.Context, questionnaireID string) ([]AnswerTally, error) {
	var answered, chosen []AnswerTally
	err := s.conn(ctx).Model(&models.QuestionnaireAnswer{}).
		Select("question_id, COUNT(DISTINCT response_id) AS n").
		Where("questionnaire_id = ?", questionnaireID).Group("question_id").Scan(&answered).Error
	if err != nil {
		return nil, err
	}
	err = s.conn(ctx).Model(&models.QuestionnaireAnswer{}).
		Select("question_id, option_id, scale, COUNT(*) AS n").
		Where("questionnaire_id = ? AND (option_id IS NOT NULL OR scale IS NOT NULL)", questionnaireID).
		Group("question_id, option_id, scale").Scan(&chosen).Error
	return append(answered, chosen...), err
}

// AnswerTexts lists the free-text answers of a questionnaire, per question, in the order given.
func (s *Store) AnswerTexts(ctx context.Context, questionnaireID string) ([]models.QuestionnaireAnswer, error) {
	var out []models.QuestionnaireAnswer
	err := s.conn(ctx).Select("question_id, text").
		Where("questionnaire_id = ? AND text IS NOT NULL", questionnaireID).Order("id").Find(&out).Error
	return out, err
}

// EraseAnswerTextsOf deletes the free-text answers of an account's responses (an erasure): they
// may hold personal data, while its choices and scale values, which do not, keep counting.
func (s *Store) EraseAnswerTextsOf(ctx context.Context, userID string) error {
	var ids []string
	err := s.conn(ctx).Model(&models.QuestionnaireResponse{}).Where("user_id = ?", userID).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return err
	}
	return s.conn(ctx).Where("response_id IN ? AND text IS NOT NULL", ids).Delete(&models.QuestionnaireAnswer{}).Error
}
