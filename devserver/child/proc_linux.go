//go:build linux

package child

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in its own process group (so that it and anything it starts
// can be killed together) and has the kernel Kill it if the supervisor dies.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// niceOf is the nice value of process pid's main thread (Linux's getpriority(2) system call
// answers 20 - nice).
func niceOf(pid int) (int, error) {
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, pid)
	return 20 - raw, err
}
