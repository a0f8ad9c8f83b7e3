package jsvm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
)

// Every position lands on the character the editor shows, in UTF-16 units, whatever the file's
// byte-order mark, line endings and non-ASCII text: each variant of a source must report the
// position its plain ASCII twin reports ("ab" and "😀" are both two UTF-16 units; "é" and "e"
// one, though é is two bytes).
func TestPositionsWithBOMCRLFAndNonASCII(t *testing.T) {
	variants := []struct {
		name string
		make func(string) string
	}{
		{"plain", func(s string) string { return s }},
		{"bom", func(s string) string { return "\uFEFF" + s }},
		{"crlf", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"emoji", func(s string) string { return strings.ReplaceAll(s, "ab", "😀") }},
		{"accent", func(s string) string { return strings.ReplaceAll(s, "ab", "é_") }},
		{"all", func(s string) string {
			return "\uFEFF" + strings.ReplaceAll(strings.ReplaceAll(s, "ab", "😀"), "\n", "\r\n")
		}},
	}
	sources := []struct {
		name string
		src  string
		run  func(t *testing.T, rt *Runtime, path string) diag.Diagnostic
		want [2]int // line, column of the plain source
	}{
		{"esbuild syntax error", "const s = \"ab\"; const x = (1 +;\nexport const y = 1\n", loadDiag, [2]int{1, 31}},
		{"syntax pre-check (node runtime)", "const s = \"ab\"; const x = (1 +;\nexport const y = 1\n", checkSyntaxDiag, [2]int{1, 31}},
		{"load error", "const s = \"ab\"; throw new Error(\"boom\")\nexport const y = 1\n", loadDiag, [2]int{1, 0}},
		{"runtime stack", "export function f() { const s = \"ab\"; throw new Error(\"x\") }\n", callDiag, [2]int{1, 0}},
		{"runtime stack, second line", "const s = \"ab\"\nexport function f() { const s = \"ab\"; return (undefined as any).cd }\n", callDiag, [2]int{2, 0}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			var plain diag.Diagnostic
			for i, v := range variants {
				root := project(t, map[string]string{"src/x.ts": v.make(src.src)})
				rt := newRuntime(t, root)
				d := src.run(t, rt, filepath.Join(root, "src/x.ts"))
				if i == 0 {
					plain = d
					if d.Line != src.want[0] || (src.want[1] != 0 && d.Column != src.want[1]) || d.Column < 2 {
						t.Fatalf("plain: %d:%d, want %d:%d", d.Line, d.Column, src.want[0], src.want[1])
					}
					continue
				}
				if d.Line != plain.Line || d.Column != plain.Column {
					t.Errorf("%s: %d:%d, want %d:%d as the plain source (%s)", v.name, d.Line, d.Column, plain.Line, plain.Column, d.Message)
				}
			}
		})
	}
}

func loadDiag(t *testing.T, rt *Runtime, path string) diag.Diagnostic {
	t.Helper()
	_, _, err := load(t, rt, nil, nil, path)
	if err == nil {
		t.Fatal("expected a load error")
	}
	ds := rt.Diagnostics(err, diag.CodeLoad)
	if len(ds) == 0 || ds[0].File != path {
		t.Fatalf("diagnostics %+v", ds)
	}
	return ds[0]
}

func callDiag(t *testing.T, rt *Runtime, path string) diag.Diagnostic {
	t.Helper()
	_, m, err := load(t, rt, nil, nil, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = call(t, rt, m, "f")
	if err == nil {
		t.Fatal("expected an error")
	}
	ds := rt.Diagnostics(err, diag.CodeRuntime)
	if len(ds) == 0 || ds[0].File != path {
		t.Fatalf("diagnostics %s", fmt.Sprint(ds))
	}
	return ds[0]
}

func checkSyntaxDiag(t *testing.T, _ *Runtime, path string) diag.Diagnostic {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ds := CheckSyntax(path, src, "")
	if len(ds) == 0 {
		t.Fatal("no syntax error")
	}
	return ds[0]
}
