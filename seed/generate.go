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
