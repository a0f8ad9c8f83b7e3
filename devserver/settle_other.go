//go:build !linux

package devserver

import "os"

// readSettled reads a file. Only Linux can tell whether another process is writing it (a read
// lease); elsewhere the watcher's quiet period is the only guard.
func readSettled(path string) ([]byte, error) { return os.ReadFile(path) }
