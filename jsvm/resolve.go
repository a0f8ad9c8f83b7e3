package jsvm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// resolver finds the file a require specifier names, the way Node does, plus TypeScript's
// habits: extensionless imports of .ts files, and "./x.js" meaning "./x.ts".
type resolver struct {
	builtin func(name string) bool

	mu   sync.Mutex
	pkgs map[string]*packageJSON // dir → parsed package.json (nil when absent)
}

type resolved struct {
	path    string // absolute file path, or the builtin's name
	builtin bool
}

// ErrNotFound is wrapped by resolution failures.
var ErrNotFound = errors.New("cannot find module")

var (
	sourceExts  = []string{".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json"}
	packageExts = []string{".js", ".json", ".cjs", ".mjs", ".ts"}
)

func newResolver(builtin func(string) bool) *resolver {
	return &resolver{builtin: builtin, pkgs: make(map[string]*packageJSON)}
}

func (r *resolver) resolve(fromDir, spec string) (resolved, error) {
	if spec == "" {
		return resolved{}, fmt.Errorf("%w: empty specifier", ErrNotFound)
	}
	if name, ok := strings.CutPrefix(spec, "node:"); ok {
		return resolved{path: name, builtin: true}, nil
	}
	if r.builtin(spec) {
		return resolved{path: spec, builtin: true}, nil
	}
	if isRelative(spec) || filepath.IsAbs(spec) {
		p := spec
		if !filepath.IsAbs(p) {
			p = filepath.Join(fromDir, filepath.FromSlash(spec))
		}
		if f, ok := r.fileOrDir(p, sourceExts); ok {
			return resolved{path: f}, nil
		}
		return resolved{}, fmt.Errorf("%w '%s'", ErrNotFound, spec)
	}
	if f, ok := r.nodeModules(fromDir, spec); ok {
		return resolved{path: f}, nil
	}
	return resolved{}, fmt.Errorf("%w '%s' (not a built-in, and not installed in node_modules)", ErrNotFound, spec)
}

