//go:build unix

package devserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// controlDir returns this user's directory for control sockets, creating it when needed:
// $XDG_RUNTIME_DIR/medusa-ls when XDG_RUNTIME_DIR is ours and closed to others, else
// <os.TempDir()>/medusa-ls-<uid>. It returns an error when the directory is not a real directory
// (a symbolic link, a file), is owned by another user, or grants any permission to group or
// others: another user could then read, replace or impersonate the sockets in it.
func controlDir() (string, error) {
	uid := os.Geteuid()
	if xdg := os.Getenv("XDG_RUNTIME_DIR"); xdg != "" && filepath.IsAbs(xdg) {
		if fi, err := os.Lstat(xdg); err == nil && privateDir(fi, uid) == nil {
			return ensurePrivateDir(filepath.Join(xdg, "medusa-ls"), uid)
		}
	}
	return ensurePrivateDir(filepath.Join(os.TempDir(), fmt.Sprintf("medusa-ls-%d", uid)), uid)
}

// ensurePrivateDir creates dir with mode 0700 if it does not exist, and checks that it is a
// directory of uid's that nobody else may enter.
func ensurePrivateDir(dir string, uid int) (string, error) {
	if err := os.Mkdir(dir, 0o700); err == nil {
		// The umask can only remove bits; make sure the owner has them all.
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("creating %s: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	if err := privateDir(fi, uid); err != nil {
		return "", fmt.Errorf("refusing to use %s for the control socket: %w", dir, err)
	}
	return dir, nil
}

// privateDir says why fi is not a directory that only uid can use, or nil.
func privateDir(fi os.FileInfo, uid int) error {
	if fi.Mode()&os.ModeSymlink != 0 {
		return errors.New("it is a symbolic link")
	}
	if !fi.IsDir() {
		return errors.New("it is not a directory")
	}
	if err := ownedBy(fi, uid); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 || perm&0o700 != 0o700 {
		return fmt.Errorf("its mode is %#o; it must be 0700 (chmod 700 it, or remove it)", perm)
	}
	return nil
}

func ownedBy(fi os.FileInfo, uid int) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("its owner cannot be read")
	}
	if int(st.Uid) != uid {
		return fmt.Errorf("it is owned by uid %d, not by you (uid %d)", st.Uid, uid)
	}
	return nil
}

// ownedByUs says why a file is not this user's, or nil.
func ownedByUs(fi os.FileInfo) error { return ownedBy(fi, os.Geteuid()) }

// checkPeer returns an error unless the process at the other end of conn runs as this user.
func checkPeer(conn net.Conn) error {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("not a Unix socket (%T)", conn)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	uid := -1
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUID(int(fd)) }); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("cannot tell which user the peer runs as: %w", credErr)
	}
	if me := os.Geteuid(); uid != me {
		return fmt.Errorf("the peer runs as uid %d, not as you (uid %d)", uid, me)
	}
	return nil
}
