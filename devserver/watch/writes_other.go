//go:build !linux

package watch

import "errors"

// writeTracker is Linux-only (inotify's IN_CLOSE_WRITE and IN_MOVED_TO); elsewhere a batch is
// emitted once the directory is quiet, as before.
type writeTracker struct {
	events chan writeEvent
}

type writeEvent struct {
	path   string
	closed bool
}

func newWriteTracker(<-chan struct{}) (*writeTracker, error) {
	return nil, errors.New("not supported on this system")
}

func (t *writeTracker) add(string) error { return nil }
func (t *writeTracker) close() error     { return nil }
