package devserver

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
	"github.com/medusa-ls/medusa-ls/project"
)

// The control socket lets another process reach a running supervisor: `medusa-ls emit` and
// `medusa-ls run-job` in a terminal talk to the `develop` (or the editor's dev server) of the
// same project. One JSON request per connection, one JSON answer.
//
// Only the user who runs the dev server may drive it, and a client only talks to a server of
// its own user:
//   - the socket lives in a per-user directory that only its owner can enter: on Unix
//     $XDG_RUNTIME_DIR/medusa-ls when XDG_RUNTIME_DIR is a directory of ours with no access for
//     others, else <os.TempDir()>/medusa-ls-<uid>, created 0700 and refused when it is not a
//     real directory owned by us with no group or other permissions;
//   - the socket itself is 0600;
//   - both ends check the peer's uid (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS and
//     FreeBSD) and hang up on another user; on Unix systems where the peer cannot be asked,
//     commands are refused;
//   - what is found at the path is never trusted by its name alone: a plain file, a socket of
//     another user, or a socket that does not answer the handshake is replaced by `develop`
//     and refused by clients.
//
// On Windows the socket lives in the user's local application data directory, whose ACL
// admits only that user (and administrators); Windows has no peer-credential call for AF_UNIX
// sockets, so that directory is the rule.

// controlProto names the protocol in every request and answer; a peer that does not echo it is
// not a medusa-ls dev server.
const controlProto = "medusa-ls-control/1"

// MaxControlRequest is the longest request line the control socket reads, in bytes; a longer
// one is answered with an error and the connection is closed.
const MaxControlRequest = 1 << 20

// maxControlResponse is the longest answer a client reads, in bytes.
const maxControlResponse = 16 << 20

// cmdPing is the handshake: the server answers with its pid and project root.
const cmdPing = "ping"

type controlRequest struct {
	Proto   string          `json:"proto"`
	Command string          `json:"command"`
	Args    json.RawMessage `json:"args,omitempty"`
}

type controlResponse struct {
	Proto string          `json:"proto"`
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error string          `json:"error,omitempty"`
}

type pingData struct {
	PID  int    `json:"pid"`
	Root string `json:"root"`
}

// ErrNotRunning means no supervisor serves the project.
var ErrNotRunning = errors.New("no medusa-ls dev server is running for this project")

// ErrControlTooLarge is a request or answer line longer than its limit.
var ErrControlTooLarge = errors.New("control message too large")

// ControlPath is the control socket of the supervisor serving root. It creates the per-user
// directory when needed, and returns an error when that directory is not safe to use (owned by
// another user, open to others, a symbolic link).
func ControlPath(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err == nil {
		root = abs
	}
	root = project.RealRoot(root) // one socket, by whichever path the project is named
	dir, err := controlDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, controlName(root)), nil
}

// controlName is the socket's name for the absolute project root.
func controlName(root string) string {
	sum := sha256.Sum256([]byte(root))
	return hex.EncodeToString(sum[:8]) + ".sock"
}

// controlHandler runs one command for a control connection.
type controlHandler func(ctx context.Context, command string, args json.RawMessage) (json.RawMessage, error)

