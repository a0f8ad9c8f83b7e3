package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// A file whose content is known final (renamed into place, or closed after writing) and is the
// whole batch is reported without the quiet window; a file still being written, or one written
// while a Git command holds the index lock, keeps the window. The window is an hour here, so a
// batch that arrives at all arrived without it.
func TestCompleteFileIsReportedAtOnce(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("knowing that a file's content is final needs inotify's IN_CLOSE_WRITE and IN_MOVED_TO (Linux)")
	}
	tests := []struct {
		name   string
		git    bool // a Git command holds the index lock meanwhile
		save   func(t *testing.T, file string) (cleanup func())
		atOnce bool
	}{
		{"renamed into place", false, func(t *testing.T, file string) func() {
			tmp := file + ".tmp" // an editor's temporary file: ignored

			must(t, os.WriteFile(tmp, []byte("export const v = 2\n"), 0o644))
			must(t, os.Rename(tmp, file))
			return nil
		}, true},
		{"written in place and closed", false, func(t *testing.T, file string) func() {
			must(t, os.WriteFile(file, []byte("export const v = 3\n"), 0o644))
			return nil
		}, true},
		{"a new file, closed", false, func(t *testing.T, file string) func() {
			must(t, os.WriteFile(filepath.Join(filepath.Dir(file), "other.ts"), []byte("export const o = 1\n"), 0o644))
			return nil
		}, true},
		{"still open for writing", false, func(t *testing.T, file string) func() {
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_TRUNC, 0)
			must(t, err)
			_, err = f.Write([]byte("export const "))
			must(t, err)
			return func() { f.Close() }
		}, false},
		{"closed while Git holds the index lock", true, func(t *testing.T, file string) func() {
			must(t, os.WriteFile(file, []byte("export const v = 4\n"), 0o644))
			return nil
		}, false},
		{"closed beside an index lock a dead Git left", true, func(t *testing.T, file string) func() {
			lock := filepath.Join(filepath.Dir(file), "../../../.git/index.lock")
			old := time.Now().Add(-time.Hour)
			must(t, os.Chtimes(lock, old, old))
			must(t, os.WriteFile(file, []byte("export const v = 5\n"), 0o644))
			return nil
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			must(t, os.MkdirAll(filepath.Join(root, ".git"), 0o755))
			must(t, os.MkdirAll(filepath.Join(root, "src/api/x"), 0o755))
			file := filepath.Join(root, "src/api/x/route.ts")
			must(t, os.WriteFile(file, []byte("export const v = 1\n"), 0o644))
			if tc.git {
				must(t, os.WriteFile(filepath.Join(root, ".git/index.lock"), nil, 0o644))
			}
			w := start(t, Options{Root: root, Quiet: time.Hour, MaxWait: 2 * time.Hour, BurstQuiet: time.Hour, BurstMaxWait: 2 * time.Hour})
			if cleanup := tc.save(t, file); cleanup != nil {
				t.Cleanup(cleanup)
			}
			if !tc.atOnce {
				noBatch(t, w, 1) // it waits for its window
				return
			}
			b := next(t, w)
			if len(b) != 1 || (b[0] != file && filepath.Base(b[0]) != "other.ts") {
				t.Fatalf("batch %v", b)
			}
			// The save's own fsnotify events (a rename's Create, a Chmod) are the same save:
			// nothing waits for a second batch.
			noBatch(t, w, 0)
		})
	}
}

// A Git checkout that rewrites existing files, each closed after writing, is one batch: Git
// holds its index lock while it writes the tree.
func TestCheckoutOfExistingFilesIsOneBatch(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("knowing that a file's content is final needs inotify (Linux)")
	}
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, ".git"), 0o755))
	var files []string
	for i := 0; i < 100; i++ {
		d := filepath.Join(root, "src/api", fmt.Sprintf("r%03d", i))
		must(t, os.MkdirAll(d, 0o755))
		f := filepath.Join(d, "route.ts")
		must(t, os.WriteFile(f, []byte("v1"), 0o644))
		files = append(files, f)
	}
	// Nothing is sent while the lock is there (BurstMaxWait is not what is tested), and the
	// watcher has acted on every file before it goes: a loaded machine cannot split the batch.
	w := start(t, Options{Root: root, BurstMaxWait: time.Hour})
	lock := filepath.Join(root, ".git/index.lock")
	must(t, os.WriteFile(lock, nil, 0o644))
	for _, f := range files {
		must(t, os.Remove(f)) // as Git does: unlink, then create
		must(t, os.WriteFile(f, []byte("v2"), 0o644))
		now := time.Now() // a live Git's lock: never taken for a dead one's (gitLockStale)
		must(t, os.Chtimes(lock, now, now))
	}
	noBatch(t, w, len(files)) // the first file is not reported on its own, nor any other
	must(t, os.Remove(lock))
	if b := next(t, w); len(b) != len(files) {
		t.Fatalf("first batch has %d files, want all %d", len(b), len(files))
	}
	noBatch(t, w, 0)
}

func TestGitIndexLock(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	wt := filepath.Join(root, "worktree")
	must(t, os.MkdirAll(filepath.Join(repo, ".git"), 0o755))
	must(t, os.MkdirAll(filepath.Join(repo, "packages/backend"), 0o755))
	must(t, os.MkdirAll(wt, 0o755))
	must(t, os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: ../repo/.git/worktrees/wt\n"), 0o644))
	for _, tc := range []struct{ dir, want string }{
		{repo, filepath.Join(repo, ".git/index.lock")},
		{filepath.Join(repo, "packages/backend"), filepath.Join(repo, ".git/index.lock")},
		{wt, filepath.Join(repo, ".git/worktrees/wt/index.lock")},
	} {
		if got := gitIndexLock(tc.dir); got != tc.want {
			t.Errorf("gitIndexLock(%s) = %s, want %s", tc.dir, got, tc.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
