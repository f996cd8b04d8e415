package models

import (
	"math"
	"math/big"
	"strconv"
	"time"
)

// RatingFormulaVersion names the rating algorithm of API.md 7; every rating list reports it.
// It must change whenever the formula, its weights, the timeliness buckets, the grade bounds or
// the rounding change, so that numbers computed under different rules are never compared.
const RatingFormulaVersion = "2024.2"

// The grades of a platform (API.md 7.6 and 7.7).
const (
	GradeNotRecommended = "not_recommended" // index in [0, 0.4)
	GradeCaution        = "caution"         // index in [0.4, 0.75)
	GradeRecommended    = "recommended"     // index in [0.75, 1]
	GradeUnrated        = "unrated"         // not onboarded or no after-sales contact
)

// GradeLabels are the grades as the rating list shows them.
var GradeLabels = map[string]string{
	GradeNotRecommended: "不建议下单",
	GradeCaution:        "谨慎下单",
	GradeRecommended:    "建议下单",
	GradeUnrated:        "不予评级",
}

// ReplyLateLimit is how long after delivery a reply still earns the partial timeliness score;
// ReplyWindow (72 h) bounds the full score.
const ReplyLateLimit = 120 * time.Hour

// The timeliness scores. Every one is a whole number of tenths, which ComputeRating relies on.
const (
	TimelinessOnTime = 1.0 // replied in under 72 h
	TimelinessLate   = 0.6 // replied in 72 h or more, under 120 h
	TimelinessMissed = 0.0 // replied in 120 h or more
)

// TimelinessScore scores the time from delivery to the first reply (回复时效性): under 72 h
// → 1.0, from 72 h up to but excluding 120 h → 0.6, 120 h or more → 0. A negative duration
// (clock skew) counts as on time.
func TimelinessScore(d time.Duration) float64 {
	switch {
	case d < ReplyWindow:
		return TimelinessOnTime
	case d < ReplyLateLimit:
		return TimelinessLate
	}
	return TimelinessMissed
}

// RatingCounts are the aggregates of one platform's population for a period and channel.
type RatingCounts struct {
	ComplaintCount int64
	RepliedCount   int64
	RatedCount     int64
	// TimelinessSum is the sum of TimelinessScore over the replied complaints. It is read to the
	// nearest tenth (every score is a whole number of tenths), so the error a database or a loop
	// accumulates adding 0.6 many times does not reach the result.
	TimelinessSum float64
	// ScoreSum is the sum of the 1–10 scores of the rated complaints.
	ScoreSum int64
}

// RatingResult is a platform's rating: ratios rounded to 4 decimals, satisfaction to 2, the
// index to 4. Satisfaction is nil when no complaint was rated; Index is nil when unrated.
type RatingResult struct {
	ReplyRate    float64
	Timeliness   float64
	Satisfaction *float64
	Index        *float64
	Grade        string
}

// The weights of the index, as exact fractions.
var (
	weightReplyRate    = big.NewRat(1, 2)  // reply_rate × 0.5
	weightTimeliness   = big.NewRat(3, 10) // timeliness × 0.3
	weightSatisfaction = big.NewRat(1, 50) // satisfaction / 10 × 0.2
)

