package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

func newWatcher(t *testing.T, root string) *Watcher {
	t.Helper()
	w, err := New(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// next returns the next batch, or fails after a generous timeout (this is a correctness bound,
// not a speed assertion).
func next(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case b := <-w.Batches():
		sort.Strings(b)
		return b
	case <-time.After(20 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

func noBatch(t *testing.T, w *Watcher, wait time.Duration) {
	t.Helper()
	select {
	case b := <-w.Batches():
		t.Fatalf("unexpected batch %v", b)
	case <-time.After(wait):
	}
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"src/api/route.ts", false},
		{".env", false},
		{".env.local", false},
		{"node_modules/x/index.js", true},
		{"src/node_modules/x.js", true},
		{".git/HEAD", true},
		{".medusa/server/x.js", true},
		{"dist/x.js", true},
		{".vscode/settings.json", true},
		{"src/api/4913", true},
		{"src/api/route.ts~", true},
		{"src/api/.route.ts.swp", true},
		{"src/api/.#route.ts", true},
		{"uploads/a.png", true},
		// Medusa ignores these names at the root only: below it, they are routes.
		{"src/api/admin/uploads/route.ts", false},
		{"src/api/store/build/route.ts", false},
		{"src/api/static/[id]/route.ts", false},
		{"src/subscribers/dist/x.ts", false},
		{"src/admin/widgets/brand.tsx", true},
		{"src/admin", true},
		{"src/administration/x.ts", false},
		{"private/keys.ts", true},
		{"coverage/lcov.js", true},
		{"build/index.js", true},
	}
	for _, tc := range tests {
		if got := Ignored(tc.rel, nil); got != tc.want {
			t.Errorf("Ignored(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
	if !Ignored("src/generated/x.ts", []string{"src/generated/**"}) || !Ignored("tmp/x.ts", []string{"tmp"}) {
		t.Error("user patterns not applied")
	}
}

func TestAtomicSaveIsOneBatch(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "src/api/hello")
	os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, "route.ts")
	os.WriteFile(file, []byte("v1"), 0o644)
	w := newWatcher(t, root)
	// vim's sequence: probe file, backup by rename, write the new file, drop the backup.
	probe := filepath.Join(dir, "4913")
	os.WriteFile(probe, nil, 0o644)
	os.Remove(probe)
	os.Rename(file, file+"~")
	os.WriteFile(file, []byte("v2"), 0o644)
	os.Remove(file + "~")
	if b := next(t, w); len(b) != 1 || b[0] != file {
		t.Fatalf("batch %v", b)
	}
}

func TestBurstIsOneBatch(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src/api"), 0o755)
	// The burst window is widened so that a loaded machine pausing between two files does not
	// split the batch; the defaults' own figures are the benchmark's business.
	w, err := New(Options{Root: root, BurstQuiet: 300 * time.Millisecond, BurstMaxWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for i := 0; i < 300; i++ {
		d := filepath.Join(root, "src/api", fmt.Sprintf("r%03d", i))
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "route.ts"), []byte("x"), 0o644)
	}
	b := next(t, w)
	if len(b) != 300 {
		t.Fatalf("first batch has %d files, want all 300", len(b))
	}
	noBatch(t, w, 200*time.Millisecond)
}

func TestNewDirectoriesAreWatchedAndIgnoredOnesAreNot(t *testing.T) {
	root := t.TempDir()
	w := newWatcher(t, root)
	os.MkdirAll(filepath.Join(root, "node_modules/pkg"), 0o755)
	os.WriteFile(filepath.Join(root, "node_modules/pkg/index.js"), []byte("x"), 0o644)
	noBatch(t, w, 100*time.Millisecond)
	nested := filepath.Join(root, "src/subscribers")
	os.MkdirAll(nested, 0o755)
	time.Sleep(50 * time.Millisecond) // let the watch on the new directory be added
	<-drain(w)
	f := filepath.Join(nested, "a.ts")
	os.WriteFile(f, []byte("x"), 0o644)
	for {
		b := next(t, w)
		if len(b) == 1 && b[0] == f {
			return
		}
		if len(b) > 1 || b[0] != f {
			// The directory creation may report its files in its own batch first.
			for _, x := range b {
				if x == f {
					return
				}
			}
		}
	}
}

// drain empties pending batches and returns a closed channel.
func drain(w *Watcher) <-chan struct{} {
	c := make(chan struct{})
	go func() {
		defer close(c)
		for {
			select {
			case <-w.Batches():
			case <-time.After(100 * time.Millisecond):
				return
			}
		}
	}()
	return c
}

func TestIrrelevantFilesNeverStartABatch(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "src"), 0o755)
	w, err := New(Options{Root: root, Relevant: func(rel string) bool { return filepath.Ext(rel) == ".ts" }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := filepath.Join(root, "src", "server.log")
	for i := 0; i < 20; i++ {
		f, _ := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		fmt.Fprintf(f, "line %d\n", i)
		f.Close()
	}
	os.WriteFile(filepath.Join(root, "src", "x.ts.tmp-123"), []byte("x"), 0o644)
	noBatch(t, w, 200*time.Millisecond)
	code := filepath.Join(root, "src", "x.ts")
	os.WriteFile(code, []byte("x"), 0o644)
	if b := next(t, w); len(b) != 1 || b[0] != code {
		t.Fatalf("batch %v", b)
	}
}
