// Package watch watches a project directory recursively with fsnotify and reports the files
// touched, in batches: an editor's atomic save (temp file, rename, chmod) is one batch, and so
// is a git checkout of hundreds of files.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/medusa-ls/medusa-ls/dotenv"
)

// IgnoredDirs are never watched, at any depth: installed packages. Dot directories (.git,
// .medusa, .vscode) are not either.
var IgnoredDirs = []string{"node_modules"}

// IgnoredAtRoot are the project's own folders that hold no server code: what Medusa's develop
// ignores (dist, static, private, .medusa, and src/admin, which the admin's Vite build serves),
// and other tools' outputs. Only at the project's root: src/api/admin/uploads/route.ts is a
// route, which Medusa loads and reloads.
var IgnoredAtRoot = []string{"dist", "build", "static", "private", "uploads", "coverage", "src/admin"}

// Options configure a Watcher.
type Options struct {
	Root   string
	Ignore []string // extra patterns: a name matched against every path segment, or a glob against the relative path
	// Quiet is how long the directory must be quiet before a batch is emitted. A batch that
	// already touches several files, or follows a new directory, waits BurstQuiet instead, so a
	// checkout is not split. No batch of one file waits longer than MaxWait from its first
	// event (a file rewritten without pause still reloads), and no burst longer than
	// BurstMaxWait (a checkout on a loaded machine can take a second and is still one batch).
	Quiet, BurstQuiet, MaxWait, BurstMaxWait time.Duration
	// Relevant, when set, says which files are worth reporting (code, config, .env); others —
	// a log file, an editor's or a tool's temp file — are dropped before they can delay or
	// start a batch.
	Relevant func(rel string) bool
	Logger   *slog.Logger
	// Poll > 0 scans the tree every Poll instead of waiting for file events (Docker and WSL
	// mounts, where none arrive); 0 lets CHOKIDAR_USEPOLLING/CHOKIDAR_INTERVAL decide, as for
	// Medusa; < 0 never polls. See poll.go.
	Poll time.Duration

	// processed, set by this package's tests, is called from the watcher's goroutine once it has
	// acted on an event, ignored ones included: the file, fsnotify's Op ("CREATE", "REMOVE", …)
	// or the write tracker's "written" or "closed" (or "" and "timer" for its quiet window), and
	// how many files then wait for the next batch. A batch that the event completed is in
	// Batches by then, so a test waits for an event it caused instead of for a quiet moment.
	processed func(name, what string, pending int)
}

// Watcher reports batches of touched files (absolute paths).
type Watcher struct {
	opts    Options           // Root: the real path of the root
	given   string            // the root as the caller named it (through a symbolic link, perhaps)
	fw      *fsnotify.Watcher // nil when polling
	writes  *writeTracker     // Linux, with fsnotify: which files are open for writing; else nil
	events  <-chan fsnotify.Event
	errs    <-chan error
	batches chan []string
	done    chan struct{}
	once    sync.Once

	openMu sync.Mutex
	open   map[string]time.Time // files being written (real paths), since their last write

	links links // symbolic links to files, by target (links.go)

	// gitLock is the index.lock of the Git repository the root is in, or "": while it exists a
	// Git command (a checkout, a merge, a stash) is writing the tree, and its files are one
	// batch even when each one's content is final.
	gitLock string
}

// settled is how long, after a file was reported at once because its content was final, the
// file events that saving it caused (fsnotify's Create for a rename into place, a Chmod) are
// not reported again: its next content change comes with a write event of its own.
const settled = 100 * time.Millisecond

// maxOpenHold is the longest a batch waits for a file that is being written (written, not yet
// closed by its writer), counted from that file's last write.
const maxOpenHold = time.Second

