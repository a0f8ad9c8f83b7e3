package devserver

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The control socket lets another process reach a running supervisor: `medusa-ls emit` and
// `medusa-ls run-job` in a terminal talk to the `develop` (or the editor's dev server) of the
// same project. One JSON request per connection, one JSON answer. It is a Unix socket named
// after the project, so only local processes reach it.

type controlRequest struct {
	Command string          `json:"command"`
	Args    json.RawMessage `json:"args,omitempty"`
}

type controlResponse struct {
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error string          `json:"error,omitempty"`
}

// ControlPath is the control socket of the supervisor serving root.
func ControlPath(root string) string {
	abs, err := filepath.Abs(root)
	if err == nil {
		root = abs
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(os.TempDir(), "medusa-ls-"+hex.EncodeToString(sum[:8])+".sock")
}

// ErrNotRunning means no supervisor serves the project.
var ErrNotRunning = errors.New("no medusa-ls dev server is running for this project")

// serveControl accepts control requests until ctx ends.
func (s *Supervisor) serveControl(ctx context.Context) {
	path := ControlPath(s.root)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		s.logf("%s another medusa-ls serves this project's commands (%s); emit and run-job reach that one", s.prefix, path)
		return
	}
	_ = os.Remove(path) // a socket left by a process that died
	ln, err := net.Listen("unix", path)
	if err != nil {
		s.logf("%s commands from other processes are unavailable: %v", s.prefix, err)
		return
	}
	go func() {
		<-ctx.Done()
		ln.Close()
		_ = os.Remove(path)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go s.handleControl(ctx, conn)
	}
}

func (s *Supervisor) handleControl(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	var req controlRequest
	resp := controlResponse{}
	if err := json.Unmarshal(line, &req); err != nil {
		resp.Error = "bad request: " + err.Error()
	} else {
		data, err := s.Call(ctx, req.Command, req.Args)
		if err != nil {
			resp.Error = err.Error()
		} else {
			resp.OK, resp.Data = true, data
		}
	}
	b, _ := json.Marshal(resp)
	_, _ = conn.Write(append(b, '\n'))
}

// Control sends a command to the supervisor serving root and returns its result.
func Control(ctx context.Context, root, command string, args any) (json.RawMessage, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", ControlPath(root))
	if err != nil {
		return nil, fmt.Errorf("%w (start it with: medusa-ls develop %s)", ErrNotRunning, root)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	b, _ := json.Marshal(controlRequest{Command: command, Args: raw})
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("no answer from the dev server: %w", err)
	}
	var resp controlResponse
	if err := json.Unmarshal(line, &resp); err != nil {
		return nil, fmt.Errorf("bad answer from the dev server: %w", err)
	}
	if !resp.OK {
		return nil, errors.New(resp.Error)
	}
	return resp.Data, nil
}
