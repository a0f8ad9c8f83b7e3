package watch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeTracker sees, on Linux, which files are open for writing and when their content is
// final: inotify's IN_MODIFY (written), IN_CLOSE_WRITE (the writer closed it) and IN_MOVED_TO
// (a file renamed into place, as editors save atomically), in the order they happened.
// fsnotify exposes neither IN_CLOSE_WRITE nor a rename's target as such, so this is a second,
// small inotify instance on the same directories.
type writeTracker struct {
	f      *os.File
	events chan writeEvent
	done   <-chan struct{}

	mu   sync.Mutex
	dirs map[int32]string // watch descriptor → directory
}

// writeEvent is a file written (closed false), or whose content is final (closed true): closed
// after writing, or renamed into place.
type writeEvent struct {
	path   string
	closed bool
}

func newWriteTracker(done <-chan struct{}) (*writeTracker, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	t := &writeTracker{f: os.NewFile(uintptr(fd), "inotify-writes"), events: make(chan writeEvent, 256), done: done, dirs: map[int32]string{}}
	go t.read()
	return t, nil
}

// add watches the files of dir.
func (t *writeTracker) add(dir string) error {
	raw, err := t.f.SyscallConn()
	if err != nil {
		return err
	}
	var wd int
	var addErr error
	err = raw.Control(func(fd uintptr) {
		wd, addErr = unix.InotifyAddWatch(int(fd), dir, unix.IN_MODIFY|unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_ONLYDIR)
	})
	if err == nil {
		err = addErr
	}
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.dirs[int32(wd)] = dir
	t.mu.Unlock()
	return nil
}

func (t *writeTracker) close() error { return t.f.Close() }

func (t *writeTracker) read() {
	defer close(t.events)
	buf := make([]byte, 64<<10)
	var batch []writeEvent
	last := map[string]int{} // path → its event in batch
	for {
		n, err := t.f.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrClosed) || n == 0 {
				return
			}
			continue
		}
		// One event per file per read, the last (a write then a close is a close): a burst of
		// saves is not a burst of channel sends.
		batch = batch[:0]
		clear(last)
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameLen := int(ev.Len)
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+nameLen]
			off += unix.SizeofInotifyEvent + nameLen
			t.mu.Lock()
			dir, ok := t.dirs[ev.Wd]
			if ev.Mask&unix.IN_IGNORED != 0 {
				delete(t.dirs, ev.Wd)
			}
			t.mu.Unlock()
			if !ok || nameLen == 0 || ev.Mask&(unix.IN_MODIFY|unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO) == 0 || ev.Mask&unix.IN_ISDIR != 0 {
				continue
			}
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			we := writeEvent{path: filepath.Join(dir, string(name)), closed: ev.Mask&(unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO) != 0}
			if i, seen := last[we.path]; seen {
				batch[i] = we
				continue
			}
			last[we.path] = len(batch)
			batch = append(batch, we)
		}
		for _, we := range batch {
			select {
			case t.events <- we:
			case <-t.done:
				return
			}
		}
	}
}
