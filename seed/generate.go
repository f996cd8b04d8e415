package seed

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/dianshubao/dianshubao/models"
)

// The shape of the synthetic data. Shares are of all complaints unless said otherwise.
const (
	refundOnlyShare    = 0.10 // the merchants' refund-only channel; the rest is the consumer channel
	withdrawnInReview  = 0.02 // consumer complaints withdrawn before review
	rejectedOnReview   = 0.06 // consumer complaints refused by a moderator
	rejectedRefundOnly = 0.03 // refund-only complaints refused by screening (abusive_content)
	withdrawnAfter     = 0.03 // delivered complaints withdrawn before the platform replies
	ratedShare         = 0.40 // replied complaints the complainant rates (the rest auto-complete)
	zipfExponent       = 1.0  // complaint volume of the platform of rank k ∝ 1/(k+1)^s
	alwaysRateable     = 10   // the largest platforms (at most a tenth) are always onboarded with a contact
)

// platformPlan is a platform with the hidden traits that shape its complaints.
type platformPlan struct {
	models.Platform
	// reachable: complaints are delivered to it (onboarded, and a contact or an API key).
	reachable bool
	// apiKey: onboarded without an after-sales contact, reachable through an API key, so it is
	// listed as unrated (不予评级).
	apiKey bool
	// quality in [0, 1] drives reply rate, reply delays and scores.
	quality float64
	// Per-platform draws from quality.
	neverReply, onTime, late, scoreMean float64
}

// dayPlan is one China-time calendar day of the range and the complaints filed on it.
type dayPlan struct {
	start, end time.Time // UTC; end is clamped to the as-of time on the last day
	key        string    // yyyymmdd, the day part of complaint numbers
	count      int
	base       int64 // numbers of the day already taken: ours are base+1 … base+count
}

// newRand is a PCG stream of the seed; each kind of data draws from its own stream, so that
// adding platforms does not change the accounts, and so on.
func newRand(seed uint64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream))
}

// Streams of newRand.
const (
	streamPlatforms = 1
	streamAccounts  = 2
	streamDays      = 3
	// streamComplaints + the number of complaints already in the database, so that every
	// --append run draws new identifiers.
	streamComplaints = 1 << 32
)

// seededID has the layout of models.NewID — 48 bits of milliseconds, 16 bits of sequence, 64
// random bits — at a time of the synthetic data, so identifiers sort by creation time as
// the service's own do.
func seededID(r *rand.Rand, t time.Time, seq uint16) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16|uint64(seq))
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	return hex.EncodeToString(b[:])
}

// randomHex is n random bytes in hex.
func randomHex(r *rand.Rand, n int) string {
	b := make([]byte, 0, n+8)
	for len(b) < n {
		b = binary.BigEndian.AppendUint64(b, r.Uint64())
	}
	return hex.EncodeToString(b[:n])
}

// seconds draws a whole number of seconds in [lo, hi).
func seconds(r *rand.Rand, lo, hi time.Duration) time.Duration {
	s := int64(lo / time.Second)
	span := int64((hi - lo) / time.Second)
	if span <= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Duration(s+r.Int64N(span)) * time.Second
}