// New starts watching opts.Root and every directory below it that is not ignored.
func New(opts Options) (*Watcher, error) {
	opts = opts.withDefaults()
	given, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	// A root reached through a symbolic link is watched at its real path (neither fsnotify nor
	// WalkDir follow a link), and files are reported under the root as given.
	root := given
	if real, err := filepath.EvalSymlinks(given); err == nil {
		root = real
	}
	opts.Root = root
	if opts.Poll == 0 {
		opts.Poll = PollFromEnv(os.LookupEnv)
	}
	if opts.Poll > 0 {
		return newPolling(opts, given), nil
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w := &Watcher{opts: opts, given: given, open: map[string]time.Time{}, fw: fw, events: fw.Events, errs: fw.Errors, batches: make(chan []string, 16), done: make(chan struct{}), gitLock: gitIndexLock(root)}
	if t, err := newWriteTracker(w.done); err == nil {
		w.writes = t
	}
	if _, err := w.addTree(root); err != nil {
		fw.Close()
		if w.writes != nil {
			_ = w.writes.close()
		}
		return nil, err
	}
	go w.run()
	return w, nil
}

// withDefaults returns the options with the defaults of what is not set.
func (opts Options) withDefaults() Options {
	if opts.Quiet == 0 {
		opts.Quiet = 1500 * time.Microsecond
	}
	if opts.BurstQuiet == 0 {
		opts.BurstQuiet = 30 * time.Millisecond
	}
	if opts.MaxWait == 0 {
		opts.MaxWait = 500 * time.Millisecond
	}
	if opts.BurstMaxWait == 0 {
		opts.BurstMaxWait = 3 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return opts
}

// Batches delivers touched files. It is closed by Close.
func (w *Watcher) Batches() <-chan []string { return w.batches }

// Close stops watching.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		close(w.done)
		if w.fw != nil {
			err = w.fw.Close()
		}
		if w.writes != nil {
			_ = w.writes.close()
		}
	})
	return err
}

// Ignored reports whether rel (slash-separated, relative to the root) is never reported.
func (w *Watcher) Ignored(rel string) bool { return Ignored(rel, w.opts.Ignore) }

// Ignored reports whether rel is ignored by the default rules or extra patterns.
func Ignored(rel string, extra []string) bool {
	for _, d := range IgnoredAtRoot {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		last := i == len(segs)-1
		for _, d := range IgnoredDirs {
			if s == d {
				return true
			}
		}
		// Dot directories (.vscode, .idea, .yarn), and dot files but the .env files Medusa can
		// read at the root (as Medusa's own watcher, which skips every dot file: a migration's
		// .snapshot-*.json, an editor's or a tool's temporary file, .env.swp, .env.local).
		// Which of them Medusa reads depends on NODE_ENV: Options.Relevant says.
		if strings.HasPrefix(s, ".") && s != "." && s != ".." && (!last || !(i == 0 && dotenv.IsFile(s))) {
			return true
		}
		if last && isEditorTemp(s) {
			return true
		}
		for _, p := range extra {
			if p == s {
				return true
			}
		}
	}
	for _, p := range extra {
		if ok, _ := filepath.Match(p, rel); ok {
			return true
		}
		if strings.HasSuffix(p, "/**") && strings.HasPrefix(rel+"/", strings.TrimSuffix(p, "**")) {
			return true
		}
	}
	return false
}

// isEditorTemp recognises the files editors write while saving (vim's 4913 probe and swap
// files, backups, emacs lock files, JetBrains safe-write files).
func isEditorTemp(name string) bool {
	switch {
	case name == "4913", strings.HasSuffix(name, "~"), strings.HasPrefix(name, ".#"),
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"), strings.HasSuffix(name, ".swo"),
		strings.HasSuffix(name, ".swpx"), strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"),
		strings.HasSuffix(name, ".tmp"), strings.HasSuffix(name, ".crswap"):
		return true
	}
	return false
}

func (w *Watcher) rel(p string) string {
	r, err := filepath.Rel(w.opts.Root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// unwatchMoved drops the watches of name and the directories under it when name was a watched
// directory that has moved away (its Create, if it moved within the root, comes next and watches
// it again). inotify watches follow the directory, but fsnotify keeps their old paths: events
// inside the moved tree came named after the old place, and the moved directory's own watch was
// removed when fsnotify saw the move, after the new name had been watched through the same
// inotify watch (fsnotify 1.10), so the renamed folder went unwatched.
//
// It reports whether name was a watched directory.
func (w *Watcher) unwatchMoved(name string) bool {
	if w.fw == nil {
		return false
	}
	if _, err := os.Lstat(name); err == nil {
		return false // something is there again: a file replaced in a save
	}
	prefix := name + string(filepath.Separator)
	was := false
	for _, p := range w.fw.WatchList() {
		if p == name || strings.HasPrefix(p, prefix) {
			was = was || p == name
			_ = w.fw.Remove(p)
		}
	}
	return was
}

// addTree watches dir and its subdirectories and returns the files already in them (which a
// new directory may have received before it was watched).
func (w *Watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if p != w.opts.Root && w.Ignored(w.rel(p)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if w.fw == nil {
				return nil
			}
			if err := w.fw.Add(p); err != nil {
				w.opts.Logger.Warn("watch: cannot watch directory", "dir", p, "err", err)
			}
			if w.writes != nil {
				if err := w.writes.add(p); err != nil {
					w.opts.Logger.Warn("watch: cannot follow writes in directory", "dir", p, "err", err)
				}
			}
			return nil
		}
		if isLink(d) {
			w.noteLink(p)
		}
		files = append(files, p)
		return nil
	})
	return files, err
}

