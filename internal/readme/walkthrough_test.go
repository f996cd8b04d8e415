//go:build unix

// Package readme keeps the README's walk-throughs true: each one is run as written, with bash,
// curl and jq, against a fresh server started with the variables its server block sets.
package readme

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Placeholder addresses in the README, rewritten to free ports on 127.0.0.1.
const (
	readmeServerAddr   = "localhost:8080"
	readmeReceiverAddr = "localhost:9000"
	walkthroughTimeout = 60 * time.Second
)

// walkthrough is one walk-through of the README: the server's variables and its shell blocks
// in order.
type walkthrough struct {
	name   string
	env    []string
	script strings.Builder
	blocks int
}

var (
	markerRe = regexp.MustCompile(`^<!-- walkthrough: ([a-z]+)( server)? -->$`)
	assignRe = regexp.MustCompile(`^(DSB_[A-Z0-9_]+)=(.*)$`)
)

// checks says what each walk-through's output must show once it ran to the end.
var checks = map[string]func(t *testing.T, out string){
	"main": func(t *testing.T, out string) {
		wantAll(t, out, `"status": "delivered"`, `"status": "replied"`, `"status": "completed"`,
			`"status_label": "已完成"`, `"rated_count": 1`, `"satisfaction": 9`, `"grade": "recommended"`)
	},
	"refresh": func(t *testing.T, out string) {
		wantAll(t, out, "HTTP/1.1 401", `"code":"invalid_token"`, `"token_type": "Bearer"`,
			"Idempotent-Replayed: true", `"real_name": "李四"`)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if n := len(lines); n < 3 || lines[n-1] != "401" || lines[n-3] != "401" {
			t.Errorf("the spent refresh token and then the revoked new one should both answer 401; the output ends with:\n%s",
				strings.Join(lines[max(0, n-4):], "\n"))
		}
	},
	"merchant": func(t *testing.T, out string) {
		wantAll(t, out, `"channel": "refund_only"`, `"status": "delivered"`, `平台即时受理`,
			`"status": "replied"`, `"status": "completed"`, `"score": 8`)
	},
	"webhook": func(t *testing.T, out string) {
		wantAll(t, out, "\n401\n", `"state": "succeeded"`, `"response_status": 204`)
		var seen bool
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var ev struct{ ID, Type string }
			if line := sc.Text(); strings.HasPrefix(line, `{"id":"evt_`) && json.Unmarshal([]byte(line), &ev) == nil {
				seen = seen || ev.Type == "webhook.test"
			}
		}
		if !seen {
			t.Error("the receiver printed no verified webhook.test event")
		}
	},
}

func wantAll(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("the output lacks %q", w)
		}
	}
}

func TestWalkthroughs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the README walk-throughs start servers and take a few seconds each")
	}
	for _, tool := range []string{"bash", "curl", "jq", "openssl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README walk-throughs need %s on PATH: %v", tool, err)
		}
	}
	root := moduleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	wts, err := parse(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	for name := range checks {
		if _, ok := wts[name]; !ok {
			t.Errorf("README.md has no walk-through %q", name)
		}
	}
	for name := range wts {
		if _, ok := checks[name]; !ok {
			t.Errorf("README.md has a walk-through %q that this test does not check; add it to checks", name)
		}
	}
	if t.Failed() {
		return
	}

	bin := filepath.Join(t.TempDir(), "dsb")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for name, wt := range wts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := run(t, root, bin, wt)
			checks[name](t, out)
			if t.Failed() {
				t.Logf("walk-through output:\n%s", out)
			}
		})
	}
}

// parse collects the marked sh blocks of the README by walk-through, in order.
func parse(readme string) (map[string]*walkthrough, error) {
	wts := map[string]*walkthrough{}
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		m := markerRe.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			if strings.HasPrefix(strings.TrimSpace(lines[i]), "<!-- walkthrough") {
				return nil, fmt.Errorf("README.md:%d: a walk-through marker this test cannot read: %q", i+1, lines[i])
			}
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "```sh" {
			return nil, fmt.Errorf("README.md:%d: the marker must be followed at once by a ```sh block", i+1)
		}
		start := i + 2
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("README.md:%d: the block never ends", i+2)
		}
		body := lines[start:end]
		i = end
		wt := wts[m[1]]
		if wt == nil {
			wt = &walkthrough{name: m[1]}
			wts[m[1]] = wt
		}
		if m[2] == "" {
			wt.script.WriteString(strings.Join(body, "\n") + "\n")
			wt.blocks++
			continue
		}
		if wt.env != nil {
			return nil, fmt.Errorf("README.md:%d: walk-through %q has a second server block", start, m[1])
		}
		env, err := serverEnv(body)
		if err != nil {
			return nil, fmt.Errorf("README.md:%d: %w", start, err)
		}
		wt.env = env
	}
	for name, wt := range wts {
		if wt.env == nil || wt.blocks == 0 {
			return nil, fmt.Errorf("walk-through %q needs one server block and at least one block of commands", name)
		}
	}
	return wts, nil
}

