package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/internal/storefront"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// envAsMain makes the test binary run as medusa-ls itself: the real-process tests start it that
// way, and so does the supervisor when it starts its child (it runs its own executable).
const envAsMain = "MEDUSA_LS_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	goleak.VerifyTestMain(m) // and no test leaves a goroutine running
}

// example copies examples/store into a temporary folder and returns it.
func example(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(dst, os.DirFS("../../examples/store")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestCommandLine runs the command line in-process: help, versions, and every kind of mistake,
// with the exit status and the line that says what to do.
func TestCommandLine(t *testing.T) {
	proj := example(t)
	notProject := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		code    int
		out     []string // in stdout
		errOut  []string // in stderr
		notOut  []string // not in stdout
		emptyIO bool     // stdout must stay empty (errors go to stderr)
	}{
		{name: "--help", args: []string{"--help"}, out: []string{"Usage:", "medusa-ls develop [DIR]", "medusa-ls COMMAND --help"}},
		{name: "-h", args: []string{"-h"}, out: []string{"Usage:"}},
		{name: "-help", args: []string{"-help"}, out: []string{"Usage:"}},
		{name: "help", args: []string{"help"}, out: []string{"Usage:", "run-job NAME"}},
		{name: "--version", args: []string{"--version"}, out: []string{"medusa-ls "}, notOut: []string{"Usage:"}},
		{name: "-v", args: []string{"-v"}, out: []string{"medusa-ls "}},
		{name: "version", args: []string{"version"}, out: []string{"medusa-ls "}},
		{name: "develop --help", args: []string{"develop", "--help"}, out: []string{
			"Usage: medusa-ls develop [DIR]", "--port N", "--host ADDR", "(default 127.0.0.1)", "--timeout D",
			"(default 5s)", "--request-timeout D", "(default 60s)", "--poll[=D]", "--runtime R", "(default auto)", "--hmr true|false", "--ignore PATTERN",
		}},
		{name: "develop -h", args: []string{"develop", "-h"}, out: []string{"--poll[=D]"}},
		{name: "start --help", args: []string{"start", "--help"}, out: []string{"--port N", "(default 5s)"}, notOut: []string{"--poll"}},
		{name: "check --help", args: []string{"check", "--help"}, out: []string{"--json", "--timeout D"}, notOut: []string{"--port"}},
		{name: "emit --help", args: []string{"emit", "--help"}, out: []string{"--data JSON", "(default {})", "--dir DIR"}},
		{name: "run-job --help", args: []string{"run-job", "--help"}, out: []string{"--dir DIR"}},
		{name: "serve --help", args: []string{"serve", "--help"}, out: []string{"--stdio", "--clientProcessId PID"}},
		{name: "help check", args: []string{"help", "check"}, out: []string{"Usage: medusa-ls check", "--json"}},
		{name: "flags after DIR", args: []string{"check", proj, "--json"}, out: []string{`"resources"`}},

		{name: "unknown command", args: []string{"devlop"}, code: 2, errOut: []string{`unknown command "devlop"; did you mean develop?`}, emptyIO: true},
		{name: "transposed command", args: []string{"chekc"}, code: 2, errOut: []string{"did you mean check?"}},
		{name: "far command", args: []string{"xyzzy"}, code: 2, errOut: []string{"commands: serve, develop, start, check, emit, run-job, version, help"}},
		{name: "folder as command", args: []string{proj}, code: 2, errOut: []string{"medusa-ls develop " + proj}},
		{name: "help unknown", args: []string{"help", "chek"}, code: 2, errOut: []string{"did you mean check?"}},
		{name: "unknown flag", args: []string{"check", "--jsn"}, code: 2, errOut: []string{"check: unknown flag --jsn; did you mean --json?"}, emptyIO: true},
		{name: "unknown flag with value", args: []string{"develop", "--prot=9000"}, code: 2, errOut: []string{"unknown flag --prot; did you mean --port?"}},
		{name: "prefix of a flag", args: []string{"develop", "--request"}, code: 2, errOut: []string{"did you mean --request-timeout?"}},
		{name: "top-level flag", args: []string{"--verison"}, code: 2, errOut: []string{"unknown flag --verison; did you mean --version?"}},
		{name: "serve flag", args: []string{"--stdoi"}, code: 2, errOut: []string{"did you mean --stdio?"}},
		{name: "another command's flag", args: []string{"check", "--port", "9000"}, code: 2, errOut: []string{"--port is a flag of develop and start"}},
		{name: "no such flag anywhere", args: []string{"check", "--zzzzzz"}, code: 2, errOut: []string{"unknown flag --zzzzzz. See medusa-ls check --help."}},
		{name: "duration without unit", args: []string{"develop", "--timeout", "5"}, code: 2, errOut: []string{"--timeout 5: a duration needs a unit: use 5s"}},
		{name: "request timeout without unit", args: []string{"start", "--request-timeout=60"}, code: 2, errOut: []string{"use 60s"}},
		{name: "check timeout without unit", args: []string{"check", "--timeout", "2"}, code: 2, errOut: []string{"use 2s"}},
		{name: "poll without unit", args: []string{"develop", "--poll=500"}, code: 2, errOut: []string{"--poll=500: a duration needs a unit: use 500ms"}},
		{name: "poll too fast", args: []string{"develop", "--poll=1ms"}, code: 2, errOut: []string{"at least 10ms"}},
		{name: "poll interval after a space", args: []string{"develop", proj, "--poll", "1s"}, code: 2, errOut: []string{"--poll=1s"}},
		{name: "not a duration", args: []string{"develop", "--timeout", "soon"}, code: 2, errOut: []string{"like 5s"}},
		{name: "port not a number", args: []string{"start", "--port", "x"}, code: 2, errOut: []string{"--port x: want a number"}},
		{name: "bool with a value", args: []string{"check", "--json=maybe"}, code: 2, errOut: []string{"--json=maybe: want true or false"}},
		{name: "hmr value", args: []string{"develop", "--hmr", "maybe"}, code: 2, errOut: []string{"--hmr maybe: want true or false"}},
		{name: "missing value", args: []string{"develop", "--port"}, code: 2, errOut: []string{"--port needs a value: --port N"}},
		{name: "two dirs", args: []string{"check", proj, proj}, code: 2, errOut: []string{"expected one directory"}},
		{name: "no such dir", args: []string{"check", filepath.Join(notProject, "nope")}, code: 2, errOut: []string{"is not a directory"}},
		{name: "not a project", args: []string{"develop", notProject}, code: 2, errOut: []string{"is not a Medusa project, nor inside one"}},
		{name: "serve arguments", args: []string{"serve", "extra"}, code: 2, errOut: []string{"serve takes no arguments"}},
		{name: "emit without event", args: []string{"emit"}, code: 2, errOut: []string{"which event?"}},
		{name: "emit bad JSON", args: []string{"emit", "x", "--data", "{"}, code: 2, errOut: []string{"--data is not valid JSON"}},
		{name: "emit not running", args: []string{"emit", "x", "--dir", filepath.Join(proj, "src")}, code: 1, errOut: []string{"no medusa-ls dev server is running for this project"}},
		{name: "run-job without name", args: []string{"run-job"}, code: 2, errOut: []string{"which job?"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, s := range tc.out {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.notOut {
				if strings.Contains(stdout.String(), s) {
					t.Errorf("stdout has %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.errOut {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
				t.Errorf("a usage error is one line, got:\n%s", stderr.String())
			}
			if tc.emptyIO && stdout.Len() != 0 {
				t.Errorf("stdout should be empty, got %q", stdout.String())
			}
		})
	}
}

func TestCloseness(t *testing.T) {
	cands := []string{"json", "timeout", "port", "host", "request-timeout", "help"}
	tests := map[string]string{"jsn": "json", "josn": "json", "JSON": "json", "timout": "timeout", "prot": "port",
		"hots": "host", "req": "request-timeout", "x": "", "verbose": "", "pr": ""}
	for in, want := range tests {
		if got := closest(in, cands); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// cli is medusa-ls in a real process (this test binary, run as main).
func cli(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), envAsMain+"=1"), env...)
	return cmd
}

// runCLI runs medusa-ls to its end and returns its exit status and output.
func runCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := cli(ctx, dir, nil, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("medusa-ls %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestRealProcessExitCodes checks the statuses a shell sees, through main and os.Exit.
func TestRealProcessExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--help"}, 0, "Usage:"},
		{[]string{"develop", "--help"}, 0, "--poll[=D]"},
		{[]string{"check", "--jsn"}, 2, ""},
		{[]string{"check"}, 2, ""},                        // not a project
		{[]string{"check", "--types", example(t)}, 2, ""}, // nothing checked: no TypeScript
		{[]string{"check", example(t)}, 0, " resources, 0 errors, 0 warnings"},
	} {
		code, out, _ := runCLI(t, dir, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("medusa-ls %v: exit %d, want %d; stdout %q", tc.args, code, tc.code, out)
		}
	}
}

// TestCheckFromSubfolder runs check in a folder inside the project: it finds the project above,
// and prints paths that are valid from where it runs.
func TestCheckFromSubfolder(t *testing.T) {
	t.Parallel()
	proj := example(t)
	broken := filepath.Join(proj, "src/api/store/broken/route.ts")
	os.MkdirAll(filepath.Dir(broken), 0o755)
	os.WriteFile(broken, []byte("export async function GET(req, res) {\n  res.json({ ok: true }\n}\n"), 0o644)
	code, out, errOut := runCLI(t, filepath.Join(proj, "src/api"), "check")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a syntax error)\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "store/broken/route.ts:") || strings.Contains(out, "src/api/store/broken") {
		t.Errorf("paths are not relative to the current folder:\n%s", out)
	}
	if !strings.Contains(out, "[syntax-error]") || !strings.Contains(out, "1 error,") {
		t.Errorf("no syntax error reported:\n%s", out)
	}
	if !strings.Contains(errOut, "project "+proj) {
		t.Errorf("stderr does not say which project it found: %q", errOut)
	}
	// From the project itself, paths are relative to it.
	_, out, errOut = runCLI(t, proj, "check")
	if !strings.Contains(out, "src/api/store/broken/route.ts:") || errOut != "" {
		t.Errorf("from the project root: stdout %q, stderr %q", out, errOut)
	}
}

// devServer is a medusa-ls develop running in the background until the test ends.
type devServer struct {
	cmd  *exec.Cmd
	out  *testutil.Buffer
	port int
}

func startDevelop(t *testing.T, dir string, env []string, args ...string) *devServer {
	t.Helper()
	return startServing(t, dir, env, time.Minute, "develop", args...)
}

// startServing runs `medusa-ls COMMAND --port P ARGS` in dir until the test ends, and returns
// once /health answers 200 (failing if it exits first, or after limit).
func startServing(t *testing.T, dir string, env []string, limit time.Duration, command string, args ...string) *devServer {
	t.Helper()
	port := testutil.FreePort(t)
	d := &devServer{out: &testutil.Buffer{}, port: port}
	d.cmd = cli(context.Background(), dir, env, append([]string{command, "--port", strconv.Itoa(port)}, args...)...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		err := d.cmd.Wait()
		fmt.Fprintf(d.out, "(%s exited: %v)\n", command, err)
		close(exited)
	}()
	t.Cleanup(func() {
		_ = d.cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = d.cmd.Process.Kill()
			<-exited
		}
	})
	// Ready once it says so, and then /health answers; fail at once if it exits instead.
	d.out.Wait(t, limit, func(out string) string {
		if strings.Contains(out, "("+command+" exited: ") {
			t.Fatalf("%s exited before serving:\n%s", command, out)
		}
		if !strings.Contains(out, " ready on http://") {
			return command + " has not said it is ready:\n" + out
		}
		return ""
	})
	resp, err := http.Get(d.url("/health"))
	if err != nil {
		t.Fatalf("%s said it is ready; /health: %v\n%s", command, err, d.out.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s said it is ready; /health answered %d\n%s", command, resp.StatusCode, d.out.String())
	}
	return d
}

func (d *devServer) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(d.port) + path
}