func (w *Watcher) run() {
	defer close(w.batches)
	var writes <-chan writeEvent
	if w.writes != nil {
		writes = w.writes.events
	}
	// Files being written (w.open): written and not yet closed by their writer, since their
	// last write. A batch that has one waits for it (at most maxOpenHold), so that a file
	// truncated and then written in place is not reported while it is empty or half written.
	pending := map[string]bool{}
	var order []string
	var first time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	touch := func(p string) {
		if !pending[p] {
			pending[p] = true
			order = append(order, p)
		}
	}
	burst := false // a directory appeared: a checkout or a scaffold, not an editor's save
	// Files reported at once because their content was final, and when (see settled).
	reported := map[string]time.Time{}
	arm := func() {
		quiet, limit := w.opts.Quiet, w.opts.MaxWait
		if len(order) > 1 || burst {
			quiet, limit = w.opts.BurstQuiet, w.opts.BurstMaxWait
		}
		if rest := limit - time.Since(first); rest < quiet {
			quiet = max(rest, 0)
		}
		timer.Reset(quiet)
	}
	// emit sends the pending files as one batch; false when the watcher is closing.
	emit := func() bool {
		batch := order
		if w.given != "" && w.given != w.opts.Root {
			for i, p := range batch {
				batch[i] = filepath.Join(w.given, w.rel(p))
			}
		}
		order = nil
		pending = map[string]bool{}
		burst = false
		select {
		case w.batches <- batch:
			return true
		case <-w.done:
			return false
		}
	}
	var actedOn, acted string // the event the last turn acted on, for opts.processed (tests)
	for {
		if acted != "" && w.opts.processed != nil {
			w.opts.processed(actedOn, acted, len(order))
		}
		actedOn, acted = "", ""
		select {
		case <-w.done:
			return
		case ev, ok := <-w.events:
			if !ok {
				return
			}
			if w.opts.processed != nil {
				actedOn, acted = ev.Name, ev.Op.String()
			}
			// A link's target changed: the link changed. Not for a chmod alone, nor for a
			// write the write tracker reports (a target inside the root), which would report
			// the same save twice.
			tracked := writes != nil && ev.Op == fsnotify.Write && w.inRoot(ev.Name)
			if ls := w.linksTo(ev.Name); len(ls) > 0 && !tracked && ev.Op != fsnotify.Chmod {
				if len(order) == 0 {
					first = time.Now()
				}
				for _, l := range ls {
					if w.opts.Relevant == nil || w.opts.Relevant(w.rel(l)) {
						touch(l)
					}
				}
				if len(order) > 0 {
					arm()
				}
			}
			rel := w.rel(ev.Name)
			if rel == "." || strings.HasPrefix(rel, "../") || w.Ignored(rel) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Lstat(ev.Name); err == nil && st.Mode()&os.ModeSymlink != 0 {
					w.noteLink(ev.Name)
				}
			}
			isDir := false
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					isDir = true
				}
			}
			// A watched folder moved away is reported by its name (its files sent no event of
			// their own), whatever Relevant says of the name.
			moved := ev.Has(fsnotify.Rename) && w.unwatchMoved(ev.Name)
			if !isDir && !moved && w.opts.Relevant != nil && !w.opts.Relevant(rel) {
				continue
			}
			if len(order) == 0 {
				first = time.Now()
			}
			if isDir {
				burst = true
				files, _ := w.addTree(ev.Name)
				for _, f := range files {
					if w.opts.Relevant == nil || w.opts.Relevant(w.rel(f)) {
						touch(f)
					}
				}
				if len(order) > 0 {
					arm()
				}
				continue
			}
			if writes != nil && ev.Op == fsnotify.Write {
				continue // the write tracker reports writes, in order with their closing
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				// A chmod alone does not change content; editors emit it after a write.
				if !pending[ev.Name] {
					continue
				}
			}
			if at, ok := reported[ev.Name]; ok && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
				if time.Since(at) < settled && !pending[ev.Name] {
					continue // the same save, seen by fsnotify after the write tracker
				}
				delete(reported, ev.Name)
			}
			touch(ev.Name)
			arm()
		case err, ok := <-w.errs:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// The kernel dropped events: report everything so nothing is missed.
				files, _ := w.addTree(w.opts.Root)
				for _, f := range files {
					if w.opts.Relevant == nil || w.opts.Relevant(w.rel(f)) {
						touch(f)
					}
				}
				if len(order) > 0 {
					if first.IsZero() {
						first = time.Now()
					}
					arm()
				}
				continue
			}
			w.opts.Logger.Warn("watch: " + err.Error())
		case we, ok := <-writes:
			if !ok {
				writes = nil
				continue
			}
			actedOn, acted = we.path, "written"
			if we.closed {
				acted = "closed"
			}
			rel := w.rel(we.path)
			if rel == "." || strings.HasPrefix(rel, "../") || w.Ignored(rel) || (w.opts.Relevant != nil && !w.opts.Relevant(rel)) {
				continue
			}
			for _, l := range w.linksTo(we.path) {
				touch(l)
			}
			w.openMu.Lock()
			if we.closed {
				delete(w.open, we.path)
			} else {
				w.open[we.path] = time.Now()
			}
			w.openMu.Unlock()
			if len(order) == 0 {
				first = time.Now()
			}
			touch(we.path)
			// A file whose content is final (closed after writing, or renamed into place) and
			// is the whole batch is reported at once: no quiet window. A batch of several files,
			// or one a Git command is writing, keeps its window, so it stays one batch.
			if we.closed && len(order) == 1 && !burst && !w.gitBusy() {
				w.openMu.Lock()
				hold := holdFor(w.open, pending)
				w.openMu.Unlock()
				if hold == 0 {
					timer.Stop()
					for p, at := range reported {
						if time.Since(at) >= settled {
							delete(reported, p)
						}
					}
					reported[we.path] = time.Now()
					if !emit() {
						return
					}
					continue
				}
			}
			arm()
		case <-timer.C:
			actedOn, acted = "", "timer"
			if len(order) == 0 {
				continue
			}
			w.openMu.Lock()
			hold := holdFor(w.open, pending)
			w.openMu.Unlock()
			if hold > 0 {
				timer.Reset(hold) // or sooner: its writer closing it re-arms the timer
				continue
			}
			if w.gitBusy() && time.Since(first) < w.opts.BurstMaxWait {
				timer.Reset(w.opts.BurstQuiet) // a Git command is still writing the tree
				continue
			}
			if !emit() {
				return
			}
		}
	}
}

