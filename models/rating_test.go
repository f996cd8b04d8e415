package models

import (
	"math"
	"testing"
	"time"
)

func TestTimelinessScore(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want float64
	}{
		{"immediately", 0, 1.0},
		{"clock skew counts as on time", -time.Hour, 1.0},
		{"71h59m59s is on time", 71*time.Hour + 59*time.Minute + 59*time.Second, 1.0},
		{"a nanosecond before 72h is on time", 72*time.Hour - 1, 1.0},
		{"exactly 72h is late", 72 * time.Hour, 0.6},
		{"119h59m59s is late", 119*time.Hour + 59*time.Minute + 59*time.Second, 0.6},
		{"exactly 120h scores nothing", 120 * time.Hour, 0},
		{"a week scores nothing", 7 * 24 * time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TimelinessScore(tt.d); got != tt.want {
				t.Fatalf("TimelinessScore(%v) = %v, want %v", tt.d, got, tt.want)
			}
		})
	}
}

func ratingF(f float64) *float64 { return &f }

func TestComputeRating(t *testing.T) {
	// sumOf adds scores one by one as a loop over complaints (or SQLite's SUM over REAL) would.
	sumOf := func(scores ...float64) float64 {
		var s float64
		for _, x := range scores {
			s += x
		}
		return s
	}
	tenLate := sumOf(0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6) // 5.999999999999999, not 6

	tests := []struct {
		name     string
		counts   RatingCounts
		rateable bool
		want     RatingResult
	}{
		{
			// Nothing replied, nothing rated: 0×0.5 + 0×0.3 + 0 = 0.
			name:     "no replies",
			counts:   RatingCounts{ComplaintCount: 5},
			rateable: true,
			want:     RatingResult{ReplyRate: 0, Timeliness: 0, Satisfaction: nil, Index: ratingF(0), Grade: GradeNotRecommended},
		},
		{
			// No complaint at all (never listed, but must not divide by zero).
			name:     "empty population",
			counts:   RatingCounts{},
			rateable: true,
			want:     RatingResult{Index: ratingF(0), Grade: GradeNotRecommended},
		},
		{
			// 3 of 4 replied: one on time (1.0), one late (0.6), one after 120h (0) → sum 1.6.
			// reply_rate 0.75, timeliness 1.6/3 = 0.53333… → 0.5333, satisfaction nil → 0.
			// index 0.375 + 0.16 = 0.535.
			name:     "no ratings: satisfaction is null and contributes 0",
			counts:   RatingCounts{ComplaintCount: 4, RepliedCount: 3, TimelinessSum: 1.6},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.75, Timeliness: 0.5333, Satisfaction: nil, Index: ratingF(0.535), Grade: GradeCaution},
		},
		{
			// reply_rate 1999/10000 = 0.1999, all on time → 1.0.
			// index 0.09995 + 0.3 = 0.39995 exactly, a half → 0.4000 → caution. In doubles
			// 0.5*0.1999 + 0.3 is 0.39994999999999997, which naive rounding takes to 0.3999.
			name:     "index exactly 0.39995 rounds up to 0.4000",
			counts:   RatingCounts{ComplaintCount: 10000, RepliedCount: 1999, TimelinessSum: 1999},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.1999, Timeliness: 1, Index: ratingF(0.4), Grade: GradeCaution},
		},
		{
			// reply_rate 9999/12500 = 0.79992 → 0.7999, every reply after 120h → timeliness 0.
			// index 0.79992 × 0.5 = 0.39996 → 0.4000 → caution.
			name:     "index 0.39996 rounds up to 0.4000",
			counts:   RatingCounts{ComplaintCount: 12500, RepliedCount: 9999, TimelinessSum: 0},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.7999, Timeliness: 0, Index: ratingF(0.4), Grade: GradeCaution},
		},
		{
			// reply_rate 39994/50000 = 0.79988 → 0.7999, timeliness 0.
			// index 0.79988 × 0.5 = 0.39994 → 0.3999 → not_recommended.
			name:     "index 0.39994 rounds down to 0.3999",
			counts:   RatingCounts{ComplaintCount: 50000, RepliedCount: 39994, TimelinessSum: 0},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.7999, Timeliness: 0, Index: ratingF(0.3999), Grade: GradeNotRecommended},
		},
		{
			// All 10000 replied: 5830 on time, 4170 late → 5830 + 4170×0.6 = 5830 + 2502 = 8332.
			// timeliness 0.8332; index 0.5 + 0.3×0.8332 = 0.5 + 0.24996 = 0.74996 → 0.7500.
			name:     "index 0.74996 rounds up to 0.7500",
			counts:   RatingCounts{ComplaintCount: 10000, RepliedCount: 10000, TimelinessSum: 8332},
			rateable: true,
			want:     RatingResult{ReplyRate: 1, Timeliness: 0.8332, Index: ratingF(0.75), Grade: GradeRecommended},
		},
		{
			// reply_rate 8999/10000 = 0.8999, all on time: 0.44995 + 0.3 = 0.74995, a half → 0.7500.
			name:     "index exactly 0.74995 rounds up to 0.7500",
			counts:   RatingCounts{ComplaintCount: 10000, RepliedCount: 8999, TimelinessSum: 8999},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.8999, Timeliness: 1, Index: ratingF(0.75), Grade: GradeRecommended},
		},
		{
			// reply_rate 44994/50000 = 0.89988 → 0.8999, all on time: 0.44994 + 0.3 = 0.74994 → 0.7499.
			name:     "index 0.74994 rounds down to 0.7499",
			counts:   RatingCounts{ComplaintCount: 50000, RepliedCount: 44994, TimelinessSum: 44994},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.8999, Timeliness: 1, Index: ratingF(0.7499), Grade: GradeCaution},
		},
		{
			// The index comes from the unrounded parts. 9 complaints, 6 replied (5 on time, 1
			// after 120h), 3 rated with scores summing 25:
			//   unrounded: 6/9×0.5 + 5/6×0.3 + (25/3)/10×0.2 = 1/3 + 1/4 + 1/6 = 0.75 → recommended
			//   rounded parts: 0.6667×0.5 + 0.8333×0.3 + 8.33/10×0.2 = 0.33335 + 0.24999 + 0.1666
			//   = 0.74994 → 0.7499 → caution (not what the service publishes).
			name:     "index from unrounded parts",
			counts:   RatingCounts{ComplaintCount: 9, RepliedCount: 6, TimelinessSum: 5, RatedCount: 3, ScoreSum: 25},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.6667, Timeliness: 0.8333, Satisfaction: ratingF(8.33), Index: ratingF(0.75), Grade: GradeRecommended},
		},
		{
			// 6 complaints, 4 replied all after 120h, 3 rated summing 10:
			// 4/6×0.5 + 0 + (10/3)/10×0.2 = 1/3 + 1/15 = 6/15 = 0.4 exactly → caution.
			name:     "index exactly 0.4 from thirds",
			counts:   RatingCounts{ComplaintCount: 6, RepliedCount: 4, TimelinessSum: 0, RatedCount: 3, ScoreSum: 10},
			rateable: true,
			want:     RatingResult{ReplyRate: 0.6667, Timeliness: 0, Satisfaction: ratingF(3.33), Index: ratingF(0.4), Grade: GradeCaution},
		},
		{
			// Everything perfect: 0.5 + 0.3 + 10/10×0.2 = 1.0.
			name:     "index 1.0",
			counts:   RatingCounts{ComplaintCount: 3, RepliedCount: 3, TimelinessSum: 3, RatedCount: 3, ScoreSum: 30},
			rateable: true,
			want:     RatingResult{ReplyRate: 1, Timeliness: 1, Satisfaction: ratingF(10), Index: ratingF(1), Grade: GradeRecommended},
		},
		{
			// Scores 7 + 8 + 8 = 23 over 3 = 7.666… → 7.67.
			// index 0.5 + 0.3 + 7.666…/10×0.2 = 0.8 + 23/150 = 0.95333… → 0.9533.
			name:     "satisfaction rounds to 2 decimals",
			counts:   RatingCounts{ComplaintCount: 3, RepliedCount: 3, TimelinessSum: 3, RatedCount: 3, ScoreSum: 23},
			rateable: true,
			want:     RatingResult{ReplyRate: 1, Timeliness: 1, Satisfaction: ratingF(7.67), Index: ratingF(0.9533), Grade: GradeRecommended},
		},
		{
			// Scores summing 57 over 8 = 7.125, a half → 7.13 (away from zero).
			// index 0.8 + 7.125/10×0.2 = 0.8 + 0.1425 = 0.9425.
			name:     "satisfaction half rounds away from zero",
			counts:   RatingCounts{ComplaintCount: 8, RepliedCount: 8, TimelinessSum: 8, RatedCount: 8, ScoreSum: 57},
			rateable: true,
			want:     RatingResult{ReplyRate: 1, Timeliness: 1, Satisfaction: ratingF(7.13), Index: ratingF(0.9425), Grade: GradeRecommended},
		},
		{
			// Ten late replies summed as doubles give 5.999999999999999; read as 6.0 tenths:
			// timeliness 0.6, index 0.5 + 0.18 = 0.68 → caution.
			name:     "accumulated timeliness sum is read to the tenth",
			counts:   RatingCounts{ComplaintCount: 10, RepliedCount: 10, TimelinessSum: tenLate},
			rateable: true,
			want:     RatingResult{ReplyRate: 1, Timeliness: 0.6, Index: ratingF(0.68), Grade: GradeCaution},
		},
		{
			// Same counts as "satisfaction rounds to 2 decimals", but the platform cannot be rated:
			// the ratios are still given; no index; grade unrated.
			name:     "unrated platform",
			counts:   RatingCounts{ComplaintCount: 3, RepliedCount: 3, TimelinessSum: 3, RatedCount: 3, ScoreSum: 23},
			rateable: false,
			want:     RatingResult{ReplyRate: 1, Timeliness: 1, Satisfaction: ratingF(7.67), Index: nil, Grade: GradeUnrated},
		},
		{
			name:     "unrated platform without complaints answered",
			counts:   RatingCounts{ComplaintCount: 2},
			rateable: false,
			want:     RatingResult{Index: nil, Grade: GradeUnrated},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeRating(tt.counts, tt.rateable)
			if got.ReplyRate != tt.want.ReplyRate {
				t.Errorf("ReplyRate = %v, want %v", got.ReplyRate, tt.want.ReplyRate)
			}
			if got.Timeliness != tt.want.Timeliness {
				t.Errorf("Timeliness = %v, want %v", got.Timeliness, tt.want.Timeliness)
			}
			if !ratingPtrEqual(got.Satisfaction, tt.want.Satisfaction) {
				t.Errorf("Satisfaction = %v, want %v", ratingShow(got.Satisfaction), ratingShow(tt.want.Satisfaction))
			}
			if !ratingPtrEqual(got.Index, tt.want.Index) {
				t.Errorf("Index = %v, want %v", ratingShow(got.Index), ratingShow(tt.want.Index))
			}
			if got.Grade != tt.want.Grade {
				t.Errorf("Grade = %q, want %q", got.Grade, tt.want.Grade)
			}
			if _, ok := GradeLabels[got.Grade]; !ok {
				t.Errorf("grade %q has no label", got.Grade)
			}
		})
	}
}

