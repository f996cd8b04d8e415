package models

import (
	"strconv"
	"time"
)

// ChinaTime is Asia/Shanghai, the zone in which rating periods begin and end (API.md 7).
var ChinaTime = loadChinaTime()

func loadChinaTime() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991, so a fixed zone is exact for
		// every period a rating can cover.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// PeriodType is the length of a rating period.
type PeriodType string

// The rating period types.
const (
	PeriodMonth   PeriodType = "month"
	PeriodQuarter PeriodType = "quarter"
	PeriodHalf    PeriodType = "half"
	PeriodYear    PeriodType = "year"
)

// PeriodTypes lists the period types from the shortest to the longest.
var PeriodTypes = []PeriodType{PeriodMonth, PeriodQuarter, PeriodHalf, PeriodYear}

// Valid reports whether t is a known period type.
func (t PeriodType) Valid() bool { return t.months() != 0 }

// months is how many calendar months a period of the type spans, 0 for an unknown type.
func (t PeriodType) months() int {
	switch t {
	case PeriodMonth:
		return 1
	case PeriodQuarter:
		return 3
	case PeriodHalf:
		return 6
	case PeriodYear:
		return 12
	}
	return 0
}

// ParsePeriodType reads the period_type query parameter: exactly month, quarter, half or year.
func ParsePeriodType(s string) (PeriodType, error) {
	if t := PeriodType(s); t.Valid() {
		return t, nil
	}
	return "", Invalid("period_type", "must be one of month, quarter, half, year")
}

// Period is one calendar month, quarter, half-year or year in China time. N is the month
// (1–12), quarter (1–4) or half (1–2) within Year, and 0 for a year.
type Period struct {
	Type PeriodType
	Year int
	N    int
}

const periodSyntax = "must be a month (2026-11), a quarter (2026-Q4), a half (2026-H2) or a year (2026), with a year from 2000 to 9999"

// ParsePeriod reads a period exactly as API.md 7 writes it: 2026-11 (two-digit month),
// 2026-Q4, 2026-H2 or 2026. Anything else, lowercase q/h and out-of-range numbers included,
// is a validation error on the field "period".
func ParsePeriod(s string) (Period, error) {
	bad := func() (Period, error) { return Period{}, Invalid("period", periodSyntax) }
	if len(s) < 4 || !periodDigits(s[:4]) || s[0] < '2' {
		return bad()
	}
	year, _ := strconv.Atoi(s[:4])
	rest := s[4:]
	switch {
	case rest == "":
		return Period{Type: PeriodYear, Year: year}, nil
	case len(rest) == 3 && rest[0] == '-' && periodDigits(rest[1:]):
		m, _ := strconv.Atoi(rest[1:])
		if m < 1 || m > 12 {
			return bad()
		}
		return Period{Type: PeriodMonth, Year: year, N: m}, nil
	case len(rest) == 3 && rest[0] == '-' && periodDigits(rest[2:]):
		n := int(rest[2] - '0')
		switch {
		case rest[1] == 'Q' && n >= 1 && n <= 4:
			return Period{Type: PeriodQuarter, Year: year, N: n}, nil
		case rest[1] == 'H' && n >= 1 && n <= 2:
			return Period{Type: PeriodHalf, Year: year, N: n}, nil
		}
	}
	return bad()
}

// periodDigits reports whether s is made of ASCII digits only (strconv.Atoi would also take a sign).
func periodDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Valid reports whether p names a real period of its type (any year, even outside 2000–9999,
// so that Prev and Next always give valid periods).
func (p Period) Valid() bool {
	switch p.Type {
	case PeriodYear:
		return p.N == 0
	case PeriodMonth, PeriodQuarter, PeriodHalf:
		return p.N >= 1 && p.N <= 12/p.Type.months()
	}
	return false
}

// String writes p as ParsePeriod reads it; an invalid period writes as "".
func (p Period) String() string {
	if !p.Valid() {
		return ""
	}
	y := strconv.Itoa(p.Year)
	for len(y) < 4 {
		y = "0" + y
	}
	switch p.Type {
	case PeriodMonth:
		if p.N < 10 {
			return y + "-0" + strconv.Itoa(p.N)
		}
		return y + "-" + strconv.Itoa(p.N)
	case PeriodQuarter:
		return y + "-Q" + strconv.Itoa(p.N)
	case PeriodHalf:
		return y + "-H" + strconv.Itoa(p.N)
	}
	return y
}

// firstMonth is the calendar month in which p begins.
func (p Period) firstMonth() time.Month {
	if p.Type == PeriodYear {
		return time.January
	}
	return time.Month((p.N-1)*p.Type.months() + 1)
}

func (p Period) mustBeValid() {
	if !p.Valid() {
		panic("models: invalid period " + strconv.Quote(string(p.Type)) + " " + strconv.Itoa(p.Year) + "/" + strconv.Itoa(p.N))
	}
}

// Start is the first instant of p: midnight China time on its first day, in UTC.
// It panics on an invalid period, which only a programming error can make.
func (p Period) Start() time.Time {
	p.mustBeValid()
	return time.Date(p.Year, p.firstMonth(), 1, 0, 0, 0, 0, ChinaTime).UTC()
}

// End is the first instant after p (exclusive), which is the Start of the next period, in UTC.
// It panics on an invalid period.
func (p Period) End() time.Time {
	p.mustBeValid()
	// time.Date normalises month 13 and beyond into the next year.
	return time.Date(p.Year, p.firstMonth()+time.Month(p.Type.months()), 1, 0, 0, 0, 0, ChinaTime).UTC()
}

// Contains reports whether t falls in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start()) && t.Before(p.End())
}

// PeriodContaining is the period of type typ in which t falls, in China time.
// It panics on an unknown type; check outside input with ParsePeriodType first.
func PeriodContaining(t time.Time, typ PeriodType) Period {
	span := typ.months()
	if span == 0 {
		panic("models: unknown period type " + strconv.Quote(string(typ)))
	}
	c := t.In(ChinaTime)
	if typ == PeriodYear {
		return Period{Type: typ, Year: c.Year()}
	}
	return Period{Type: typ, Year: c.Year(), N: (int(c.Month())-1)/span + 1}
}

// Prev is the period of the same type just before p (2026-01 → 2025-12, 2026-Q1 → 2025-Q4).
func (p Period) Prev() Period {
	p.mustBeValid()
	if p.Type == PeriodYear {
		return Period{Type: p.Type, Year: p.Year - 1}
	}
	if p.N == 1 {
		return Period{Type: p.Type, Year: p.Year - 1, N: 12 / p.Type.months()}
	}
	return Period{Type: p.Type, Year: p.Year, N: p.N - 1}
}

// Next is the period of the same type just after p (2026-12 → 2027-01).
func (p Period) Next() Period {
	p.mustBeValid()
	if p.Type == PeriodYear {
		return Period{Type: p.Type, Year: p.Year + 1}
	}
	if p.N == 12/p.Type.months() {
		return Period{Type: p.Type, Year: p.Year + 1, N: 1}
	}
	return Period{Type: p.Type, Year: p.Year, N: p.N + 1}
}

// LastPeriods is the n periods of type typ up to and including the one containing now, newest
// first (a platform's rating history). n ≤ 0 gives an empty slice. It panics on an unknown type.
func LastPeriods(now time.Time, typ PeriodType, n int) []Period {
	if n <= 0 {
		return []Period{}
	}
	out := make([]Period, 0, n)
	p := PeriodContaining(now, typ)
	for range n {
		out = append(out, p)
		p = p.Prev()
	}
	return out
}
