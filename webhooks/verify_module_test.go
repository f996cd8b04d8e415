package webhooks_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The promise to integrators: github.com/dianshubao/dianshubao/webhooks/verify
// can be imported without raising their go directive past 1.22 and without
// pulling any module but itself. These tests fail if its go.mod or its imports
// break that.

const (
	verifyModulePath = "github.com/dianshubao/dianshubao/webhooks/verify"
	verifyModuleDir  = "verify"
	maxGoMajor       = 1
	maxGoMinor       = 22
)

func TestVerifyModuleGoMod(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(verifyModuleDir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var module, goVersion string
	var blockVerb string // inside "verb (" ... ")"
	for i, line := range strings.Split(string(data), "\n") {
		if c := strings.Index(line, "//"); c >= 0 {
			line = line[:c]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		verb := fields[0]
		if blockVerb != "" {
			if verb == ")" {
				blockVerb = ""
				continue
			}
			verb, fields = blockVerb, append([]string{blockVerb}, fields...)
		} else if len(fields) == 2 && fields[1] == "(" {
			blockVerb = verb
			continue
		}
		switch verb {
		case "module":
			if len(fields) == 2 {
				module = strings.Trim(fields[1], `"`)
			}
		case "go":
			if len(fields) == 2 {
				goVersion = fields[1]
			}
		case "require":
			t.Errorf("go.mod line %d: %q: the verify module must have no requirements", i+1, strings.TrimSpace(line))
		case "toolchain":
			t.Errorf("go.mod line %d: %q: no toolchain line, so that nothing suggests a newer Go", i+1, strings.TrimSpace(line))
		case "replace", "exclude", "retract", "godebug", "tool", "ignore":
			// No effect on the module's importers' Go version or dependencies.
		default:
			t.Errorf("go.mod line %d: unexpected directive %q", i+1, verb)
		}
	}
	if module != verifyModulePath {
		t.Errorf("module = %q, want %q", module, verifyModulePath)
	}
	if goVersion == "" {
		t.Fatal("go.mod has no go directive (it would default to an old language version)")
	}
	major, minor, err := goMajorMinor(goVersion)
	if err != nil {
		t.Fatalf("go directive %q: %v", goVersion, err)
	}
	if major > maxGoMajor || (major == maxGoMajor && minor > maxGoMinor) {
		t.Errorf("go directive %s is newer than %d.%d: importing the module would raise integrators' go directive", goVersion, maxGoMajor, maxGoMinor)
	}
}

// goMajorMinor parses "1.22", "1.22.3" or "1.23rc1" into 1 and 22 or 23.
func goMajorMinor(v string) (major, minor int, err error) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, errors.New("want major.minor")
	}
	minorStr := parts[1]
	if i := strings.IndexFunc(minorStr, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorStr = minorStr[:i]
	}
	if major, err = strconv.Atoi(parts[0]); err != nil {
		return 0, 0, err
	}
	if minor, err = strconv.Atoi(minorStr); err != nil {
		return 0, 0, err
	}
	return major, minor, nil
}

func TestGoMajorMinor(t *testing.T) {
	for _, tt := range []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"1.22", 1, 22, true},
		{"1.22.0", 1, 22, true},
		{"1.26.8", 1, 26, true},
		{"1.23rc1", 1, 23, true},
		{"1", 0, 0, false},
		{"x.22", 0, 0, false},
	} {
		major, minor, err := goMajorMinor(tt.in)
		if (err == nil) != tt.ok || major != tt.major || minor != tt.minor {
			t.Errorf("goMajorMinor(%q) = %d, %d, %v", tt.in, major, minor, err)
		}
	}
}

// TestVerifyModuleStandardLibraryOnly asks the go command for every package
// the verify package (and, separately, its tests) depends on, and fails on any
// outside the standard library other than the module's own.
func TestVerifyModuleStandardLibraryOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	list := func(t *testing.T, args ...string) []string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"list"}, args...)...)
		cmd.Dir = verifyModuleDir
		// The nested module alone, as an integrator's build would see it:
		// no workspace, and no flags meant for the server module.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, stderr.String())
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		return lines
	}

	t.Run("package", func(t *testing.T) {
		got := list(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
		if len(got) != 1 || got[0] != verifyModulePath {
			t.Fatalf("non-standard dependencies of the verify package: %q, want only %q", got, verifyModulePath)
		}
	})
	t.Run("tests", func(t *testing.T) {
		// With -test the list also holds the package's test variants:
		// "…/verify [ …/verify.test]", "…/verify_test [ …/verify.test]" and
		// "…/verify.test".
		got := list(t, "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
		for _, p := range got {
			base, _, _ := strings.Cut(p, " [")
			switch base {
			case verifyModulePath, verifyModulePath + "_test", verifyModulePath + ".test":
			default:
				t.Errorf("the verify module's tests depend on %q, outside the standard library", p)
			}
		}
		if len(got) < 2 {
			t.Errorf("go list -test listed %q: expected the test variants too", got)
		}
	})
	t.Run("module", func(t *testing.T) {
		got := list(t, "-m", "all")
		if len(got) != 1 || got[0] != verifyModulePath {
			t.Fatalf("go list -m all = %q, want only %q", got, verifyModulePath)
		}
	})
}
