//go:build unix

package node

import (
	"os"
	"syscall"
)

// privateCacheDir reports whether dir is a real folder of this user that nobody else can write:
// the caches in it steer which files Medusa loads and the code V8 runs.
func privateCacheDir(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
