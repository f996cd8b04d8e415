package models

import (
	"strconv"
	"testing"
)

func TestParseMoney(t *testing.T) {
	good := map[string]int64{"0": 0, "0.00": 0, "199": 19900, "199.5": 19950, "199.00": 19900, "0.01": 1,
		"99999999.99": 9999999999, "12345678.9": 1234567890}
	for s, want := range good {
		if got, ok := ParseMoney(s); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-1", "+1", "1.", ".5", "1.234", "100000000", "100000000.00", "1e3", " 1", "1 ",
		"01", "00.5", "1,000", "１", "NaN", "0x10", "1.2.3", "99999999.999"} {
		if got, ok := ParseMoney(s); ok {
			t.Errorf("%q accepted as %d", s, got)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 1: "0.01", 10: "0.10", 19900: "199.00", 9999999999: "99999999.99"} {
		if got := FormatMoney(fen); got != want {
			t.Errorf("%d: %q, want %q", fen, got, want)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "199.00", "1.5", "-1", "1e3", "99999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := ParseMoney(s)
		if !ok {
			return
		}
		if fen < 0 || fen > MaxMoneyFen {
			t.Fatalf("%q -> %d out of range", s, fen)
		}
		// What parses formats back to the same amount.
		back, ok := ParseMoney(FormatMoney(fen))
		if !ok || back != fen {
			t.Fatalf("%q -> %d -> %q -> %d", s, fen, FormatMoney(fen), back)
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("%q accepted but is not a number", s)
		}
	})
}