// gitLockStale is the age past which an index lock is taken for one that a Git command left
// behind when it died, which would otherwise hold every save.
const gitLockStale = 10 * time.Second

// gitBusy reports whether a Git command holds the repository's index lock.
func (w *Watcher) gitBusy() bool {
	if w.gitLock == "" {
		return false
	}
	st, err := os.Lstat(w.gitLock)
	return err == nil && time.Since(st.ModTime()) < gitLockStale
}

// gitIndexLock finds the Git repository that dir is in (dir or a parent with .git: a
// directory, or a worktree's file naming its git directory) and returns its index.lock path,
// or "".
func gitIndexLock(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		dotGit := filepath.Join(d, ".git")
		if st, err := os.Stat(dotGit); err == nil {
			if st.IsDir() {
				return filepath.Join(dotGit, "index.lock")
			}
			if b, err := os.ReadFile(dotGit); err == nil {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:"); ok {
					gd := strings.TrimSpace(rest)
					if !filepath.IsAbs(gd) {
						gd = filepath.Join(d, gd)
					}
					return filepath.Join(gd, "index.lock")
				}
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// holdFor is how long a batch of pending files must still wait for one of them that is being
// written, or 0. A file whose writer has been silent for maxOpenHold no longer holds it.
func holdFor(open map[string]time.Time, pending map[string]bool) time.Duration {
	var hold time.Duration
	for p, since := range open {
		left := maxOpenHold - time.Since(since)
		if left <= 0 {
			delete(open, p)
			continue
		}
		if pending[p] && left > hold {
			hold = left
		}
	}
	return hold
}
