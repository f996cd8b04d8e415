package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// complaintGen draws complaints; one goroutine uses it, in day order, so that the data depend
// only on the seed and the options.
type complaintGen struct {
	r            *rand.Rand
	platforms    []*platformPlan
	cum          []float64
	order        []int
	consumers    []models.User
	merchants    []models.User
	asOf         time.Time
	autoComplete time.Duration
	lastMilli    int64
	seq          uint16
	timesBuf     []time.Time
}

// platform draws a platform by its Zipf rank.
func (g *complaintGen) platform() *platformPlan {
	x := g.r.Float64() * g.cum[len(g.cum)-1]
	rank := sort.SearchFloat64s(g.cum, x)
	if rank >= len(g.cum) {
		rank = len(g.cum) - 1
	}
	return g.platforms[g.order[rank]]
}

// times draws the filing times of a day, sorted, in whole seconds before day.end.
func (g *complaintGen) times(day dayPlan) []time.Time {
	out := g.timesBuf[:0]
	for range day.count {
		var t time.Time
		for try := 0; ; try++ {
			h := weighted(g.r, 24, func(k int) float64 { return hourWeights[k] })
			t = day.start.Add(time.Duration(h)*time.Hour + seconds(g.r, 0, time.Hour))
			if t.Before(day.end) {
				break
			}
			if try > 20 {
				t = day.start.Add(seconds(g.r, 0, day.end.Sub(day.start)))
				break
			}
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	g.timesBuf = out
	return out
}

// id is a seededID at t, with a sequence that keeps identifiers of one millisecond ordered.
func (g *complaintGen) id(t time.Time) string {
	if ms := t.UnixMilli(); ms != g.lastMilli {
		g.lastMilli, g.seq = ms, 0
	} else {
		g.seq++
	}
	return seededID(g.r, t, g.seq)
}

// life applies a complaint's status changes in order, each only if it happened before the
// as-of time: the status, version and updated_at are those of the last change applied.
type life struct {
	c    *models.Complaint
	asOf time.Time
	done bool
}

func (l *life) step(at time.Time, to models.Status) bool {
	if l.done || !at.Before(l.asOf) {
		l.done = true
		return false
	}
	if !models.CanMove(l.c.Status, to) {
		panic(fmt.Sprintf("seed: %q → %q is not a move of the state machine", l.c.Status, to))
	}
	l.c.Status = to
	l.c.UpdatedAt = at
	l.c.Version++
	return true
}

func ptr[T any](v T) *T { return &v }

// complaint draws one complaint filed at created with the given number.
func (g *complaintGen) complaint(created time.Time, number string) models.Complaint {
	r := g.r
	p := g.platform()
	c := models.Complaint{ID: g.id(created), Number: number, PlatformID: p.ID, CreatedAt: created,
		EvidenceIDs: []string{}, ContentHash: randomHex(r, 32)}
	product := pick(r, sectorProducts[p.Sector])
	refundOnly := len(g.merchants) > 0 && r.Float64() < refundOnlyShare
	if refundOnly {
		m := &g.merchants[r.IntN(len(g.merchants))]
		amount := int64(math.Exp(3.5+r.NormFloat64())*100) + 1
		amount = min(amount, 5_000_000)
		c.Channel, c.ComplainantType, c.ComplainantID = models.ChannelRefundOnly, models.RoleMerchant, m.ID
		c.Description = refundOnlyText(r, product, amount)
		c.OrderNo = ptr(fmt.Sprintf("RO%s%08d", created.In(models.ChinaTime).Format("060102"), r.IntN(100_000_000)))
		c.ProductName, c.RefundAmountFen = &product, &amount
		c.Demands = []string{"refund"}
		c.ContactName = m.RealName
		if m.ShopName != nil {
			c.ContactName += "（" + *m.ShopName + "）"
		}
		c.ContactPhone = *m.Phone
	} else {
		u := &g.consumers[r.IntN(len(g.consumers))]
		issue := issueTypes[weighted(r, len(issueTypes), func(k int) float64 { return issueTypes[k].weight })].code
		c.Channel, c.ComplainantType, c.ComplainantID = models.ChannelConsumer, models.RoleConsumer, u.ID
		amount := int64(math.Exp(5.3+1.2*r.NormFloat64())*100) + int64(r.IntN(100))
		amount = max(100, min(amount, 20_000_000))
		ct := created.In(models.ChinaTime)
		title, desc := complaintText(r, issue, product, fmtTime{int(ct.Month()), ct.Day()}, amount)
		c.IssueType, c.Title, c.Description = ptr(issue), &title, desc
		if r.IntN(10) < 9 {
			c.AmountFen = &amount
		}
		if r.IntN(100) < 85 {
			c.OrderNo = ptr(fmt.Sprintf("%d%012d", 1+r.IntN(9), r.Int64N(1_000_000_000_000)))
		}
		c.Demands = slices.Clone(issueDemands[issue])
		c.ContactName, c.ContactPhone = u.RealName, *u.Phone
	}

	l := life{c: &c, asOf: g.asOf}
	l.step(created, models.StatusPendingReview)
	// Review: a moderator within two days for consumers; at once (screening) for refund-only.
	reviewed := created
	if !refundOnly {
		reviewed = created.Add(seconds(r, 20*time.Minute, 48*time.Hour))
		switch u := r.Float64(); {
		case u < withdrawnInReview:
			l.step(created.Add(seconds(r, 10*time.Minute, 24*time.Hour)), models.StatusWithdrawn)
			return c
		case u < withdrawnInReview+rejectedOnReview:
			reason := pick(r, rejectionReasons)
			if l.step(reviewed, models.StatusRejected) {
				c.RejectionReason = ptr(string(reason))
				c.RejectionNote = ptr(models.RejectionReasonLabels[reason] + "，请补充订单截图等材料后重新提交。")
			}
			return c
		}
	} else if r.Float64() < rejectedRefundOnly {
		if l.step(reviewed, models.StatusRejected) {
			c.RejectionReason = ptr(string(models.RejectAbusiveContent))
			c.RejectionNote = ptr(models.RejectionReasonLabels[models.RejectAbusiveContent])
			c.Flags = []string{models.FlagAbusiveLanguage}
		}
		return c
	}
	if !p.reachable {
		if l.step(reviewed, models.StatusAwaitingContact) {
			c.AcceptedAt = ptr(reviewed)
			if r.Float64() < withdrawnAfter {
				l.step(reviewed.Add(seconds(r, 24*time.Hour, 20*24*time.Hour)), models.StatusWithdrawn)
			}
		}
		return c
	}
	if !l.step(reviewed, models.StatusDelivered) {
		return c
	}
	delivered := reviewed
	c.AcceptedAt, c.DeliveredAt = ptr(reviewed), &delivered

	// The first reply: never for some, and otherwise on time, late, or very late.
	var replied time.Time
	hasReply := r.Float64() >= p.neverReply
	if hasReply {
		var d time.Duration
		switch u := r.Float64(); {
		case u < p.onTime:
			// Most answer within a day; a tail up to the 72 h bound.
			d = time.Duration(float64(models.ReplyWindow) * math.Pow(r.Float64(), 2.2))
			d = max(d, 5*time.Minute)
		case u < p.onTime+p.late:
			d = models.ReplyWindow + seconds(r, 0, models.ReplyLateLimit-models.ReplyWindow)
		default:
			d = models.ReplyLateLimit + time.Duration(r.ExpFloat64()*float64(5*24*time.Hour))
			d = min(d, 60*24*time.Hour)
		}
		replied = delivered.Add(d.Truncate(time.Second))
	}
	if r.Float64() < withdrawnAfter {
		w := delivered.Add(seconds(r, time.Hour, 10*24*time.Hour))
		if !hasReply || w.Before(replied) {
			l.step(w, models.StatusWithdrawn)
			return c
		}
	}
	if !hasReply || !l.step(replied, models.StatusReplied) {
		return c
	}
	c.FirstRepliedAt = &replied
	c.ReplySeconds = ptr(int64(replied.Sub(delivered) / time.Second))

	// Completion: rated by the complainant within two weeks, or completed by the system.
	if r.Float64() < ratedShare {
		at := replied.Add(seconds(r, 30*time.Minute, 14*24*time.Hour))
		score := int(math.Round(p.scoreMean + 1.8*r.NormFloat64()))
		score = max(1, min(10, score))
		if l.step(at, models.StatusCompleted) {
			c.CompletedAt, c.RatedAt, c.RatingScore = &at, &at, &score
			if r.IntN(10) < 3 {
				band := 0
				if score >= 7 {
					band = 2
				} else if score >= 4 {
					band = 1
				}
				c.RatingComment = ptr(pick(r, ratingComments[band]))
			}
		}
		return c
	}
	at := replied.Add(g.autoComplete)
	if l.step(at, models.StatusCompleted) {
		c.CompletedAt = &at
	}
	return c
}
