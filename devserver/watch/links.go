package watch

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Symbolic links inside the root follow project's rule (project/links.go), the rule of
// Medusa's loaders: a link to a file is followed wherever it points, so its target is watched
// and a change to the target is reported as a change to the link; a link to a directory is not
// entered (WalkDir and fsnotify do not follow it).
type links struct {
	mu       sync.Mutex
	byTarget map[string][]string // a target's real path → the links to it (real paths under the root)
	watched  map[string]bool     // directories outside the root watched for targets
}

// noteLink records p, a symbolic link met while walking the root, when it names a file, and
// watches the target's directory when the tree's watches do not cover it.
func (w *Watcher) noteLink(p string) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return
	}
	if st, err := os.Stat(target); err != nil || st.IsDir() {
		return
	}
	w.links.mu.Lock()
	defer w.links.mu.Unlock()
	if w.links.byTarget == nil {
		w.links.byTarget, w.links.watched = map[string][]string{}, map[string]bool{}
	}
	for _, l := range w.links.byTarget[target] {
		if l == p {
			return
		}
	}
	w.links.byTarget[target] = append(w.links.byTarget[target], p)
	dir := filepath.Dir(target)
	inside := dir == w.opts.Root || strings.HasPrefix(dir, w.opts.Root+string(filepath.Separator))
	if (!inside || w.Ignored(w.rel(dir))) && !w.links.watched[dir] && w.fw != nil {
		if err := w.fw.Add(dir); err != nil {
			w.opts.Logger.Warn("watch: cannot watch the target of a symbolic link", "link", p, "target", target, "err", err)
			return
		}
		w.links.watched[dir] = true
	}
}

// inRoot says whether p (a real path) is the root or under it.
func (w *Watcher) inRoot(p string) bool {
	return p == w.opts.Root || strings.HasPrefix(p, w.opts.Root+string(filepath.Separator))
}

// linksTo returns the links whose target is p.
func (w *Watcher) linksTo(p string) []string {
	w.links.mu.Lock()
	defer w.links.mu.Unlock()
	return append([]string(nil), w.links.byTarget[p]...)
}

// isLink says whether d, met while walking, is a symbolic link.
func isLink(d fs.DirEntry) bool { return d.Type()&fs.ModeSymlink != 0 }
