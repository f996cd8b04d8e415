package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// ComplaintByID loads a complaint with its supplements, replies and timeline, oldest first, in
// two statements.
func (s *Store) ComplaintByID(ctx context.Context, id string) (*models.Complaint, error) {
	c, err := s.ComplaintRow(ctx, id)
	if err != nil {
		return c, err
	}
	return c, s.LoadChildren(ctx, []*models.Complaint{c}, true)
}

// ComplaintRow loads a complaint's own columns, without its children.
func (s *Store) ComplaintRow(ctx context.Context, id string) (*models.Complaint, error) {
	var c models.Complaint
	err := s.conn(ctx).Where("id = ?", id).Take(&c).Error
	return &c, translate(err, "complaint")
}

// childRow is a supplement, a reply or a timeline entry as the one children query returns it.
type childRow struct {
	Kind        string
	ID          string
	ComplaintID string
	Body        string
	EvidenceIDs *string
	At          time.Time
	FromStatus  *string
	ToStatus    *string
	ActorType   *string
	PlatformID  *string
}

// LoadChildren fills the supplements and replies of the complaints, and their timelines when
// timeline is set, oldest first, in one statement whatever the number of complaints.
func (s *Store) LoadChildren(ctx context.Context, cs []*models.Complaint, timeline bool) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	byID := make(map[string]*models.Complaint, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		byID[c.ID] = c
		c.Supplements, c.Replies, c.Timeline = nil, nil, nil
	}
	q := `SELECT 's' AS kind, id, complaint_id, text AS body, evidence_ids, created_at AS at,
		NULL AS from_status, NULL AS to_status, NULL AS actor_type, NULL AS platform_id
		FROM supplements WHERE complaint_id IN ?
	UNION ALL SELECT 'r', id, complaint_id, content, evidence_ids, created_at, NULL, NULL, NULL, platform_id
		FROM replies WHERE complaint_id IN ?`
	args := []any{ids, ids}
	if timeline {
		q += `
	UNION ALL SELECT 't', id, complaint_id, note, NULL, at, from_status, to_status, actor_type, NULL
		FROM complaint_timeline WHERE complaint_id IN ?`
		args = append(args, ids)
	}
	var rows []childRow
	if err := s.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return err
	}
	// Sorted here rather than by the database: an ORDER BY over the union makes MariaDB
	// materialise it in a temporary table, which costs more than the query itself.
	slices.SortFunc(rows, func(a, b childRow) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range rows {
		c := byID[r.ComplaintID]
		if c == nil {
			continue
		}
		var ev []string
		if r.EvidenceIDs != nil && *r.EvidenceIDs != "" && *r.EvidenceIDs != "null" {
			if err := json.Unmarshal([]byte(*r.EvidenceIDs), &ev); err != nil {
				return err
			}
		}
		at := r.At.UTC()
		switch r.Kind {
		case "s":
			c.Supplements = append(c.Supplements, models.Supplement{ID: r.ID, ComplaintID: r.ComplaintID, Text: r.Body,
				EvidenceIDs: ev, CreatedAt: at})
		case "r":
			c.Replies = append(c.Replies, models.Reply{ID: r.ID, ComplaintID: r.ComplaintID, PlatformID: deref(r.PlatformID),
				Content: r.Body, EvidenceIDs: ev, CreatedAt: at})
		case "t":
			t := models.TimelineItem{ID: r.ID, ComplaintID: r.ComplaintID, At: at, To: models.Status(deref(r.ToStatus)),
				ActorType: models.Actor(deref(r.ActorType)), Note: r.Body}
			if r.FromStatus != nil {
				from := models.Status(*r.FromStatus)
				t.From = &from
			}
			c.Timeline = append(c.Timeline, t)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