// ComputeRating applies the algorithm of API.md 7 (数据生成标准) to one platform's counts.
//
// The index is computed from the unrounded reply rate, timeliness and satisfaction, and only
// the index itself is then rounded to 4 decimals: that is the published formula applied to the
// data, and rounding the parts first could move a platform across a grade bound (9
// complaints, 6 replied, 5 of them on time, 3 rated with scores summing 25 give 1/3 + 1/4 +
// 1/6 = exactly 0.75, recommended, but 0.33335 + 0.24999 + 0.1666 = 0.74994 → 0.7499 from
// the rounded parts). The grade comes from the rounded index, so a published index of 0.4000
// is always caution and 0.7500 always recommended.
//
// All the arithmetic is exact (rationals from the integer counts and the timeliness sum read
// in tenths), so no binary floating error can push a value that is exactly on a rounding half,
// such as 0.39995, to the wrong side; the float64 results are the nearest doubles to the
// rounded decimals.
//
// With rateable false (not onboarded, or no after-sales contact) the ratios are still given,
// but Index is nil and Grade is unrated. A zero ComplaintCount gives zero ratios.
func ComputeRating(c RatingCounts, rateable bool) RatingResult {
	replyRate := new(big.Rat)
	if c.ComplaintCount > 0 {
		replyRate.SetFrac64(c.RepliedCount, c.ComplaintCount)
	}
	timeliness := new(big.Rat)
	if c.RepliedCount > 0 {
		timeliness.SetFrac64(timelinessTenths(c.TimelinessSum), 10*c.RepliedCount)
	}
	index := new(big.Rat).Mul(replyRate, weightReplyRate)
	index.Add(index, new(big.Rat).Mul(timeliness, weightTimeliness))

	res := RatingResult{
		ReplyRate:  ratFloat(roundRat(replyRate, 4)),
		Timeliness: ratFloat(roundRat(timeliness, 4)),
	}
	if c.RatedCount > 0 {
		satisfaction := new(big.Rat).SetFrac64(c.ScoreSum, c.RatedCount)
		index.Add(index, new(big.Rat).Mul(satisfaction, weightSatisfaction))
		s := ratFloat(roundRat(satisfaction, 2))
		res.Satisfaction = &s
	}
	if !rateable {
		res.Grade = GradeUnrated
		return res
	}
	i := ratFloat(roundRat(index, 4))
	res.Index = &i
	res.Grade = GradeForIndex(i)
	return res
}

// GradeForIndex is the grade of an index, after rounding it to 4 decimals as published:
// below 0.4 not_recommended, below 0.75 caution, otherwise recommended.
func GradeForIndex(index float64) string {
	// The rounded value is the nearest double to a 4-decimal number, and so is each bound
	// literal, so comparing doubles here is exact.
	switch i := RoundTo(index, 4); {
	case i < 0.4:
		return GradeNotRecommended
	case i < 0.75:
		return GradeCaution
	}
	return GradeRecommended
}

// timelinessTenths reads a sum of timeliness scores as a whole number of tenths. A non-finite
// sum, which no real data can produce, counts as 0.
func timelinessTenths(sum float64) int64 {
	t := math.Round(sum * 10)
	if math.IsNaN(t) || math.IsInf(t, 0) || math.Abs(t) > 1<<62 {
		return 0
	}
	return int64(t)
}

// RoundTo rounds x to the given number of decimals, half away from zero (RoundTo(0.39995, 4)
// is 0.4, RoundTo(1.005, 2) is 1.01, RoundTo(-0.125, 2) is -0.13).
//
// A double cannot hold most decimals: 0.39995 is stored as 0.3999499999…, and
// math.Round(x*1e4)/1e4 rounds such halves either way depending on the multiplication's own
// error (it gives 1.00 for 1.005, and 0.3999 for 0.5*0.1999+0.3). So x is first read as the
// decimal of 15 significant digits nearest to it — the most a double always holds exactly,
// which recovers the decimal that was meant and absorbs a few units of binary error — and that
// decimal is rounded exactly. The result is the nearest double to the rounded decimal, so it
// compares equal to the literal (0.4, 0.75 …). A true value closer than one part in 10^15 to a
// half also counts as the half, which is far below anything the rating data can produce.
// NaN and ±Inf are returned unchanged; negative decimals round to tens, hundreds and so on.
func RoundTo(x float64, decimals int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	// No double has a significant digit beyond 10^-340, nor a magnitude beyond 10^309.
	decimals = max(-400, min(decimals, 400))
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'e', 14, 64))
	if !ok {
		return x
	}
	return ratFloat(roundRat(r, decimals))
}

// roundRat rounds r to the given number of decimals, half away from zero, exactly.
func roundRat(r *big.Rat, decimals int) *big.Rat {
	places := int64(decimals)
	if places < 0 {
		places = -places
	}
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(places), nil))
	x := new(big.Rat)
	if decimals >= 0 {
		x.Mul(r, scale)
	} else {
		x.Quo(r, scale)
	}
	// floor((2|num| + den) / 2den) = floor(|x| + 1/2), then the sign back.
	num := new(big.Int).Abs(x.Num())
	num.Lsh(num, 1).Add(num, x.Denom())
	den := new(big.Int).Lsh(x.Denom(), 1)
	q := num.Quo(num, den)
	if x.Sign() < 0 {
		q.Neg(q)
	}
	out := new(big.Rat).SetInt(q)
	if decimals >= 0 {
		return out.Quo(out, scale)
	}
	return out.Mul(out, scale)
}

// ratFloat is the double nearest to r.
func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}
