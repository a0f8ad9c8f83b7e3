// Package docs checks that the README's walk through the code still matches the code.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the module's root, two folders up from this package.
const repoRoot = "../.."

// decls indexes the repository's Go declarations: "pkg.Func", "pkg.Type.Method" and, for
// names given without their package, "Type.Method".
func decls(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git", ".cache", "dist", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := f.Name.Name
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if fn.Recv == nil {
				out[pkg+"."+fn.Name.Name] = true
				continue
			}
			typ := fn.Recv.List[0].Type
			if s, ok := typ.(*ast.StarExpr); ok {
				typ = s.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				out[pkg+"."+id.Name+"."+fn.Name.Name] = true
				out[id.Name+"."+fn.Name.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	goName   = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*){1,2}$`)
	repoPath = regexp.MustCompile(`^[\w./-]+/[\w./-]*$|^[\w-]+\.(go|js|ts)$`)
)

// TestSaveWalkMatchesTheCode reads the README's "A save, one hop per line" and checks that every
// function or method it names is declared where Go finds it, and every path it names exists. A
// renamed function or a moved file fails it until the README follows.
func TestSaveWalkMatchesTheCode(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "A save, one hop per line")
	if start < 0 {
		t.Fatal(`the README has no "A save, one hop per line" section`)
	}
	walk := text[start:]
	if end := strings.Index(walk, "\n\n`make test`"); end >= 0 {
		walk = walk[:end]
	}
	known := decls(t)
	names, paths := 0, 0
	for _, m := range codeSpan.FindAllStringSubmatch(walk, -1) {
		span := m[1]
		switch {
		case strings.HasSuffix(span, ".go") || strings.HasSuffix(span, ".js") || strings.HasSuffix(span, "/") || (repoPath.MatchString(span) && !strings.Contains(span, " ")):
			if strings.HasPrefix(span, "textDocument/") || strings.HasPrefix(span, "medusa/") {
				continue // LSP methods, not paths
			}
			paths++
			if _, err := os.Stat(filepath.Join(repoRoot, span)); err != nil {
				t.Errorf("the README's save walk names %s, which does not exist", span)
			}
		case goName.MatchString(span):
			names++
			if !known[span] {
				t.Errorf("the README's save walk names %s, which no Go file declares", span)
			}
		}
	}
	if names < 10 || paths < 5 {
		t.Fatalf("found %d names and %d paths in the save walk; the section's format changed?\n%s", names, paths, walk)
	}
	hops := regexp.MustCompile(`(?m)^\d+\. `).FindAllString(walk, -1)
	t.Logf("the save walk: %d hops, %d functions, %d paths", len(hops), names, paths)
}