// serveControl answers control requests until ctx ends. While another medusa-ls of this user
// serves the project's commands, it waits, and takes the socket over once that one is gone.
// The first attempt runs before it returns (so that commands work as soon as the port
// answers); the rest run in the background.
func (s *Supervisor) serveControl(ctx context.Context) {
	path, err := ControlPath(s.root)
	if err != nil {
		s.logf("%s commands from other processes (emit, run-job) are unavailable: %v", s.prefix, err)
		return
	}
	srv := controlServer{
		handle: func(ctx context.Context, command string, args json.RawMessage) (json.RawMessage, error) {
			if command == cmdPing {
				return json.Marshal(pingData{PID: os.Getpid(), Root: s.root})
			}
			if data, ok, err := s.supervisorCommand(ctx, command, args); ok {
				return data, err
			}
			return s.Call(ctx, ipc.Command(command), args)
		},
		subscribe: func() (Snapshot, <-chan Event, func()) {
			// Subscribed before the snapshot is taken: an event in between is seen twice
			// rather than never.
			events, cancel := s.subs.add()
			return s.snapshot(), events, cancel
		},
		logf: func(msg string) { s.logf("%s %s", s.prefix, msg) },
	}
	try := func() bool {
		if _, ok := probeControl(path, s.root); ok {
			return false
		}
		ln, err := listenControl(path)
		if err != nil {
			return false // another process took it first
		}
		go srv.serve(ctx, ln)
		return true
	}
	if pid, ok := probeControl(path, s.root); ok {
		s.logf("%s another medusa-ls (pid %d) serves this project's commands (%s); emit and run-job reach that one until it exits", s.prefix, pid, path)
	} else if try() {
		return
	}
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if try() {
				s.logf("%s commands from other processes now reach this dev server (%s)", s.prefix, path)
				return
			}
		}
	}()
}

// probeControl says whether a medusa-ls dev server of this user for root answers at path, with
// its pid. Whatever else is there (a plain file, another user's socket, a socket nobody answers
// on, something that does not speak the protocol) is not trusted, and is removed so that this
// process can listen there: the directory is ours, so only we (or root) put it there.
func probeControl(path, root string) (int, bool) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false
	}
	if err == nil && fi.Mode()&os.ModeSocket != 0 && ownedByUs(fi) == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		raw, err := controlAt(ctx, path, cmdPing, nil)
		cancel()
		var p pingData
		if err == nil && json.Unmarshal(raw, &p) == nil && p.Root == root && p.PID > 0 {
			return p.PID, true
		}
	}
	_ = os.Remove(path)
	return 0, false
}

// listenControl listens on a Unix socket at path, readable and writable by its owner only.
func listenControl(path string) (net.Listener, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // removed below, only if it is still ours
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restricting %s to its owner: %w", path, err)
	}
	return &controlListener{Listener: ln, path: path}, nil
}

// controlListener removes its socket file on Close, unless another process has replaced it.
type controlListener struct {
	net.Listener
	path string
}

func (l *controlListener) Close() error {
	fi, statErr := os.Lstat(l.path)
	err := l.Listener.Close()
	if statErr == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(l.path)
	}
	return err
}

// controlServer answers a control socket.
type controlServer struct {
	handle controlHandler
	// subscribe, when set, serves ControlSubscribe: the snapshot, the events that follow, and
	// how to stop them.
	subscribe func() (Snapshot, <-chan Event, func())
	logf      func(string) // refused connections
}

// serveControlOn answers control requests on ln with handle until ctx ends, then closes ln.
// Connections from another user are refused and reported through logf.
func serveControlOn(ctx context.Context, ln net.Listener, handle controlHandler, logf func(string)) {
	controlServer{handle: handle, logf: logf}.serve(ctx, ln)
}

func (srv controlServer) serve(ctx context.Context, ln net.Listener) {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		if ctx.Err() != nil {
			// Stopping: the listener is about to close, and the subscriptions are ending. A
			// client that reconnects in between must not attach to a dev server that is going
			// (an editor would mirror its last "ready" and then take over a second time).
			conn.Close()
			return
		}
		go srv.handleConn(ctx, conn)
	}
}

