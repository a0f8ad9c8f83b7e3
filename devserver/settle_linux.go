package devserver

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readSettled reads a file that no process is writing. It returns errWriting when one has it
// open for writing: the kernel refuses a read lease then (F_SETLEASE), and holding the lease
// while reading makes a writer that opens the file meanwhile wait until the read is done, so
// the content read is never half written. Where leases are unavailable (a file of another
// user, some file systems, leases disabled), it is a plain read.
func readSettled(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := f.SyscallConn()
	if err != nil {
		return io.ReadAll(f)
	}
	var leaseErr error
	if err := raw.Control(func(fd uintptr) {
		_, leaseErr = unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_RDLCK)
	}); err != nil {
		return io.ReadAll(f)
	}
	if errors.Is(leaseErr, unix.EAGAIN) || errors.Is(leaseErr, unix.EBUSY) {
		return nil, errWriting
	}
	if leaseErr == nil {
		defer func() {
			_ = raw.Control(func(fd uintptr) { _, _ = unix.FcntlInt(fd, unix.F_SETLEASE, unix.F_UNLCK) })
		}()
	}
	return io.ReadAll(f)
}
