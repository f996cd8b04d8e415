package report

import (
	"strconv"

	"github.com/dianshubao/dianshubao/models"
)

// links lists the period's typical cases and campaigns, each section only when it has any; a
// line wraps, however long its title.
func (w *writer) links(r *models.Report) {
	if len(r.Cases) > 0 {
		w.heading("典型案例")
		for i, c := range r.Cases {
			day := chinaTime(c.PublishedAt)
			day = day[:min(len(day), 10)]
			w.text(9.5, strconv.Itoa(i+1)+". "+c.Title+"（"+c.PlatformName+"，"+day+" 发布）")
			w.d.Ln(1)
		}
	}
	if len(r.Campaigns) > 0 {
		w.heading("调查行动")
		for i, c := range r.Campaigns {
			w.text(9.5, strconv.Itoa(i+1)+". "+c.Title+"（"+c.StartDate+" 至 "+c.EndDate+"，"+c.StatusLabel+"）")
			w.d.Ln(1)
		}
	}
}
