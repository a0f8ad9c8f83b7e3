//go:build linux

package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Node runs the helper inside Medusa: it is written only where nobody else can replace it.
func TestWriteNodeHelperPrivate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, folder string) // the medusa-ls folder in the cache, not yet made
		inCache bool                              // the helper goes to that folder
	}{
		{"fresh cache", func(*testing.T, string) {}, true},
		{"writable by others", func(t *testing.T, folder string) {
			mkdir(t, folder)
			if err := os.Chmod(folder, 0o777); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"writable by the group", func(t *testing.T, folder string) {
			mkdir(t, folder)
			if err := os.Chmod(folder, 0o770); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a symbolic link", func(t *testing.T, folder string) {
			if err := os.Symlink(t.TempDir(), folder); err != nil {
				t.Fatal(err)
			}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			t.Setenv("XDG_CACHE_HOME", cache)
			folder := filepath.Join(cache, "medusa-ls")
			tc.prepare(t, folder)
			path, err := writeNodeHelper()
			if err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != string(nodeHelperJS) {
				t.Fatalf("the helper at %s is not the helper (%v)", path, err)
			}
			if got := filepath.Dir(path) == folder; got != tc.inCache {
				t.Errorf("helper written to %s; in the cache folder: %v, want %v", path, got, tc.inCache)
			}
			if !privateCacheDir(filepath.Dir(path)) {
				t.Errorf("helper written to %s, a folder others can write or a link", path)
			}
			if !tc.inCache {
				if !strings.HasPrefix(path, os.TempDir()) {
					t.Errorf("helper written to %s, want a private folder in %s", path, os.TempDir())
				}
				_ = os.RemoveAll(filepath.Dir(path))
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}
