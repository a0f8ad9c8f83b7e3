package watch

import (
	"os"
	"path/filepath"
	"runtime"
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
