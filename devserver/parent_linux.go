//go:build linux

package devserver

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExitWithParent makes the kernel send SIGTERM to this process when its parent dies, so that a
// supervisor started by an editor or a script never outlives it.
func ExitWithParent() {
	ppid := os.Getppid()
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)
	// The parent may have died before the call; then we were reparented already.
	if os.Getppid() != ppid {
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
}
