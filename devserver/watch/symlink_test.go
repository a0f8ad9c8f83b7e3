package watch

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A root reached through a symbolic link is watched, with polling or file events, and files are
// reported under the root as it was named.
func TestSymlinkedRootIsWatched(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, poll := range []time.Duration{-1, 20 * time.Millisecond} {
		real := t.TempDir()
		os.MkdirAll(filepath.Join(real, "src/api/x"), 0o755)
		link := filepath.Join(t.TempDir(), "project")
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		w, err := New(Options{Root: link, Poll: poll})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(real, "src/api/x/route.ts"), []byte("x"), 0o644)
		if b := next(t, w); len(b) != 1 || b[0] != filepath.Join(link, "src/api/x/route.ts") {
			t.Fatalf("poll %s: batch %v", poll, b)
		}
		w.Close()
	}
}

// Links inside the root follow project's rule: a link to a file is followed wherever it points
// (a change to its target, written in place or renamed over, is a change to the link); a link
// to a directory is not entered.
func TestLinksInsideTheRoot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, poll := range []time.Duration{-1, 20 * time.Millisecond} {
		root, outside := t.TempDir(), t.TempDir()
		write := func(p, content string) {
			t.Helper()
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		link := func(target, at string) string {
			t.Helper()
			p := filepath.Join(root, at)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		write(filepath.Join(root, "src/lib/inner.ts"), "1")
		write(filepath.Join(outside, "outer.ts"), "1")
		write(filepath.Join(outside, "dir/api/x/route.ts"), "1")
		write(filepath.Join(root, "src/shared/y/route.ts"), "1")
		write(filepath.Join(root, "src/sentinel.ts"), "1")
		inner := link(filepath.Join(root, "src/lib/inner.ts"), "src/api/inner/route.ts")
		outer := link(filepath.Join(outside, "outer.ts"), "src/subscribers/outer.ts")
		link(filepath.Join(outside, "dir"), "src/linked-out")
		link(filepath.Join(root, "src/shared"), "src/api/linked-in")

		w, err := New(Options{Root: root, Poll: poll})
		if err != nil {
			t.Fatal(err)
		}
		has := func(b []string, p string) bool {
			for _, f := range b {
				if f == p {
					return true
				}
			}
			return false
		}
		write(filepath.Join(root, "src/lib/inner.ts"), "2")
		if b := next(t, w); !has(b, inner) || !has(b, filepath.Join(root, "src/lib/inner.ts")) {
			t.Fatalf("poll %s: target inside the root: %v", poll, b)
		}
		write(filepath.Join(outside, "outer.ts"), "22")
		if b := next(t, w); len(b) != 1 || b[0] != outer {
			t.Fatalf("poll %s: target outside, written in place: %v", poll, b)
		}
		write(filepath.Join(outside, ".outer.ts.tmp"), "333")
		if err := os.Rename(filepath.Join(outside, ".outer.ts.tmp"), filepath.Join(outside, "outer.ts")); err != nil {
			t.Fatal(err)
		}
		if b := next(t, w); len(b) != 1 || b[0] != outer {
			t.Fatalf("poll %s: target outside, renamed over: %v", poll, b)
		}
		// Directories that are links are not entered: only the sentinel written after them is
		// reported.
		write(filepath.Join(outside, "dir/api/x/route.ts"), "22")
		write(filepath.Join(root, "src/shared/y/route.ts"), "22")
		first := next(t, w)
		if !has(first, filepath.Join(root, "src/shared/y/route.ts")) {
			t.Fatalf("poll %s: the real directory: %v", poll, first)
		}
		write(filepath.Join(root, "src/sentinel.ts"), "22")
		for _, b := range [][]string{first, next(t, w)} {
			for _, f := range b {
				if strings.Contains(f, "linked-") {
					t.Fatalf("poll %s: a file under a linked directory was reported: %v", poll, b)
				}
			}
		}
		w.Close()
	}
}
