package project

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Symbolic links, one rule for the watcher (devserver/watch), the loaders and the language
// server, the rule of Medusa's own loaders (readDirRecursive in @medusajs/utils, used by the
// route, subscriber, job and workflow loaders: it lists a link as an entry and recurses only
// into real directories):
//
//   - the project's root may be a link: it is resolved once, and files keep the root as it was
//     named (saves arrive under either path; diagnostics go to the path the editor opened);
//   - a link to a file is followed, wherever it points: it is loaded like the file it names,
//     its target is watched, and a change to the target reloads it;
//   - a link to a directory is not entered, as Medusa does not enter it: nothing under it is
//     loaded, and a warning says so.
//
// (devserver/watch applies the same rule while it walks; it cannot import this package.)

// Link is a symbolic link under the project's src/.
type Link struct {
	Path   string // the link, under the root as named
	Target string // the real path it resolves to
	Dir    bool   // it names a directory (not entered)
}

// Outside says whether the link's target is outside the project whose real root is realRoot.
func (l Link) Outside(realRoot string) bool {
	return !Within(realRoot, l.Target)
}

// Within says whether path is dir or below it.
func Within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// RealRoot is root with every symbolic link resolved, or root when it cannot be.
func RealRoot(root string) string {
	if real, err := filepath.EvalSymlinks(root); err == nil {
		return real
	}
	return root
}

// Links lists the symbolic links under root's src/ that resolve (a dangling link is nothing
// to load), in walk order, skipping node_modules and dot folders.
func Links(root string) []Link {
	var out []Link
	real := RealRoot(root)
	src := filepath.Join(real, "src")
	_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if name := d.Name(); p != src && (name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil
		}
		st, err := os.Stat(target)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(real, p)
		out = append(out, Link{Path: filepath.Join(root, rel), Target: target, Dir: st.IsDir()})
		return nil
	})
	return out
}

// Warning says, for a link to a directory, that nothing in it is loaded or watched, and what to
// do instead.
func (l Link) Warning(root string) string {
	rel, err := filepath.Rel(root, l.Path)
	if err != nil {
		rel = l.Path
	}
	return fmt.Sprintf("%s is a symbolic link to the directory %s; like Medusa, medusa-ls does not look inside linked directories, so nothing in it is loaded or watched: link its files one by one, or move them into the project",
		filepath.ToSlash(rel), l.Target)
}
