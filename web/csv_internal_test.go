package web

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/service"
)

// A platform name a spreadsheet would run as a formula is written as text.
func TestRatingsCSVCellsAreNeverFormulas(t *testing.T) {
	l := &service.RatingList{Period: "2026-11", FormulaVersion: "2024.2"}
	for _, name := range []string{"=cmd|'/C calc'!A0", "+SUM(1)好物", "-1+1", "@SUM(A1)", "\t=1", "京东"} {
		var it service.RatingItem
		it.Platform.Name = name
		l.Items = append(l.Items, it)
	}
	b, err := ratingsCSVBytes(l)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		if name := row[2]; strings.ContainsRune("=+-@\t\r", rune(name[0])) {
			t.Errorf("cell %q would be read as a formula", name)
		}
	}
	if rows[len(rows)-1][2] != "京东" {
		t.Errorf("an ordinary name was changed: %q", rows[len(rows)-1][2])
	}
}