// TestBusyPort starts the example's dev server, then asks for its port again: from inside the
// same project (its own dev server), from another project (another Medusa server), and on ports
// held by a plain HTTP server and by a socket that does not speak HTTP.
func TestBusyPort(t *testing.T) {
	t.Parallel()
	proj := example(t)
	d := startDevelop(t, proj, nil)
	port := strconv.Itoa(d.port)

	code, _, errOut := runCLI(t, filepath.Join(proj, "src"), "develop", "--port", port)
	if code != 1 || !strings.Contains(errOut, "port "+port+" is taken by this project's own dev server") {
		t.Errorf("same project: exit %d, stderr:\n%s", code, errOut)
	}
	other := example(t)
	code, _, errOut = runCLI(t, other, "start", "--port", port)
	if code != 1 || !strings.Contains(errOut, "is taken by another Medusa server") {
		t.Errorf("another project: exit %d, stderr:\n%s", code, errOut)
	}

	web := httptest.NewServer(http.NotFoundHandler())
	defer web.Close()
	_, webPort, _ := net.SplitHostPort(web.Listener.Addr().String())
	code, _, errOut = runCLI(t, proj, "start", "--port", webPort)
	if code != 1 || !strings.Contains(errOut, "is taken by another HTTP server") {
		t.Errorf("plain HTTP server: exit %d, stderr:\n%s", code, errOut)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and say nothing, then hang up
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	_, rawPort, _ := net.SplitHostPort(ln.Addr().String())
	code, _, errOut = runCLI(t, other, "develop", "--port", rawPort)
	if code != 1 || !strings.Contains(errOut, "port "+rawPort+" is taken by another program") {
		t.Errorf("raw socket: exit %d, stderr:\n%s", code, errOut)
	}
	if n := inotifyCount(t, d.cmd.Process.Pid); n == 0 {
		t.Errorf("develop without --poll has no inotify instance (the poll test's check would prove nothing)")
	}
}

// inotifyCount counts a process's inotify instances (Linux).
func inotifyCount(t *testing.T, pid int) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd.Name()); err == nil && target == "anon_inode:inotify" {
			n++
		}
	}
	return n
}

