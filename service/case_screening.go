package service

import (
	"fmt"

	"github.com/dianshubao/dianshubao/models"
)

// screenCase refuses a case whose texts or tags hold a term of the screening list (422, the
// fields named with where the term stands): a typical case is public, and abusive wording is
// not published, whoever wrote it — the complainant's own words carried into the draft, or the
// staff's edit.
func (cs *Cases) screenCase(k *models.Case) error { return screenCaseWith(k, cs.complaints.screen) }

// screenCaseWith is screenCase with the list screen.
func screenCaseWith(k *models.Case, screen TextScreener) error {
	var v models.Validator
	for _, f := range models.CaseFields {
		refuseListed(&v, screen, f, k.Text(f))
	}
	for i, t := range k.Tags {
		refuseListed(&v, screen, fmt.Sprintf("%s[%d]", models.CaseFieldTags, i), t)
	}
	return v.Err()
}
