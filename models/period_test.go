package models

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func periodUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParsePeriodRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want Period
	}{
		{"2026-11", Period{PeriodMonth, 2026, 11}},
		{"2026-01", Period{PeriodMonth, 2026, 1}},
		{"2026-09", Period{PeriodMonth, 2026, 9}},
		{"2026-12", Period{PeriodMonth, 2026, 12}},
		{"2026-Q1", Period{PeriodQuarter, 2026, 1}},
		{"2026-Q4", Period{PeriodQuarter, 2026, 4}},
		{"2026-H1", Period{PeriodHalf, 2026, 1}},
		{"2026-H2", Period{PeriodHalf, 2026, 2}},
		{"2026", Period{PeriodYear, 2026, 0}},
		{"2000", Period{PeriodYear, 2000, 0}},
		{"9999", Period{PeriodYear, 9999, 0}},
		{"9999-12", Period{PeriodMonth, 9999, 12}},
		{"2000-01", Period{PeriodMonth, 2000, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriod(tt.in)
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParsePeriod(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Fatalf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestParsePeriodRejects(t *testing.T) {
	for _, in := range []string{
		"", "2026-1", "2026-13", "2026-00", "2026-011", "2026-",
		"2026-Q5", "2026-Q0", "2026-Q", "2026-Q10", "2026-q4", "2026-1Q",
		"2026-H3", "2026-H0", "2026-h2", "2026-H", "2026-H+1",
		" 2026", "2026 ", "2026-11 ", "2026-11\n", "+2026", "-2026", "2026-+1", "2026--1",
		"02026", "1999", "0999", "0000", "10000", "999", "20a6", "2026/11", "2026.11", "2026-W1",
		"２０２６", "2026-１１", "2026-11-01", "2026-Q4-1", "2026Q4", "2026H2", "2026-M11",
	} {
		t.Run(in, func(t *testing.T) {
			p, err := ParsePeriod(in)
			if err == nil {
				t.Fatalf("ParsePeriod(%q) = %+v, want an error", in, p)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindValidation || len(e.Fields) != 1 || e.Fields[0].Field != "period" {
				t.Fatalf("ParsePeriod(%q) error = %#v, want a validation error on period", in, err)
			}
		})
	}
}

func TestParsePeriodType(t *testing.T) {
	for _, typ := range PeriodTypes {
		got, err := ParsePeriodType(string(typ))
		if err != nil || got != typ {
			t.Errorf("ParsePeriodType(%q) = %q, %v", typ, got, err)
		}
	}
	for _, in := range []string{"", "Month", "months", "week", "day", " month"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParsePeriodType(in)
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindValidation || e.Fields[0].Field != "period_type" {
				t.Fatalf("ParsePeriodType(%q) error = %v, want a validation error on period_type", in, err)
			}
		})
	}
}

func TestPeriodBounds(t *testing.T) {
	tests := []struct {
		period     string
		start, end string // UTC; China midnight is 16:00Z the day before
	}{
		{"2026-11", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"},
		{"2026-12", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"2026-01", "2025-12-31T16:00:00Z", "2026-01-31T16:00:00Z"},
		{"2028-02", "2028-01-31T16:00:00Z", "2028-02-29T16:00:00Z"}, // leap year
		{"2026-Q4", "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z"}, // Oct 1 – Jan 1 China time
		{"2026-Q1", "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z"},
		{"2026-Q2", "2026-03-31T16:00:00Z", "2026-06-30T16:00:00Z"},
		{"2026-H1", "2025-12-31T16:00:00Z", "2026-06-30T16:00:00Z"},
		{"2026-H2", "2026-06-30T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"2026", "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z"},
		{"9999", "9998-12-31T16:00:00Z", "9999-12-31T16:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			p, err := ParsePeriod(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			start, end := p.Start(), p.End()
			if !start.Equal(periodUTC(tt.start)) || start.Location() != time.UTC {
				t.Errorf("Start() = %v, want %s in UTC", start, tt.start)
			}
			if !end.Equal(periodUTC(tt.end)) || end.Location() != time.UTC {
				t.Errorf("End() = %v, want %s in UTC", end, tt.end)
			}
			if !p.Contains(start) || p.Contains(end) || p.Contains(start.Add(-time.Nanosecond)) || !p.Contains(end.Add(-time.Nanosecond)) {
				t.Errorf("Contains is not [Start, End)")
			}
			if !p.Next().Start().Equal(end) {
				t.Errorf("Next().Start() = %v, want End() %v", p.Next().Start(), end)
			}
		})
	}
}

func TestPeriodContaining(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		typ  PeriodType
		want string
	}{
		// 2026-11-30T23:59:59 China time is 15:59:59Z, still November.
		{"last second of November in China", time.Date(2026, 11, 30, 23, 59, 59, 0, ChinaTime), PeriodMonth, "2026-11"},
		{"last second of November as UTC", periodUTC("2026-11-30T15:59:59Z"), PeriodMonth, "2026-11"},
		// 16:00Z on 30 November is midnight 1 December in China.
		{"first instant of December", periodUTC("2026-11-30T16:00:00Z"), PeriodMonth, "2026-12"},
		{"first instant of November", periodUTC("2026-10-31T16:00:00Z"), PeriodMonth, "2026-11"},
		{"UTC October is already November in China", periodUTC("2026-10-31T20:00:00Z"), PeriodMonth, "2026-11"},
		{"quarter 4", periodUTC("2026-11-15T00:00:00Z"), PeriodQuarter, "2026-Q4"},
		{"quarter 4 starts Oct 1 China time", periodUTC("2026-09-30T16:00:00Z"), PeriodQuarter, "2026-Q4"},
		{"quarter 3 ends before", periodUTC("2026-09-30T15:59:59Z"), PeriodQuarter, "2026-Q3"},
		{"New Year in China is next year", periodUTC("2026-12-31T16:00:00Z"), PeriodQuarter, "2027-Q1"},
		{"half 1", periodUTC("2026-06-30T15:59:59Z"), PeriodHalf, "2026-H1"},
		{"half 2", periodUTC("2026-06-30T16:00:00Z"), PeriodHalf, "2026-H2"},
		{"year", periodUTC("2026-12-31T15:59:59Z"), PeriodYear, "2026"},
		{"next year", periodUTC("2026-12-31T16:00:00Z"), PeriodYear, "2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PeriodContaining(tt.at, tt.typ)
			if p.String() != tt.want {
				t.Fatalf("PeriodContaining(%v, %s) = %s, want %s", tt.at, tt.typ, p, tt.want)
			}
			if !p.Contains(tt.at) {
				t.Fatalf("%s does not contain %v", p, tt.at)
			}
		})
	}
}

func TestPeriodPrevNext(t *testing.T) {
	tests := []struct{ p, prev, next string }{
		{"2026-01", "2025-12", "2026-02"},
		{"2026-12", "2026-11", "2027-01"},
		{"2026-Q1", "2025-Q4", "2026-Q2"},
		{"2026-Q4", "2026-Q3", "2027-Q1"},
		{"2026-H1", "2025-H2", "2026-H2"},
		{"2026-H2", "2026-H1", "2027-H1"},
		{"2026", "2025", "2027"},
	}
	for _, tt := range tests {
		t.Run(tt.p, func(t *testing.T) {
			p, err := ParsePeriod(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Prev().String(); got != tt.prev {
				t.Errorf("Prev() = %s, want %s", got, tt.prev)
			}
			if got := p.Next().String(); got != tt.next {
				t.Errorf("Next() = %s, want %s", got, tt.next)
			}
			if !p.Prev().End().Equal(p.Start()) {
				t.Errorf("Prev().End() = %v, want Start() %v", p.Prev().End(), p.Start())
			}
		})
	}
}

func TestLastPeriods(t *testing.T) {
	strs := func(ps []Period) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		return out
	}
	// 2026-03-01T02:00 China time is still February 28 in UTC.
	now := periodUTC("2026-02-28T18:00:00Z")
	tests := []struct {
		name string
		typ  PeriodType
		n    int
		want []string
	}{
		{"12 months across a year boundary", PeriodMonth, 12, []string{
			"2026-03", "2026-02", "2026-01", "2025-12", "2025-11", "2025-10",
			"2025-09", "2025-08", "2025-07", "2025-06", "2025-05", "2025-04"}},
		{"quarters", PeriodQuarter, 5, []string{"2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"}},
		{"halves", PeriodHalf, 3, []string{"2026-H1", "2025-H2", "2025-H1"}},
		{"years", PeriodYear, 3, []string{"2026", "2025", "2024"}},
		{"one", PeriodMonth, 1, []string{"2026-03"}},
		{"none", PeriodMonth, 0, []string{}},
		{"negative", PeriodMonth, -1, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LastPeriods(now, tt.typ, tt.n)
			if got == nil || !reflect.DeepEqual(strs(got), tt.want) {
				t.Fatalf("LastPeriods = %v, want %v", strs(got), tt.want)
			}
		})
	}
}

func TestChinaTime(t *testing.T) {
	for _, at := range []time.Time{periodUTC("2026-01-15T00:00:00Z"), periodUTC("2026-07-15T00:00:00Z")} {
		if _, off := at.In(ChinaTime).Zone(); off != 8*3600 {
			t.Errorf("ChinaTime offset at %v = %d, want +8h", at, off)
		}
	}
}

func TestInvalidPeriod(t *testing.T) {
	if s := (Period{}).String(); s != "" {
		t.Errorf("zero Period String() = %q, want empty", s)
	}
	for _, p := range []Period{{}, {PeriodMonth, 2026, 13}, {PeriodQuarter, 2026, 0}, {PeriodYear, 2026, 1}, {"week", 2026, 1}} {
		if p.Valid() {
			t.Errorf("%+v is valid", p)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Start of an invalid period did not panic")
		}
	}()
	_ = Period{PeriodHalf, 2026, 3}.Start()
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-11", "2026-Q4", "2026-H2", "2026", "2000-01", "9999-12", "2026-1",
		"2026-13", "2026-Q5", "2026-q4", "2026-H3", "02026", " 2026", "+2026", "2026-", "２０２６", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindValidation {
				t.Fatalf("ParsePeriod(%q) error %v is not a validation error", s, err)
			}
			return
		}
		if !p.Valid() {
			t.Fatalf("ParsePeriod(%q) accepted an invalid %+v", s, p)
		}
		if got := p.String(); got != s {
			t.Fatalf("ParsePeriod(%q).String() = %q", s, got)
		}
		start, end := p.Start(), p.End()
		if !start.Before(end) {
			t.Fatalf("%q: Start %v is not before End %v", s, start, end)
		}
		if PeriodContaining(start, p.Type) != p || PeriodContaining(end.Add(-time.Nanosecond), p.Type) != p {
			t.Fatalf("%q: PeriodContaining does not find the period at its bounds", s)
		}
		if !p.Prev().End().Equal(start) || !p.Next().Start().Equal(end) {
			t.Fatalf("%q: neighbours do not abut", s)
		}
	})
}
