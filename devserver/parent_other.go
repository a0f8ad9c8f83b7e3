//go:build !linux

package devserver

import (
	"os"
	"time"
)

// ExitWithParent exits this process when its parent dies. Without a parent-death signal the
// parent id is checked every second.
func ExitWithParent() {
	ppid := os.Getppid()
	go func() {
		for range time.Tick(time.Second) {
			if os.Getppid() != ppid {
				p, _ := os.FindProcess(os.Getpid())
				_ = p.Signal(os.Interrupt)
				return
			}
		}
	}()
}
