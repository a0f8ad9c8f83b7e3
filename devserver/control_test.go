//go:build unix

package devserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/report"
	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// The second user the tests act as, and the helper it runs: a small program built from the
// source below, because the test binary's own directory is not readable by that user.
const (
	otherUID = "65534"
	peerSrc  = `package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	switch os.Args[1] {
	case "mkdir": // mkdir DIR: a directory open to everyone, owned by this user
		if err := os.Mkdir(os.Args[2], 0o777); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Chmod(os.Args[2], 0o777)
		fmt.Println("made")
	case "listen": // listen PATH: answer like a dev server, report what the client sent
		os.Remove(os.Args[2])
		ln, err := net.Listen("unix", os.Args[2])
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Chmod(os.Args[2], 0o777)
		fmt.Println("listening")
		ln.(*net.UnixListener).SetDeadline(time.Now().Add(20 * time.Second))
		c, err := ln.Accept()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		c.Write([]byte("{\"proto\":\"medusa-ls-control/1\",\"ok\":true,\"data\":{\"forged\":true}}\n"))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(c)
		fmt.Printf("received %d bytes: %q\n", len(b), b)
	case "dial": // dial PATH LINE: send a request, print the answer
		c, err := net.Dial("unix", os.Args[2])
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		c.Write([]byte(os.Args[3] + "\n"))
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		fmt.Printf("answer: %s", b)
	}
}
`
)

// asOtherUser returns a function that runs the peer helper as another user, or skips the test
// when this process cannot switch users.
func asOtherUser(t *testing.T) func(args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("acting as a second user needs root (setpriv); run the tests as root to cover foreign peers")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("acting as a second user needs setpriv (util-linux), which is not installed")
	}
	dir, err := os.MkdirTemp("", "medusa-ls-peer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "peer.go"), []byte(peerSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "peer")
	build := exec.Command("go", "build", "-o", bin, "peer.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "GO111MODULE=off", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the peer helper: %v\n%s", err, out)
	}
	return func(args ...string) *exec.Cmd {
		return exec.Command(setpriv, append([]string{"--reuid=" + otherUID, "--regid=" + otherUID, "--clear-groups", bin}, args...)...)
	}
}

// sharedTemp makes a temporary directory that every user may write to, as /tmp is, and points
// os.TempDir at it for this test (XDG_RUNTIME_DIR is unset so that it is used).
func sharedTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "medusa-ls-tmp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", dir)
	t.Setenv("XDG_RUNTIME_DIR", "")
	return dir
}

// startPeerListener runs the helper as the other user listening at path, and returns a function
// that waits for it and returns its report.
func startPeerListener(t *testing.T, other func(...string) *exec.Cmd, path string) func() string {
	t.Helper()
	cmd := other("listen", path)
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	out.Wait(t, 20*time.Second, func(s string) string {
		if strings.Contains(s, "error") {
			t.Fatalf("peer listener: %s", s)
		}
		if !strings.Contains(s, "listening") {
			return "the peer listener has not said it listens: " + s
		}
		return ""
	})
	return func() string {
		_ = cmd.Wait()
		return out.String()
	}
}