func ratingPtrEqual(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ratingShow(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// TestComputeRatingNaiveFloatDiffers shows that the 0.39995 case really needs exact rounding:
// the same formula in doubles with math.Round lands on the wrong grade.
func TestComputeRatingNaiveFloatDiffers(t *testing.T) {
	// Variables, not constants: Go evaluates constant expressions exactly at compile time.
	replied, count, sum := 1999.0, 10000.0, 1999.0
	naive := math.Round((replied/count*0.5+sum/replied*0.3)*1e4) / 1e4
	if naive != 0.3999 {
		t.Skipf("this platform's doubles round 0.39995 correctly (%v); nothing to show", naive)
	}
	got := ComputeRating(RatingCounts{ComplaintCount: 10000, RepliedCount: 1999, TimelinessSum: 1999}, true)
	if *got.Index != 0.4 || got.Grade != GradeCaution {
		t.Fatalf("got %v %s, want 0.4 caution", *got.Index, got.Grade)
	}
}

func TestGradeForIndex(t *testing.T) {
	tests := []struct {
		index float64
		want  string
	}{
		{0, GradeNotRecommended},
		{0.3999, GradeNotRecommended},
		{0.39994, GradeNotRecommended}, // → 0.3999
		{0.39995, GradeCaution},        // → 0.4000
		{0.4, GradeCaution},
		{0.7499, GradeCaution},
		{0.74994, GradeCaution},     // → 0.7499
		{0.74995, GradeRecommended}, // → 0.7500
		{0.75, GradeRecommended},
		{1, GradeRecommended},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := GradeForIndex(tt.index); got != tt.want {
				t.Fatalf("GradeForIndex(%v) = %q, want %q", tt.index, got, tt.want)
			}
		})
	}
}

