package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/api"
)

func catalogue() map[string]api.ErrorCode {
	m := map[string]api.ErrorCode{}
	for _, c := range api.ErrorCodes {
		m[c.Code] = c
	}
	return m
}

// codeLiteral finds the codes the source gives its errors: Code: "x", Conflict("x", …),
// BadRequest("x", …), and the evidence server's code, detail = "x", ….
var codeLiteral = regexp.MustCompile(`(?:Code:\s*|Conflict\(|BadRequest\(|code, detail = )"([a-z][a-z_]*)"`)

// TestErrorCatalogueIsComplete: every code in the source is in the catalogue, and every code
// of the catalogue is in the source — a new error cannot ship undocumented, nor a removed one
// stay documented.
func TestErrorCatalogueIsComplete(t *testing.T) {
	found := map[string]string{}
	for _, dir := range []string{".", "../service", "../models", "../store", "../queue", "../webhooks/dispatch"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range codeLiteral.FindAllStringSubmatch(string(b), -1) {
				found[m[1]] = f
			}
		}
	}
	cat := catalogue()
	for code, file := range found {
		if _, ok := cat[code]; !ok {
			t.Errorf("%s answers code %q, which api.ErrorCodes does not list", file, code)
		}
	}
	for code := range cat {
		if _, ok := found[code]; !ok {
			t.Errorf("api.ErrorCodes lists %q, which nothing answers", code)
		}
	}
	if len(cat) != len(api.ErrorCodes) {
		t.Errorf("api.ErrorCodes lists a code twice")
	}
}

// TestErrorCatalogueIsPublished: the document's Problem.code has the catalogue as its enum
// and describes every code with its status; the README's table is the catalogue.
func TestErrorCatalogueIsPublished(t *testing.T) {

	code := docDefinitions(t)["api.Problem"]["code"]
	var want []string
	for _, c := range api.ErrorCodes {
		want = append(want, c.Code)
		if line := fmt.Sprintf("`%s` (%d): %s", c.Code, c.Status, c.Meaning); !strings.Contains(code.Description, line) {
			t.Errorf("Problem.code's description lacks %q", line)
		}
	}
	var enum []string
	for _, e := range code.Enum {
		enum = append(enum, fmt.Sprint(e))
	}
	if !slices.Equal(enum, want) {
		t.Errorf("Problem.code enum:\n%v\nwant the catalogue:\n%v", enum, want)
	}

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (\\d{3}) \\| (.*) \\|$")
	var rows []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		rows = append(rows, m[1]+" "+m[2]+" "+strings.ReplaceAll(m[3], `\|`, "|"))
	}
	var cat []string
	for _, c := range api.ErrorCodes {
		cat = append(cat, fmt.Sprintf("%s %d %s", c.Code, c.Status, c.Meaning))
	}
	if !slices.Equal(rows, cat) {
		sort.Strings(rows)
		t.Errorf("README's error table:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(cat, "\n"))
	}
}