// serverEnv reads the VAR=value assignments before `go run .` in a server block.
func serverEnv(block []string) ([]string, error) {
	for _, line := range block {
		before, _, ok := strings.Cut(line, "go run .")
		if !ok {
			continue
		}
		env := []string{}
		for _, f := range strings.Fields(before) {
			m := assignRe.FindStringSubmatch(f)
			if m == nil {
				return nil, fmt.Errorf("the server command sets %q; only unquoted DSB_VAR=value assignments are understood", f)
			}
			env = append(env, m[1]+"="+m[2])
		}
		return env, nil
	}
	return nil, errors.New("the server block has no `go run .` line")
}

// run starts a fresh server for wt, runs its commands with bash and returns their output.
func run(t *testing.T, root, bin string, wt *walkthrough) string {
	serverAddr, receiverAddr := freeAddr(t), freeAddr(t)
	serverDir := t.TempDir()
	logPath := filepath.Join(serverDir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	srv := exec.Command(bin)
	srv.Dir = serverDir // ./data is new
	srv.Env = append(cleanEnv(), wt.env...)
	srv.Env = append(srv.Env, "DSB_HTTP_ADDR="+serverAddr)
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		<-exited
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("server log:\n%s", b)
		}
	})
	waitReady(t, serverAddr, exited)

	script := strings.NewReplacer(readmeServerAddr, serverAddr, readmeReceiverAddr, receiverAddr).
		Replace(wt.script.String())
	work := workTree(t, root)
	tmp := t.TempDir()
	outPath, tracePath := filepath.Join(tmp, "output"), filepath.Join(tmp, "trace")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	trace, err := os.Create(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	defer trace.Close()

	ctx, cancel := context.WithTimeout(context.Background(), walkthroughTimeout)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-c", "set -euo pipefail -x\n"+script)
	sh.Dir = work
	// The commands are traced to their own file (descriptor 3), shown when one fails.
	sh.Env = append(cleanEnv(), "BASH_XTRACEFD=3", "TMPDIR="+t.TempDir())
	sh.Stdout, sh.Stderr = out, out
	sh.ExtraFiles = []*os.File{trace}
	// Its own process group, so that what the walk-through starts in the background (the
	// webhook receiver) ends with it.
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sh.Cancel = func() error { return syscall.Kill(-sh.Process.Pid, syscall.SIGKILL) }
	err = sh.Run()
	if sh.Process != nil {
		stopGroup(sh.Process.Pid)
	}
	b, _ := os.ReadFile(outPath)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("still running after %s", walkthroughTimeout)
		}
		tr, _ := os.ReadFile(tracePath)
		t.Fatalf("walk-through %q failed: %v\n--- output:\n%s\n--- the last commands:\n%s", wt.name, err, b, tail(string(tr), 15))
	}
	return string(b)
}

// stopGroup ends what is left of a walk-through's process group. Interrupt first, as Ctrl-C
// would: `go run` then stops its program and removes its build directory; what is still
// there after two seconds is killed.
func stopGroup(pgid int) {
	if syscall.Kill(-pgid, syscall.SIGINT) != nil {
		return // nothing left
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(-pgid, 0) != nil {
			return
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// cleanEnv is the test's environment without any DSB_ variable, so that only what a
// walk-through sets reaches its server and commands.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DSB_") {
			env = append(env, kv)
		}
	}
	return env
}

// workTree is a directory standing for the repository root (its entries linked), so that
// `go run ./scripts/…` works there and the files a walk-through writes stay out of the tree.
func workTree(t *testing.T, root string) string {
	dir := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.Name() == "data" {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz until the server answers 200, failing if it exits first.
func waitReady(t *testing.T, addr string, exited <-chan struct{}) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatal("the server exited before it was ready")
		default:
		}
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server at %s was not ready within 30 s", addr)
}
