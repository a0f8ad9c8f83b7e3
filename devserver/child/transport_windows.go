//go:build windows

package child

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// On Windows descriptors cannot be inherited the Unix way, so the child dials back to a
// loopback address with a one-time token, and binds the HTTP port itself. Restarts there have
// a short window where connections are refused.
type Transport struct {
	ln    net.Listener
	token string
	conn  chan net.Conn
}

// NewTransport makes the channel for one child; Start attaches its parent end.
func NewTransport() (*Transport, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	t := &Transport{ln: ln, token: hex.EncodeToString(b), conn: make(chan net.Conn, 1)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != t.token {
				_ = c.Close()
				continue
			}
			_ = c.SetReadDeadline(time.Time{})
			t.conn <- c
			return
		}
	}()
	return t, nil
}

// Attach passes the channel's address and token in the environment (see the type).
func (t *Transport) Attach(cmd *exec.Cmd, listener *os.File) {
	cmd.Env = append(cmd.Env, EnvIPCAddr+"="+t.ln.Addr().String(), EnvIPCToken+"="+t.token)
}

// attachNode would hand Node its IPC channel; on Windows Node expects a named pipe handle,
// which medusa-ls does not create yet.
func (t *Transport) AttachNode(cmd *exec.Cmd) error {
	return errors.New("the node runtime is not supported on Windows yet; use --runtime embedded")
}

func (t *Transport) afterStart() {}

func (t *Transport) parentConn() (net.Conn, error) {
	select {
	case c := <-t.conn:
		_ = t.ln.Close()
		return c, nil
	case <-time.After(30 * time.Second):
		_ = t.ln.Close()
		return nil, errors.New("the child did not connect its IPC channel")
	}
}

// Close releases both ends, for a child that was not started.
func (t *Transport) Close() { _ = t.ln.Close() }

// ListenerFile returns nil: children bind the port themselves on Windows.
func ListenerFile(l net.Listener) (*os.File, error) { return nil, nil }

// KeepNonblocking has nothing to restore on Windows, where no descriptor is passed.
func KeepNonblocking(net.Listener) {}

// Terminate kills pid: Windows has no gentler signal that a console-less child gets.
func Terminate(pid int) error { return Kill(pid) }

// Kill stops pid and everything it started at once.
func Kill(pid int) error {
	if pid <= 0 {
		return nil
	}
	return exec.Command("taskkill", "/PID", fmt.Sprint(pid), "/F", "/T").Run()
}

// InheritedIPC dials the parent back, or returns nil when started alone.
func InheritedIPC() (net.Conn, error) {
	addr := os.Getenv(EnvIPCAddr)
	if addr == "" {
		return nil, nil
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := fmt.Fprintln(c, os.Getenv(EnvIPCToken)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// InheritedListener returns nil: no socket is passed on Windows.
func InheritedListener() (net.Listener, error) { return nil, nil }

// YieldCPU does nothing on Windows (see proc_unix.go).
func YieldCPU(int) (restore func()) { return func() {} }
