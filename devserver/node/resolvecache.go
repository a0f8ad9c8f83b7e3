package node

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Node resolves every require() by probing the file system (a stat per candidate file,
// extension and node_modules folder, package.json reads for "exports" and "main"): about 1 s of
// Medusa's boot, for ~10,000 requests whose answers only change when the packages do. The helper
// keeps them across boots in one file (resolveCacheEnv), written once Medusa is up; this file
// names it. Its name is a key of everything that can change an answer — the package managers'
// install markers and the lockfiles in the project and every folder above it (Node looks for
// node_modules up to the root, and workspaces hoist there), node itself, the options given to
// it, the helper — so that an install, an upgrade or another node starts a new file instead of
// reusing a stale answer. Only answers that lead into node_modules are kept: the project's own
// files change all the time and are always resolved by Node. A file or a package removed by hand
// inside node_modules, without the package manager, is not seen (as by bundlers' caches).

// resolveCacheEnv names the cache file for the helper.
const resolveCacheEnv = "MEDUSA_LS_RESOLVE_CACHE"

// codeCacheEnv names the file of V8's code cache for node_modules, beside the resolutions under
// the same key (codeCacheFile). Each entry also carries its source's CRC-32 and length.
const codeCacheEnv = "MEDUSA_LS_CODE_CACHE"

// codeCacheFile is the code cache beside resolutions file f.
func codeCacheFile(f string) string { return strings.TrimSuffix(f, ".json") + ".code" }

// installMarkers are written by a package manager on every install that changes node_modules:
// npm's hidden lockfile, pnpm's and yarn's state files. Without one of them there is no telling
// that node_modules changed, and no cache.
var installMarkers = []string{
	".package-lock.json", // npm 7+
	".modules.yaml",      // pnpm
	".yarn-state.yml",    // yarn 2+ (node-modules linker)
	".yarn-integrity",    // yarn 1
}

// keyFiles also count, by content: what the project and its workspaces ask for.
var keyFiles = []string{
	"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
	"bun.lock", "bun.lockb",
}

// resolveCacheFile returns the cache file for a Medusa started by node with args and env in root,
// or "" when no install marker says when node_modules changes. dir is the cache folder. The key
// holds no path of the project's own: a copy of a project that uses the same node_modules (a
// symlink, a worktree's) finds the same answers, which the file keys by absolute folder. Files
// not used for a week are removed.
func resolveCacheFile(dir, root, node string, args []string, env map[string]string, helper []byte) string {
	h := sha256.New()
	// NODE_OPTIONS: --conditions changes what "exports" gives
	fmt.Fprintf(h, "v1\x00%s\x00%s\x00%s\x00%s\x00", node, strings.Join(args, "\x01"), env["NODE_PATH"], env["NODE_OPTIONS"])
	// a node upgraded in place
	if fi, err := os.Stat(node); err == nil {
		fmt.Fprintf(h, "%d\x00%d\x00", fi.ModTime().UnixNano(), fi.Size())
	}
	h.Write(helper)
	marked := false
	for d, level := root, 0; ; level++ {
		fmt.Fprintf(h, "\x00level %d\x00", level)
		for _, f := range keyFiles {
			if b, err := os.ReadFile(filepath.Join(d, f)); err == nil {
				sum := sha256.Sum256(b)
				fmt.Fprintf(h, "%s\x00%x\x00", f, sum)
			}
		}
		// the folders Node searches, as they really are (a symlinked node_modules is its target),
		// and what their package manager last wrote
		if nm, err := filepath.EvalSymlinks(filepath.Join(d, "node_modules")); err == nil {
			fmt.Fprintf(h, "node_modules %s\x00", nm)
			for _, f := range append([]string{"."}, installMarkers...) {
				if fi, err := os.Stat(filepath.Join(nm, f)); err == nil {
					fmt.Fprintf(h, "%s\x00%d\x00%d\x00", f, fi.ModTime().UnixNano(), fi.Size())
					marked = marked || f != "."
				}
			}
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	if !marked {
		return ""
	}
	if err := os.MkdirAll(dir, 0o700); err != nil || !privateCacheDir(dir) {
		return ""
	}
	file := filepath.Join(dir, hex.EncodeToString(h.Sum(nil)[:12])+".json")
	now := time.Now()
	for _, f := range []string{file, codeCacheFile(file)} {
		_ = os.Chtimes(f, now, now) // in use: not pruned
	}
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > 7*24*time.Hour {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	return file
}

// resolveCacheDir is the user's cache folder for resolutions ("" when there is none).
func resolveCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "medusa-ls", "resolve")
}
