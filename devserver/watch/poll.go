package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Polling is for file systems that deliver no events: Docker bind mounts from macOS or Windows,
// WSL's /mnt drives, network shares. Instead of fsnotify, the tree is scanned every interval and
// a file whose size or modification time changed, or that appeared or went away, is reported
// as an event, batched like fsnotify's.

// DefaultPollInterval is chokidar's default interval, which Medusa's develop uses.
const DefaultPollInterval = 100 * time.Millisecond

// MinPollInterval keeps a tiny or zero CHOKIDAR_INTERVAL from scanning without pause.
const MinPollInterval = 10 * time.Millisecond

// PollFromEnv reads CHOKIDAR_USEPOLLING and CHOKIDAR_INTERVAL as chokidar (and so Medusa's
// develop) reads them: "false" or "0" is off, "true" or "1" or any other non-empty value is on;
// CHOKIDAR_INTERVAL is in milliseconds, its leading integer counts (parseInt). It returns the
// interval to poll at, or 0 for no polling.
func PollFromEnv(lookup func(string) (string, bool)) time.Duration {
	v, ok := lookup("CHOKIDAR_USEPOLLING")
	if !ok || v == "" {
		return 0
	}
	switch strings.ToLower(v) {
	case "false", "0":
		return 0
	}
	interval := DefaultPollInterval
	if iv, ok := lookup("CHOKIDAR_INTERVAL"); ok && iv != "" {
		if ms, ok := parseIntPrefix(iv); ok {
			interval = max(time.Duration(ms)*time.Millisecond, MinPollInterval)
		}
	}
	return interval
}

// parseIntPrefix is JavaScript's parseInt(s, 10): leading space, a sign, then digits.
func parseIntPrefix(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\r")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	start := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == start {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	return n, err == nil
}

type fileStamp struct {
	size int64
	mod  time.Time
}

// newPolling returns a Watcher fed by a scan of the tree every opts.Poll.
func newPolling(opts Options, given string) *Watcher {
	events := make(chan fsnotify.Event, 64)
	w := &Watcher{opts: opts, given: given, open: map[string]time.Time{}, events: events, errs: make(chan error), batches: make(chan []string, 16), done: make(chan struct{})}
	seen := w.scan()
	go w.poll(seen, events)
	go w.run()
	return w
}

// scan stats every relevant file that is not ignored.
func (w *Watcher) scan() map[string]fileStamp {
	files := map[string]fileStamp{}
	_ = filepath.WalkDir(w.opts.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p == w.opts.Root {
			return nil
		}
		rel := w.rel(p)
		if w.Ignored(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || (w.opts.Relevant != nil && !w.opts.Relevant(rel)) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if !info.Mode().IsRegular() {
			// A symlink counts by its target, as with fsnotify on the link's content.
			if info, err = os.Stat(p); err != nil || !info.Mode().IsRegular() {
				return nil
			}
		}
		files[p] = fileStamp{size: info.Size(), mod: info.ModTime()}
		return nil
	})
	return files
}

// poll compares a scan with the previous one every interval (counted from the end of a scan,
// so a slow file system is not scanned back to back) and sends what changed.
func (w *Watcher) poll(seen map[string]fileStamp, events chan<- fsnotify.Event) {
	timer := time.NewTimer(w.opts.Poll)
	defer timer.Stop()
	send := func(name string, op fsnotify.Op) bool {
		select {
		case events <- fsnotify.Event{Name: name, Op: op}:
			return true
		case <-w.done:
			return false
		}
	}
	for {
		select {
		case <-w.done:
			return
		case <-timer.C:
		}
		now := w.scan()
		for p, st := range now {
			old, ok := seen[p]
			switch {
			case !ok:
				if !send(p, fsnotify.Create) {
					return
				}
			case old.size != st.size || !old.mod.Equal(st.mod):
				if !send(p, fsnotify.Write) {
					return
				}
			}
		}
		for p := range seen {
			if _, ok := now[p]; !ok {
				if !send(p, fsnotify.Remove) {
					return
				}
			}
		}
		seen = now
		timer.Reset(w.opts.Poll)
	}
}
