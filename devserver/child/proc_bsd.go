//go:build unix && !linux

package child

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in its own process group. There is no parent-death signal on
// macOS and the BSDs; the child exits when its IPC channel closes instead.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// niceOf is the nice value of process pid.
func niceOf(pid int) (int, error) { return syscall.Getpriority(syscall.PRIO_PROCESS, pid) }