func TestGradeLabels(t *testing.T) {
	want := map[string]string{
		GradeNotRecommended: "不建议下单",
		GradeCaution:        "谨慎下单",
		GradeRecommended:    "建议下单",
		GradeUnrated:        "不予评级",
	}
	if len(GradeLabels) != len(want) {
		t.Fatalf("GradeLabels has %d entries, want %d", len(GradeLabels), len(want))
	}
	for g, l := range want {
		if GradeLabels[g] != l {
			t.Errorf("GradeLabels[%q] = %q, want %q", g, GradeLabels[g], l)
		}
	}
}

func TestRoundTo(t *testing.T) {
	rate, weight := 0.1999, 0.5 // variables, so that the product is a double and not an exact constant
	tests := []struct {
		name     string
		x        float64
		decimals int
		want     float64
	}{
		{"half up at 4", 0.39995, 4, 0.4},
		{"half up at 4 near 0.75", 0.74995, 4, 0.75},
		{"below half at 4", 0.39994, 4, 0.3999},
		{"above half at 4", 0.39996, 4, 0.4},
		// 0.5*0.1999 + 0.3 is 0.39994999999999997 in doubles; math.Round(x*1e4)/1e4 gives 0.3999.
		{"computed half", rate*weight + 0.3, 4, 0.4},
		// 1.005 is stored as 1.00499999999999989…; math.Round(x*100)/100 gives 1.
		{"stored below half", 1.005, 2, 1.01},
		{"stored below half 0.285", 0.285, 2, 0.29},
		{"small stored below half", 0.01245, 4, 0.0125},
		{"negative half away from zero", -0.125, 2, -0.13},
		{"negative stored below half", -1.005, 2, -1.01},
		{"thirds to 2", 23.0 / 3, 2, 7.67},
		{"thirds to 4", 2.0 / 3, 4, 0.6667},
		{"just under a half", 0.123449999, 4, 0.1234},
		{"already round", 0.75, 4, 0.75},
		{"integer half", 2.5, 0, 3},
		{"negative integer half", -2.5, 0, -3},
		{"tens", 1234.5, -1, 1230},
		{"tens half", 1235, -1, 1240},
		{"zero", 0, 4, 0},
		{"huge", 1e300, 4, 1e300},
		{"tiny to zero", 5e-324, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RoundTo(tt.x, tt.decimals); got != tt.want {
				t.Fatalf("RoundTo(%.20g, %d) = %.20g, want %.20g", tt.x, tt.decimals, got, tt.want)
			}
		})
	}
	t.Run("non-finite unchanged", func(t *testing.T) {
		if got := RoundTo(math.Inf(1), 2); !math.IsInf(got, 1) {
			t.Errorf("RoundTo(+Inf) = %v", got)
		}
		if got := RoundTo(math.Inf(-1), 2); !math.IsInf(got, -1) {
			t.Errorf("RoundTo(-Inf) = %v", got)
		}
		if got := RoundTo(math.NaN(), 2); !math.IsNaN(got) {
			t.Errorf("RoundTo(NaN) = %v", got)
		}
	})
}

func FuzzRoundTo(f *testing.F) {
	f.Add(0.39995, 4)
	f.Add(-1.005, 2)
	f.Add(1e300, -300)
	f.Fuzz(func(t *testing.T, x float64, decimals int) {
		decimals = decimals % 30
		got := RoundTo(x, decimals)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		// Idempotent, and never further from x than half a unit of the last kept decimal
		// (plus the 15-significant-digit reading and the final conversion to a double).
		if again := RoundTo(got, decimals); again != got {
			t.Fatalf("RoundTo(RoundTo(%v, %d)) = %v, want %v", x, decimals, again, got)
		}
		unit := math.Pow(10, -float64(decimals))
		if d := math.Abs(got - x); d > unit/2+math.Abs(x)*1e-14 && !math.IsInf(unit, 0) {
			t.Fatalf("RoundTo(%v, %d) = %v, off by %v", x, decimals, got, d)
		}
	})
}