// planPlatforms draws n platforms: unique names, slugs p0001…, sectors, tags, contacts and a
// Zipf rank. It returns them in slug order with the cumulative weights by rank and the
// platform index of each rank.
func planPlatforms(seed uint64, n int, from time.Time) ([]*platformPlan, []float64, []int) {
	r := newRand(seed, streamPlatforms)
	// rankOf[i] is platform i's place in complaint volume (0 is the largest).
	order := r.Perm(n)
	rankOf := make([]int, n)
	for rank, i := range order {
		rankOf[i] = rank
	}
	width := max(4, len(strconv.Itoa(n)))
	names := make(map[string]bool, n)
	out := make([]*platformPlan, n)
	for i := range n {
		sector := sectorWeights[weighted(r, len(sectorWeights), func(k int) float64 { return sectorWeights[k].weight })].sector
		name := ""
		// Names are kept apart as the service keeps them: by their normalised key.
		for attempt := 0; name == "" || names[models.PlatformNameKey(name)]; attempt++ {
			name = platformName(r, sector, attempt)
			if attempt > 50 {
				name += strconv.Itoa(i + 1)
			}
		}
		names[models.PlatformNameKey(name)] = true
		slug := fmt.Sprintf("p%0*d", width, i+1)
		created := from.Add(-seconds(r, 30*24*time.Hour, 720*24*time.Hour))
		p := &platformPlan{Platform: models.Platform{ID: seededID(r, created, uint16(i)), Name: name, Slug: slug,
			Sector: sector, Tags: []string{}, CreatedAt: created, UpdatedAt: created}}
		p.SetName(name)
		tags := slices.Clone(sectorTags[sector])
		r.Shuffle(len(tags), func(a, b int) { tags[a], tags[b] = tags[b], tags[a] })
		p.Tags = append(p.Tags, tags[:r.IntN(4)]...)

		// About 85 % onboarded with an after-sales contact; of the rest, half onboarded with only
		// an API key (reachable, listed unrated), half not onboarded (complaints wait).
		state := r.Float64()
		if rankOf[i] < min(alwaysRateable, n/10) {
			state = 0
		}
		contact := func() {
			if r.IntN(10) < 7 {
				ph := fmt.Sprintf("400-%03d-%04d", r.IntN(1000), r.IntN(10000))
				p.AfterSalesPhone = &ph
			}
			if p.AfterSalesPhone == nil || r.IntN(2) == 0 {
				em := "kefu@" + slug + ".example.cn"
				p.AfterSalesEmail = &em
			}
		}
		switch {
		case state < 0.85:
			p.Onboarded, p.reachable = true, true
			contact()
		case state < 0.925:
			p.Onboarded, p.reachable, p.apiKey = true, true, true
		default:
			if r.IntN(2) == 0 {
				contact()
			}
		}
		p.quality = (r.Float64() + r.Float64() + r.Float64() + r.Float64()) / 4
		p.quality = min(1, max(0, 0.5+(p.quality-0.5)*1.6))
		p.neverReply = 0.02 + 0.52*math.Pow(1-p.quality, 3)
		p.onTime = 0.3 + 0.65*p.quality
		p.late = (1 - p.onTime) * 0.55
		p.scoreMean = 2.5 + 6.5*p.quality
		out[i] = p
	}
	cum := make([]float64, n)
	total := 0.0
	for rank := range n {
		total += 1 / math.Pow(float64(rank+1), zipfExponent)
		cum[rank] = total
	}
	return out, cum, order
}

// The hour-of-day profile of filings, China time: quiet at night, busiest in the evening.
var hourWeights = [24]float64{0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.6, 2, 2.2, 2.2, 2, 2, 2.1, 2.1, 2, 1.9, 1.9, 2.2, 2.5, 2.4, 1.6, 0.8}

// planDays spreads total complaints over the China-time days from from to to (exclusive),
// weighted by a mild growth, weekends, and the 618 and 双11 shopping festivals. The split is
// exact (largest remainders) and draws nothing at random.
func planDays(from, to time.Time, total int) []dayPlan {
	var days []dayPlan
	var weights []float64
	span := to.Sub(from).Hours()
	for d := from.In(models.ChinaTime); d.Before(to); d = d.AddDate(0, 0, 1) {
		start := d.UTC()
		end := d.AddDate(0, 0, 1).UTC()
		if end.After(to) {
			end = to
		}
		w := 0.8 + 0.4*start.Sub(from).Hours()/span
		switch d.Weekday() {
		case time.Saturday, time.Sunday:
			w *= 1.15
		}
		switch {
		case d.Month() == time.November && d.Day() >= 11 && d.Day() <= 20:
			w *= 1.8
		case d.Month() == time.June && d.Day() >= 18 && d.Day() <= 25:
			w *= 1.4
		}
		w *= end.Sub(start).Hours() / 24
		days = append(days, dayPlan{start: start, end: end, key: d.Format("20060102")})
		weights = append(weights, w)
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	type rem struct {
		i    int
		frac float64
	}
	rems := make([]rem, len(days))
	given := 0
	for i, w := range weights {
		exact := float64(total) * w / sum
		days[i].count = int(exact)
		given += days[i].count
		rems[i] = rem{i, exact - float64(days[i].count)}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].frac > rems[b].frac })
	for k := 0; given < total; k++ {
		days[rems[k%len(rems)].i].count++
		given++
	}
	return days
}

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