func (srv controlServer) handleConn(ctx context.Context, conn net.Conn) {
	handle, logf := srv.handle, srv.logf
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	reply := func(resp controlResponse) {
		resp.Proto = controlProto
		b, _ := json.Marshal(resp)
		_, _ = conn.Write(append(b, '\n'))
	}
	if err := checkPeer(conn); err != nil {
		logf(fmt.Sprintf("refused a command connection: %v", err))
		reply(controlResponse{Error: "permission denied: " + err.Error()})
		return
	}
	r := bufio.NewReader(conn)
	line, err := readLine(r, MaxControlRequest)
	if errors.Is(err, ErrControlTooLarge) {
		reply(controlResponse{Error: fmt.Sprintf("request too large: the limit is %d bytes", MaxControlRequest)})
		return
	}
	if err != nil {
		return
	}
	_ = conn.SetDeadline(time.Time{})
	var req controlRequest
	if err := json.Unmarshal(line, &req); err != nil {
		reply(controlResponse{Error: "bad request: " + err.Error()})
		return
	}
	if req.Proto != controlProto {
		reply(controlResponse{Error: fmt.Sprintf("bad request: protocol %q, want %q", req.Proto, controlProto)})
		return
	}
	if req.Command == ControlSubscribe && srv.subscribe != nil {
		streamEvents(ctx, conn, r, srv.subscribe)
		return
	}
	data, err := handle(ctx, req.Command, req.Args)
	if err != nil {
		reply(controlResponse{Error: err.Error()})
		return
	}
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	reply(controlResponse{OK: true, Data: data})
}

// readLine reads one line of at most limit bytes (newline excluded). Longer lines are not
// buffered: reading stops at the limit with ErrControlTooLarge. A last line without a newline
// is returned with io.EOF only if it is empty.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > limit+1 {
			return nil, fmt.Errorf("%w: over %d bytes", ErrControlTooLarge, limit)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// Control sends a command to the supervisor serving root and returns its result. It returns
// ErrNotRunning (wrapped) when no dev server of this user serves root, and an error naming the
// problem when the socket directory or the socket is not this user's.
func Control(ctx context.Context, root, command string, args any) (json.RawMessage, error) {
	abs, err := filepath.Abs(root)
	if err == nil {
		root = abs
	}
	path, err := trustedControlPath(root)
	if err != nil {
		return nil, err
	}
	return controlAt(ctx, path, command, args)
}

// trustedControlPath is the control socket of the absolute root, when what is there is a
// socket of this user's; the caller still checks the peer once connected.
func trustedControlPath(root string) (string, error) {
	path, err := ControlPath(root)
	if err != nil {
		return "", fmt.Errorf("cannot reach the dev server safely: %w", err)
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w (start it with: medusa-ls develop %s)", ErrNotRunning, root)
	}
	if err != nil {
		return "", fmt.Errorf("cannot reach the dev server: %w", err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return "", fmt.Errorf("%w: %s is not a socket (a stale file; `medusa-ls develop` replaces it)", ErrNotRunning, path)
	}
	if err := ownedByUs(fi); err != nil {
		return "", fmt.Errorf("refusing to talk to %s: %w", path, err)
	}
	return path, nil
}

// controlAt sends one command over the socket at path, after checking that the process that
// listens there runs as this user.
func controlAt(ctx context.Context, path, command string, args any) (json.RawMessage, error) {
	var raw json.RawMessage
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			return nil, fmt.Errorf("encoding the %s arguments: %w", command, err)
		}
		raw = b
	}
	b, err := json.Marshal(controlRequest{Proto: controlProto, Command: command, Args: raw})
	if err != nil {
		return nil, err
	}
	if len(b) > MaxControlRequest {
		return nil, fmt.Errorf("%w: %s request of %d bytes, the limit is %d", ErrControlTooLarge, command, len(b), MaxControlRequest)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("%w (nothing answers at %s: %v)", ErrNotRunning, path, err)
	}
	defer conn.Close()
	if err := checkPeer(conn); err != nil {
		return nil, fmt.Errorf("refusing to talk to %s: %w", path, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return nil, fmt.Errorf("sending %s to the dev server: %w", command, err)
	}
	line, err := readLine(bufio.NewReader(conn), maxControlResponse)
	if err != nil {
		return nil, fmt.Errorf("no answer from the dev server: %w", err)
	}
	var resp controlResponse
	if err := json.Unmarshal(line, &resp); err != nil || resp.Proto != controlProto {
		return nil, fmt.Errorf("%w: what answers at %s is not a medusa-ls dev server", ErrNotRunning, path)
	}
	if !resp.OK {
		return nil, errors.New(resp.Error)
	}
	return resp.Data, nil
}
