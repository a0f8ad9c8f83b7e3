package jsvm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/medusa-ls/medusa-ls/diag"
)

// esbuildVersion is part of every cache key: a different esbuild may transform differently.
const esbuildVersion = "0.28.2"

// diskCache keeps esbuild's output across processes, so that a restarted dev server (a .env
// change, a crash) and the next `develop` skip the transforms. Entries are addressed by
// content, so they never go stale; old ones are pruned. Writes (new entries, and marking a
// used one) happen on a goroutine of their own, off the reload's path; flush waits for them.
type diskCache struct {
	dir string

	mu      sync.Mutex
	queue   []func() // writes not done yet, in order
	writing bool     // the writer goroutine runs
	idle    *sync.Cond
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil
	}
	c := &diskCache{dir: dir}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// later queues a write for the writer goroutine, starting it when it is not running.
func (c *diskCache) later(w func()) {
	c.mu.Lock()
	c.queue = append(c.queue, w)
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.write()
	}
}

func (c *diskCache) write() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.writing = false
			c.idle.Broadcast()
			c.mu.Unlock()
			return
		}
		w := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		w()
	}
}

// flush waits until the queued writes are done.
func (c *diskCache) flush() {
	if c == nil {
		return
	}
	c.mu.Lock()
	for c.writing {
		c.idle.Wait()
	}
	c.mu.Unlock()
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

// put stores an entry in the background.
func (c *diskCache) put(key string, e cacheEntry) {
	if c == nil {
		return
	}
	c.later(func() { c.store(key, e) })
}

func (c *diskCache) store(key string, e cacheEntry) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	p := c.file(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
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

// touch marks an entry as used, so pruning keeps it, in the background.
func (c *diskCache) touch(key string) {
	if c == nil {
		return
	}
	now := time.Now()
	c.later(func() { _ = os.Chtimes(c.file(key), now, now) })
}
