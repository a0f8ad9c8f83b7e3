package embedded

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// pendingBytes is how many bytes wait unread in the kernel for c, or 0 when it cannot tell.
func pendingBytes(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = raw.Control(func(fd uintptr) {
		if v, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ); err == nil {
			n = v
		}
	})
	return n
}