// TestPoll runs develop with --poll (and with CHOKIDAR_USEPOLLING) and checks that it watches
// without file events, and that a saved file is still served.
func TestPoll(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: counting inotify instances needs Linux's /proc")
	}
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		says string
	}{
		{"flag", []string{"CHOKIDAR_USEPOLLING=false"}, []string{"--poll=40ms"}, "polling for file changes every 40ms (--poll)"},
		{"environment", []string{"CHOKIDAR_USEPOLLING=true", "CHOKIDAR_INTERVAL=40"}, nil, "polling for file changes every 40ms (CHOKIDAR_USEPOLLING)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			proj := example(t)
			d := startDevelop(t, proj, tc.env, tc.args...)
			if !strings.Contains(d.out.String(), tc.says) {
				t.Errorf("no %q in:\n%s", tc.says, d.out.String())
			}
			if n := inotifyCount(t, d.cmd.Process.Pid); n != 0 {
				t.Errorf("polling, yet %d inotify instances", n)
			}
			route := filepath.Join(proj, "src/api/store/hello/route.ts")
			src, _ := os.ReadFile(route)
			os.WriteFile(route, bytes.Replace(src, []byte("Hello from"), []byte("Polled hello from"), 1), 0o644)
			// The reload says so in the output; then the route serves the saved code.
			d.out.Wait(t, 30*time.Second, func(out string) string {
				if !strings.Contains(out, "reloaded src/api/store/hello/route.ts") {
					return "the saved route was not reloaded within 30s:\n" + out
				}
				return ""
			})
			resp, err := storefront.Client(0).Get(d.url("/store/hello"))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "Polled hello") {
				t.Fatalf("after the reload: %s\n%s", body, d.out.String())
			}
		})
	}
}

// TestStartOnRealProject runs `start` in a project that has Medusa installed: it serves the
// project's own Medusa (not the embedded runtime, which cannot run its data models) and says
// that it does not reload.
func TestStartOnRealProject(t *testing.T) {
	root := medusafixture.ForTest(t, nil)
	d := startServing(t, root, nil, 3*time.Minute, "start")
	resp, err := http.Get(d.url("/hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := d.out.String()
	if resp.StatusCode != 200 || !strings.Contains(out, "runtime: node") || !strings.Contains(out, "Serving without reloads") {
		t.Fatalf("GET /hello = %d; output:\n%s", resp.StatusCode, out)
	}
	if strings.Contains(out, "unsupported") {
		t.Fatalf("the embedded runtime ran:\n%s", out)
	}
}
