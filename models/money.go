package models

import (
	"strconv"
	"strings"
)

// MaxMoneyFen is 99999999.99 yuan, the largest amount the API takes.
const MaxMoneyFen = 9999999999

// ParseMoney reads a CNY decimal string ("199", "199.5", "199.00") into fen. It refuses signs,
// exponents, spaces, more than two decimals, leading zeros and anything over 99999999.99.
func ParseMoney(s string) (int64, bool) {
	if s == "" || len(s) > 11 {
		return 0, false
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return 0, false
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	if len(intPart) > 8 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	fen, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil || fen > MaxMoneyFen {
		return 0, false
	}
	return fen, true
}

// FormatMoney writes fen as a decimal string with two decimals.
func FormatMoney(fen int64) string {
	s := strconv.FormatInt(fen/100, 10) + "."
	f := fen % 100
	if f < 10 {
		s += "0"
	}
	return s + strconv.FormatInt(f, 10)
}
