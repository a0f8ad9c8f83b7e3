package project

import (
	"path/filepath"
	"strings"
)

// ModulePath is the file or folder a module's or provider's resolve in medusa-config names, as
// Medusa finds it: a "./" path is under src unless it starts with "./src" ("./modules/brand" is
// src/modules/brand), as normalizeImportPathWithSource in @medusajs/utils has it; other relative
// paths are taken from root. ok is false for a package name.
func ModulePath(root, resolve string) (path string, ok bool) {
	switch {
	case filepath.IsAbs(resolve):
		return resolve, true
	case strings.HasPrefix(resolve, "./") && !strings.HasPrefix(resolve, "./src"):
		return filepath.Join(root, "src", filepath.FromSlash(resolve)), true
	case strings.HasPrefix(resolve, "."):
		return filepath.Join(root, filepath.FromSlash(resolve)), true
	}
	return "", false
}
