//go:build !unix

package node

import "os"

// privateCacheDir reports whether dir is a real folder (owners are not checked here).
func privateCacheDir(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir()
}