func isRelative(spec string) bool {
	return spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../")
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func (r *resolver) fileOrDir(p string, exts []string) (string, bool) {
	if f, ok := r.file(p, exts); ok {
		return f, true
	}
	if isDir(p) {
		if pkg := r.pkg(p); pkg != nil && pkg.Main != "" {
			if f, ok := r.fileOrIndex(filepath.Join(p, filepath.FromSlash(pkg.Main)), exts); ok {
				return f, true
			}
		}
		return r.file(filepath.Join(p, "index"), exts)
	}
	return "", false
}

func (r *resolver) fileOrIndex(p string, exts []string) (string, bool) {
	if f, ok := r.file(p, exts); ok {
		return f, true
	}
	return r.file(filepath.Join(p, "index"), exts)
}

func (r *resolver) file(p string, exts []string) (string, bool) {
	if isFile(p) {
		return p, true
	}
	for _, ext := range exts {
		if isFile(p + ext) {
			return p + ext, true
		}
	}
	// TypeScript's NodeNext style: import "./x.js" compiles from x.ts.
	for js, tsExts := range map[string][]string{".js": {".ts", ".tsx"}, ".mjs": {".mts"}, ".cjs": {".cts"}, ".jsx": {".tsx"}} {
		if base, ok := strings.CutSuffix(p, js); ok {
			for _, ts := range tsExts {
				if isFile(base + ts) {
					return base + ts, true
				}
			}
		}
	}
	return "", false
}

// nodeModules looks for the package in every node_modules from fromDir up to the filesystem root.
func (r *resolver) nodeModules(fromDir, spec string) (string, bool) {
	name, sub := splitPackage(spec)
	for dir := fromDir; ; {
		if filepath.Base(dir) != "node_modules" {
			pkgDir := filepath.Join(dir, "node_modules", filepath.FromSlash(name))
			if isDir(pkgDir) {
				if f, ok := r.inPackage(pkgDir, sub); ok {
					return f, true
				}
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func splitPackage(spec string) (name, sub string) {
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") && len(parts) >= 2 {
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = parts[2]
		}
		return name, sub
	}
	name = parts[0]
	if i := strings.IndexByte(spec, '/'); i >= 0 {
		sub = spec[i+1:]
	}
	return name, sub
}

func (r *resolver) inPackage(pkgDir, sub string) (string, bool) {
	pkg := r.pkg(pkgDir)
	if pkg != nil && pkg.Exports != nil {
		key := "."
		if sub != "" {
			key = "./" + sub
		}
		if target, ok := resolveExports(pkg.Exports, key); ok {
			p := filepath.Join(pkgDir, filepath.FromSlash(strings.TrimPrefix(target, "./")))
			if isFile(p) {
				return p, true
			}
		}
	}
	if sub != "" {
		return r.fileOrDir(filepath.Join(pkgDir, filepath.FromSlash(sub)), packageExts)
	}
	if pkg != nil {
		for _, entry := range []string{pkg.Main, pkg.Module} {
			if entry == "" {
				continue
			}
			if f, ok := r.fileOrIndex(filepath.Join(pkgDir, filepath.FromSlash(entry)), packageExts); ok {
				return f, true
			}
		}
	}
	return r.file(filepath.Join(pkgDir, "index"), packageExts)
}

type packageJSON struct {
	Main    string          `json:"main"`
	Module  string          `json:"module"`
	Type    string          `json:"type"`
	Exports json.RawMessage `json:"exports"`
}

func (r *resolver) pkg(dir string) *packageJSON {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pkgs[dir]; ok {
		return p
	}
	var p *packageJSON
	if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		p = new(packageJSON)
		if json.Unmarshal(b, p) != nil {
			p = nil
		}
	}
	r.pkgs[dir] = p
	return p
}

// Conditions in the order we accept them: the code is turned into CommonJS either way, so an
// "import" (ESM) target is as good as a "require" one.
var exportConditions = []string{"require", "node", "default", "import", "module"}

// resolveExports implements the parts of Node's package "exports" that packages use: a string,
// a condition object, a subpath map, and "./*" patterns.
func resolveExports(raw json.RawMessage, key string) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, key == "."
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil {
			for _, a := range arr {
				if t, ok := resolveExports(a, key); ok {
					return t, true
				}
			}
		}
		return "", false
	}
	subpaths := false
	for k := range obj {
		if strings.HasPrefix(k, ".") {
			subpaths = true
			break
		}
	}
	if !subpaths {
		if key != "." {
			return "", false
		}
		return resolveConditions(raw)
	}
	if v, ok := obj[key]; ok {
		return resolveConditions(v)
	}
	// Longest matching "./prefix*suffix" pattern wins.
	best, bestLen := "", -1
	for k := range obj {
		star := strings.IndexByte(k, '*')
		if star < 0 {
			continue
		}
		prefix, suffix := k[:star], k[star+1:]
		if strings.HasPrefix(key, prefix) && strings.HasSuffix(key, suffix) && len(key) >= len(prefix)+len(suffix) && len(prefix) > bestLen {
			best, bestLen = k, len(prefix)
		}
	}
	if bestLen >= 0 {
		star := strings.IndexByte(best, '*')
		match := key[star : len(key)-(len(best)-star-1)]
		if t, ok := resolveConditions(obj[best]); ok {
			return strings.ReplaceAll(t, "*", match), true
		}
	}
	return "", false
}

func resolveConditions(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		for _, a := range arr {
			if t, ok := resolveConditions(a); ok {
				return t, true
			}
		}
		return "", false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", false
	}
	for _, c := range exportConditions {
		if v, ok := obj[c]; ok {
			if t, ok := resolveConditions(v); ok {
				return t, true
			}
		}
	}
	return "", false
}
