package typecheck_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
	"github.com/medusa-ls/medusa-ls/typecheck"
)

func TestParse(t *testing.T) {
	root := filepath.FromSlash("/p")
	tests := []struct {
		name, out string
		want      []diag.Diagnostic
	}{
		{"located", "src/api/a/route.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n",
			[]diag.Diagnostic{{File: filepath.Join(root, "src/api/a/route.ts"), Line: 3, Column: 7, EndLine: 3, EndColumn: 7,
				Severity: diag.Error, Code: "ts2322", Message: "Type 'string' is not assignable to type 'number'."}}},
		{"chained message, CRLF", "src/x.ts(1,1): error TS2345: Argument of type 'A' is not assignable.\r\n  Property 'b' is missing in type 'A'.\r\n",
			[]diag.Diagnostic{{File: filepath.Join(root, "src/x.ts"), Line: 1, Column: 1, EndLine: 1, EndColumn: 1,
				Severity: diag.Error, Code: "ts2345", Message: "Argument of type 'A' is not assignable.\nProperty 'b' is missing in type 'A'."}}},
		{"no file", "error TS5023: Unknown compiler option 'foo'.\n",
			[]diag.Diagnostic{{File: filepath.Join(root, "tsconfig.json"), Severity: diag.Error, Code: "ts5023", Message: "Unknown compiler option 'foo'."}}},
		{"path with parentheses", "src/api/(group)/route.ts(2,5): warning TS6133: 'x' is declared but its value is never read.\n",
			[]diag.Diagnostic{{File: filepath.Join(root, "src/api/(group)/route.ts"), Line: 2, Column: 5, EndLine: 2, EndColumn: 5,
				Severity: diag.Warning, Code: "ts6133", Message: "'x' is declared but its value is never read."}}},
		{"noise", "Version 5.6.3\n\nsomething else\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := typecheck.Parse(root, tc.out); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse:\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestNoTypeScript(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "tsconfig.json"), []byte("{}"), 0o644)
	if _, err := typecheck.Run(context.Background(), root, ""); !errors.Is(err, typecheck.ErrNoTypeScript) {
		t.Fatalf("Run without TypeScript: %v, want ErrNoTypeScript", err)
	}
}

// TestRunOnRealProject type-checks a copy of the real Medusa fixture with its own TypeScript:
// clean as it is, then with type errors after non-ASCII text (columns in UTF-16 units) and in
// a subscriber that misuses Medusa's types.
func TestRunOnRealProject(t *testing.T) {
	clean := medusafixture.ForTest(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ds, err := typecheck.Run(ctx, clean, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 0 {
		t.Fatalf("the fixture as it is has type errors: %v", ds)
	}

	broken := medusafixture.ForTest(t, map[string]string{
		"src/api/store/typed/route.ts": `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const label = "prix en €, 🙂"; const total: number = label
  res.json({ total })
}
`,
		"src/subscribers/typed.ts": `import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"

export default async function handler({ event }: SubscriberArgs<{ id: string }>) {
  const n: number = event.data.id
  return n
}

export const config: SubscriberConfig = { event: 42 }
`,
	})
	ds, err = typecheck.Run(ctx, broken, "")
	if err != nil {
		t.Fatal(err)
	}
	// tsc reports the declared name; its column counts UTF-16 units (the emoji is two).
	prefix := `  const label = "prix en €, 🙂"; const `
	want := map[string]bool{
		"src/api/store/typed/route.ts:4:" + strconv.Itoa(len(utf16.Encode([]rune(prefix)))+1) + ":ts2322": true,
		"src/subscribers/typed.ts:4:9:ts2322":  true,
		"src/subscribers/typed.ts:8:43:ts2322": true,
	}
	got := map[string]bool{}
	for _, d := range ds {
		rel, _ := filepath.Rel(broken, d.File)
		got[filepath.ToSlash(rel)+":"+strconv.Itoa(d.Line)+":"+strconv.Itoa(d.Column)+":"+d.Code] = true
		if d.Severity != diag.Error || !strings.Contains(d.Message, "not assignable") {
			t.Errorf("%s: %s %q", d.Format(broken), d.Severity, d.Message)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %v, want %v", got, want)
	}
}
