// Package nodemodules finds installed npm packages the way Node's require does: in the
// node_modules folder of a directory, else of the nearest folder above it that has the package.
// Monorepos (npm, yarn and pnpm workspaces) hoist a project's packages to the workspace root,
// so looking only in the project's own node_modules misses them.
package nodemodules

import (
	"os"
	"path/filepath"
)

// Find returns the folder of package name (as "zod" or "@medusajs/medusa") as Node resolves it
// from dir: dir/node_modules/name if it has a package.json, else the same in each folder above
// dir, up to the filesystem's root. ok is false when no folder has it.
func Find(dir, name string) (pkg string, ok bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, "node_modules", filepath.FromSlash(name))
		if st, err := os.Stat(filepath.Join(p, "package.json")); err == nil && st.Mode().IsRegular() {
			return p, true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", false
		}
		dir = up
	}
}

// File returns the path of file (slash-separated) inside package name as Find locates it from
// dir, such as File(root, "@medusajs/cli", "cli.js"); ok is false when the package is not
// installed or lacks the file.
func File(dir, name, file string) (path string, ok bool) {
	pkg, ok := Find(dir, name)
	if !ok {
		return "", false
	}
	p := filepath.Join(pkg, filepath.FromSlash(file))
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}
