package jsvm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/medusa-ls/medusa-ls/diag"
)

// esbuildVersion is part of every cache key: a different esbuild may transform differently.
const esbuildVersion = "0.28.2"

// diskCache keeps esbuild's output across processes, so that a restarted dev server (a .env
// change, a crash) and the next `develop` skip the transforms. Entries are addressed by
// content, so they never go stale; old ones are pruned.
type diskCache struct {
	dir string
}

type cacheEntry struct {
	Code     string            `json:"code"`
	Warnings []diag.Diagnostic `json:"warnings,omitempty"`
}

// DefaultCacheDir is where transforms are cached: the user cache directory.
func DefaultCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "medusa-ls", "transforms")
}

func newDiskCache(dir string) *diskCache {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil
	}
	return &diskCache{dir: dir}
}

func (c *diskCache) key(tsconfig, path string, src []byte) string {
	h := sha256.New()
	h.Write([]byte(esbuildVersion + "\x00" + tsconfig + "\x00" + path + "\x00"))
	h.Write(src)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *diskCache) file(key string) string { return filepath.Join(c.dir, key[:2], key) }

func (c *diskCache) get(key string) (cacheEntry, bool) {
	if c == nil {
		return cacheEntry{}, false
	}
	b, err := os.ReadFile(c.file(key))
	if err != nil {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Code == "" {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *diskCache) put(key string, e cacheEntry) {
	if c == nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	p := c.file(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	// Write and rename, so that a concurrent reader (the old child during a restart) never
	// sees half an entry.
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// prune removes entries not used for maxAge. It runs in the background, once per process.
func (c *diskCache) prune(maxAge time.Duration) {
	if c == nil {
		return
	}
	cutoff := time.Now().Add(-maxAge)
	_ = filepath.WalkDir(c.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = os.Remove(p)
		}
		return nil
	})
}

// touch marks an entry as used, so pruning keeps it.
func (c *diskCache) touch(key string) {
	if c == nil {
		return
	}
	now := time.Now()
	_ = os.Chtimes(c.file(key), now, now)
}
