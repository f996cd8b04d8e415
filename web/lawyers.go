package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dianshubao/dianshubao/models"
)

// lawyerLine is a lawyer of the team as the public page shows them: no account, no contact.
type lawyerLine struct {
	Name, Firm, City, Bio string
	Specialties           []string
}

// lawyersView is the data of the lawyer team's page.
type lawyersView struct {
	Lawyers     []lawyerLine
	Specialties []option
}

// lawyers is the lawyer team (律师团): the active lawyers, optionally of one specialty, as
// GET /api/v1/lawyers lists them.
func (s *site) lawyers(c *gin.Context) {
	specialty := c.Query("specialty")
	key := "lawyers|" + specialty
	if _, known := models.SpecialtyLabels[models.Specialty(specialty)]; specialty != "" && !known {
		key = "" // not one of the closed set: the service refuses it, and nothing is kept
	}
	s.cached(c, key, publicMaxAge, htmlType, func() ([]byte, error) {
		items, _, err := s.svc.Lawyers.List(c.Request.Context(), specialty, true, models.Page{Limit: maxListed})
		if err != nil {
			return nil, err
		}
		v := lawyersView{Lawyers: make([]lawyerLine, 0, len(items))}
		for i := range items {
			l := &items[i]
			labels := make([]string, 0, len(l.Specialties))
			for _, sp := range l.Specialties {
				labels = append(labels, specialtyLabel(sp))
			}
			v.Lawyers = append(v.Lawyers, lawyerLine{Name: l.Name, Firm: l.Firm, City: l.City, Bio: l.Bio, Specialties: labels})
		}
		v.Specialties = append(v.Specialties, option{Value: "", Label: "全部专业", Selected: specialty == ""})
		for _, sp := range models.AllSpecialties {
			v.Specialties = append(v.Specialties, option{Value: string(sp), Label: specialtyLabel(string(sp)), Selected: string(sp) == specialty})
		}
		return renderPage("lawyers", &Page{Title: "律师团", Nav: NavLawyers, Data: v})
	})
}

func specialtyLabel(s string) string {
	if l, ok := models.SpecialtyLabels[models.Specialty(s)]; ok {
		return l
	}
	return strings.ReplaceAll(s, "_", " ")
}
