//go:build unix

package child

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// Transport is what a child needs from its parent: the IPC socket (fd 3) and the
// listening socket (fd 4), passed as inherited descriptors.
type Transport struct {
	parentEnd *os.File // the supervisor's end of the socket pair
	childEnd  *os.File
}

// NewTransport makes the channel for one child; Start attaches its parent end.
func NewTransport() (*Transport, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	syscall.CloseOnExec(fds[0])
	syscall.CloseOnExec(fds[1])
	return &Transport{
		parentEnd: os.NewFile(uintptr(fds[0]), "ipc-parent"),
		childEnd:  os.NewFile(uintptr(fds[1]), "ipc-child"),
	}, nil
}

// attach passes the child's descriptors: ExtraFiles[0] becomes fd 3, ExtraFiles[1] fd 4.
// Attach passes the channel's address and token in the environment (see the type).
func (t *Transport) Attach(cmd *exec.Cmd, listener *os.File) {
	cmd.ExtraFiles = []*os.File{t.childEnd, listener}
	cmd.Env = append(cmd.Env, EnvIPCFD+"=3", EnvListenFD+"=4")
	setProcessGroup(cmd)
}

// attachNode passes the channel as Node expects it: NODE_CHANNEL_FD, one JSON message per line.
func (t *Transport) AttachNode(cmd *exec.Cmd) error {
	cmd.ExtraFiles = []*os.File{t.childEnd}
	cmd.Env = append(cmd.Env, "NODE_CHANNEL_FD=3", "NODE_CHANNEL_SERIALIZATION_MODE=json")
	setProcessGroup(cmd)
	return nil
}

// afterStart closes the child's end in the parent, so that the parent sees EOF when the child
// dies.
func (t *Transport) afterStart() { _ = t.childEnd.Close() }

func (t *Transport) parentConn() (net.Conn, error) {
	c, err := net.FileConn(t.parentEnd)
	_ = t.parentEnd.Close() // FileConn dup'ed it
	return c, err
}

// Close releases both ends, for a child that was not started.
func (t *Transport) Close() {
	_ = t.childEnd.Close()
	_ = t.parentEnd.Close()
}

// ListenerFile returns a descriptor of the listening socket to pass to children.
func ListenerFile(l net.Listener) (*os.File, error) {
	tl, ok := l.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("listener %T cannot be passed to a child", l)
	}
	return tl.File()
}

// killGroup signals the child's whole process group.
func killGroup(pid int, sig syscall.Signal) error {
	if pid <= 0 {
		return nil
	}
	err := syscall.Kill(-pid, sig)
	if err == syscall.ESRCH {
		return nil
	}
	return err
}

// Terminate asks pid and everything it started to stop (SIGTERM to its process group).
func Terminate(pid int) error { return killGroup(pid, syscall.SIGTERM) }

// Kill stops pid and everything it started at once (SIGKILL to its process group).
func Kill(pid int) error { return killGroup(pid, syscall.SIGKILL) }

// InheritedIPC returns the IPC channel a parent passed, or nil when started alone.
// InheritedIPC dials the parent back, or returns nil when started alone.
func InheritedIPC() (net.Conn, error) {
	fd, ok := inheritedFD(EnvIPCFD)
	if !ok {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "ipc")
	c, err := net.FileConn(f)
	_ = f.Close()
	return c, err
}

// InheritedListener returns the listening socket a parent passed, or nil.
func InheritedListener() (net.Listener, error) {
	fd, ok := inheritedFD(EnvListenFD)
	if !ok {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "listener")
	l, err := net.FileListener(f)
	_ = f.Close()
	return l, err
}

func inheritedFD(env string) (int, bool) {
	s := os.Getenv(env)
	if s == "" {
		return 0, false
	}
	fd, err := strconv.Atoi(s)
	return fd, err == nil && fd > 2
}

// KeepNonblocking puts the listening socket back in non-blocking mode after a child was started
// with a descriptor of it. exec calls os.File.Fd on ExtraFiles, which clears O_NONBLOCK, a flag
// the descriptors share: a supervisor goroutine in Accept (the not-ready server's) would then
// sit in accept(2), where closing the listener cannot end it, and take the next connection.
func KeepNonblocking(l net.Listener) {
	tl, ok := l.(*net.TCPListener)
	if !ok {
		return
	}
	if rc, err := tl.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _ = syscall.SetNonblock(int(fd), true) })
	}
}

// YieldCPU lowers the CPU priority of process pid by 10 nice levels (on Linux, of its main
// thread, the one that runs JavaScript) while a replacement boots beside it, and returns what
// puts it back. It still answers every request, more slowly only when both want the CPU. Without
// privilege the restore fails (raising priority needs CAP_SYS_NICE): a server that keeps serving
// after a refused restart then stays at the lower priority, which an idle machine does not feel.
func YieldCPU(pid int) (restore func()) {
	cur, err := niceOf(pid)
	if err != nil || cur >= 19 {
		return func() {}
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, pid, min(cur+10, 19)); err != nil {
		return func() {}
	}
	return func() { _ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, cur) }
}
