package reloaders

import (
	"testing"

	"github.com/medusa-ls/medusa-ls/diag"
)

func TestMergeOneDiagnosticPerCause(t *testing.T) {
	loadErr := func(file string, line int, msg string) diag.Diagnostic {
		return diag.Diagnostic{File: file, Line: line, Column: 1, Severity: diag.Error, Code: diag.CodeLoad, Message: msg}
	}
	lint := func(file string, line, col int, msg string) diag.Diagnostic {
		return diag.Diagnostic{File: file, Line: line, Column: col, Severity: diag.Warning, Code: diag.CodeConvention, Message: msg}
	}
	tests := []struct {
		name         string
		loaded, lint []diag.Diagnostic
		want         []string // messages kept, in order
	}{
		{"lint at the loader's error line is dropped",
			[]diag.Diagnostic{loadErr("j.ts", 9, "job: invalid schedule")}, []diag.Diagnostic{lint("j.ts", 9, 14, "invalid schedule")},
			[]string{"job: invalid schedule"}},
		{"same message twice", []diag.Diagnostic{lint("r.ts", 1, 1, "no handler")}, []diag.Diagnostic{lint("r.ts", 1, 1, "no handler")},
			[]string{"no handler"}},
		{"another line of the same file stays",
			[]diag.Diagnostic{loadErr("s.ts", 1, "no config")}, []diag.Diagnostic{lint("s.ts", 3, 1, "near miss")},
			[]string{"no config", "near miss"}},
		{"another file stays",
			[]diag.Diagnostic{loadErr("a.ts", 2, "boom")}, []diag.Diagnostic{lint("b.ts", 2, 1, "warn")},
			[]string{"boom", "warn"}},
		{"a load warning does not hide lint", []diag.Diagnostic{lint("r.ts", 2, 1, "load warning")}, []diag.Diagnostic{lint("r.ts", 2, 5, "other")},
			[]string{"load warning", "other"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Merge(tc.loaded, tc.lint)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Message != w {
					t.Errorf("%d: got %q, want %q", i, got[i].Message, w)
				}
			}
		})
	}
}