func newProject(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "medusa-config.ts"), []byte("module.exports = {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestControlDirectoryAndSocketArePrivate(t *testing.T) {
	tmp := sharedTemp(t)
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path, err := ControlPath(newProject(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if filepath.Dir(dir) != tmp {
		t.Fatalf("socket %s is not in a directory under TMPDIR %s", path, tmp)
	}
	fi, err := os.Lstat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 || ownedByUs(fi) != nil {
		t.Fatalf("directory %s: %v %v (want 0700, ours, even with umask 000)", dir, fi.Mode(), err)
	}
	ln, err := listenControl(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, err = os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %s: %v %v (want a 0600 socket)", path, fi.Mode(), err)
	}

	t.Run("XDG_RUNTIME_DIR when it is ours and private", func(t *testing.T) {
		xdg := t.TempDir()
		os.Chmod(xdg, 0o700)
		t.Setenv("XDG_RUNTIME_DIR", xdg)
		p, err := ControlPath(newProject(t))
		if err != nil || filepath.Dir(p) != filepath.Join(xdg, "medusa-ls") {
			t.Fatalf("%s %v", p, err)
		}
		os.Chmod(xdg, 0o755) // open to others: not used
		if p, err := ControlPath(newProject(t)); err != nil || filepath.Dir(filepath.Dir(p)) != tmp {
			t.Fatalf("an XDG_RUNTIME_DIR open to others was used: %s %v", p, err)
		}
	})
	t.Run("an open directory of ours is refused", func(t *testing.T) {
		os.Chmod(dir, 0o777)
		defer os.Chmod(dir, 0o700)
		if _, err := ControlPath(newProject(t)); err == nil || !strings.Contains(err.Error(), "mode is 0777") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("a symlink is refused", func(t *testing.T) {
		os.Rename(dir, dir+".real")
		defer os.Rename(dir+".real", dir)
		os.Symlink(dir+".real", dir)
		defer os.Remove(dir)
		if _, err := ControlPath(newProject(t)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("err %v", err)
		}
	})
}

// A directory another user made at our name is never used, by the server or by clients, and the
// socket that user listens on there receives nothing.
func TestControlRefusesAnotherUsersDirectory(t *testing.T) {
	other := asOtherUser(t)
	tmp := sharedTemp(t)
	root := newProject(t)
	dir := filepath.Join(tmp, "medusa-ls-"+strconv.Itoa(os.Geteuid()))
	if out, err := other("mkdir", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	path := filepath.Join(dir, controlName(root))
	report := startPeerListener(t, other, path)

	_, err := Control(context.Background(), root, "emit-event", map[string]string{"secret": "payload"})
	if err == nil || !strings.Contains(err.Error(), "owned by uid "+otherUID) {
		t.Fatalf("Control: %v", err)
	}
	s, out := testSupervisor(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.serveControl(ctx) // returns at once: it cannot serve there
	if !strings.Contains(out.String(), "unavailable") || !strings.Contains(out.String(), "owned by uid "+otherUID) {
		t.Fatalf("supervisor log:\n%s", out.String())
	}
	// Let the listener give up: dial it ourselves (it is not ours to trust, only to end).
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
	}
	if r := report(); !strings.Contains(r, "received 0 bytes") {
		t.Fatalf("the other user's socket received data: %s", r)
	}
}

// The client checks who listens: another user's socket gets no request, whatever its path.
func TestControlClientRefusesAnotherUsersSocket(t *testing.T) {
	other := asOtherUser(t)
	tmp := sharedTemp(t)
	path := filepath.Join(tmp, "foreign.sock")
	report := startPeerListener(t, other, path)
	_, err := controlAt(context.Background(), path, "emit-event", map[string]string{"secret": "payload"})
	if err == nil || !strings.Contains(err.Error(), "uid "+otherUID) {
		t.Fatalf("controlAt: %v", err)
	}
	if r := report(); !strings.Contains(r, "received 0 bytes") {
		t.Fatalf("the other user's socket received data: %s", r)
	}
}

// The server checks who connects: another user's request is refused and never runs, even when
// the socket's mode would let it connect.
func TestControlServerRefusesAnotherUser(t *testing.T) {
	other := asOtherUser(t)
	tmp := sharedTemp(t)
	path := filepath.Join(tmp, "open.sock")
	ln, err := listenControl(path)
	if err != nil {
		t.Fatal(err)
	}
	var ran atomic.Int32
	log := &testutil.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go serveControlOn(ctx, ln, func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
		ran.Add(1)
		return json.RawMessage(`{"ran":true}`), nil
	}, func(s string) { log.Write([]byte(s + "\n")) })
	req := `{"proto":"medusa-ls-control/1","command":"run-job","args":{"name":"x"}}`

	// The socket's mode alone keeps the other user out.
	if out, _ := other("dial", path, req).CombinedOutput(); !strings.Contains(string(out), "permission denied") {
		t.Fatalf("the other user connected to a 0600 socket: %s", out)
	}
	// With the mode opened, the peer check still refuses.
	os.Chmod(path, 0o666)
	out, _ := other("dial", path, req).CombinedOutput()
	if !strings.Contains(string(out), `"ok":false`) || !strings.Contains(string(out), "uid "+otherUID) || strings.Contains(string(out), "ran") {
		t.Fatalf("answer to the other user: %s", out)
	}
	if ran.Load() != 0 {
		t.Fatal("a command from another user ran")
	}
	if !strings.Contains(log.String(), "refused a command connection: the peer runs as uid "+otherUID) {
		t.Fatalf("log: %s", log.String())
	}
	// The owner is served.
	if raw, err := controlAt(ctx, path, "run-job", nil); err != nil || string(raw) != `{"ran":true}` {
		t.Fatalf("owner: %s %v", raw, err)
	}
}

// Whatever is found at the socket's path is trusted only if it answers the handshake: a plain
// file, a silent socket and a socket that speaks something else are all replaced.
func TestControlReplacesStaleSockets(t *testing.T) {
	sharedTemp(t)
	root := newProject(t)
	path, err := ControlPath(root)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(t *testing.T) {
		t.Helper()
		s, out := testSupervisor(t, root)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s.serveControl(ctx) // returns after its first attempt; the rest run in the background
		ours := func() error {
			attempt, stop := context.WithTimeout(ctx, 10*time.Second)
			defer stop()
			raw, err := Control(attempt, root, cmdPing, nil)
			var p pingData
			if err == nil && (json.Unmarshal(raw, &p) != nil || p.PID != os.Getpid()) {
				err = fmt.Errorf("answered by another: %s", raw)
			}
			return err
		}
		if ours() == nil {
			return // it took the socket over at once
		}
		// Else it takes the socket over in the background, and says so.
		out.Wait(t, 10*time.Second, func(s string) string {
			if !strings.Contains(s, "commands from other processes now reach this dev server") {
				return "control never answered:\n" + s
			}
			return ""
		})
		if err := ours(); err != nil {
			t.Fatalf("control after the takeover: %v\n%s", err, out.String())
		}
	}
	t.Run("plain file", func(t *testing.T) {
		if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Control(context.Background(), root, cmdPing, nil); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "not a socket") {
			t.Fatalf("client on a plain file: %v", err)
		}
		serve(t)
	})
	// A socket of ours that speaks the protocol for another project is not trusted by develop
	// (clients trust any process of their own user, which can do what they can anyway).
	fake := func(t *testing.T, answer string) {
		os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			var held []net.Conn // a silent peer keeps its connections open
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
				if answer != "" {
					bufio.NewReader(c).ReadString('\n')
					c.Write([]byte(answer))
					c.Close()
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err = Control(ctx, root, cmdPing, nil)
		if !strings.Contains(answer, "elsewhere") && (err == nil || (answer != "" && !errors.Is(err, ErrNotRunning))) {
			t.Fatalf("client trusted %q: %v", answer, err)
		}
		serve(t)
	}
	t.Run("silent socket", func(t *testing.T) { fake(t, "") })
	t.Run("another protocol", func(t *testing.T) { fake(t, "{\"ok\":true,\"data\":{\"pid\":1}}\n") })
	t.Run("another project", func(t *testing.T) {
		fake(t, "{\"proto\":\"medusa-ls-control/1\",\"ok\":true,\"data\":{\"pid\":1,\"root\":\"/elsewhere\"}}\n")
	})
}

// A request line over the limit is answered with an error and never buffered whole.
func TestControlRequestSizeLimit(t *testing.T) {
	sharedTemp(t)
	path := filepath.Join(os.Getenv("TMPDIR"), "limit.sock")
	ln, err := listenControl(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran atomic.Int32
	go serveControlOn(ctx, ln, func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
		ran.Add(1)
		return nil, nil
	}, func(string) {})

	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const sent = 300 << 20 // 300 MiB with no newline
	go func() {
		_, _ = io.Copy(c, io.LimitReader(testutil.Repeat('a'), sent))
	}()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	answer, err := bufio.NewReader(c).ReadString('\n')
	goruntime.ReadMemStats(&after)
	if err != nil || !strings.Contains(answer, "request too large: the limit is 1048576 bytes") {
		t.Fatalf("answer %q %v", answer, err)
	}
	if ran.Load() != 0 {
		t.Fatal("the oversized request ran")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Fatalf("reading an oversized request allocated %d MiB", grew>>20)
	}
	t.Logf("allocated %.1f MiB while refusing a 300 MiB request line", float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if _, err := controlAt(ctx, path, "x", map[string]string{"big": strings.Repeat("b", MaxControlRequest)}); !errors.Is(err, ErrControlTooLarge) {
		t.Fatalf("client sent an oversized request: %v", err)
	}
}

func testSupervisor(t *testing.T, root string) (*Supervisor, *testutil.Buffer) {
	t.Helper()
	out := &testutil.Buffer{}
	s, err := New(Options{Root: root, Output: out, Runtime: RuntimeEmbedded, Exe: "/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	s.prefix = report.PrefixHMR
	return s, out
}
