//go:build unix

package devserver_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
	"github.com/medusa-ls/medusa-ls/internal/medusafixture"
)

// check on a real project loads its files in Node with its own Medusa: data models, core-flow
// imports and providers load (the embedded runtime cannot run them), and a file that throws
// while loading is reported at its line.
func TestCheckRealProjectInNode(t *testing.T) {
	clean := medusafixture.ForTest(t, nil)
	report, err := devserver.Check(context.Background(), clean, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n := report.Errors(); n != 0 {
		t.Fatalf("%d errors on the fixture: %+v", n, report.Diagnostics)
	}
	for _, d := range report.Diagnostics {
		if strings.Contains(d.Message, "not listed") || d.Code == "unsupported" {
			t.Fatalf("false problem: %+v", d)
		}
	}
	if len(report.Resources) == 0 {
		t.Fatal("no resources")
	}

	broken := medusafixture.ForTest(t, map[string]string{
		"src/workflows/steps/broken.ts": "import { createStep } from \"@medusajs/framework/workflows-sdk\"\n\nconst limit = Number(\"x\")\nif (Number.isNaN(limit)) throw new Error(\"broken step config\")\nexport const s = createStep(\"broken\", async () => {})\n",
	})
	report, err = devserver.Check(context.Background(), broken, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range report.Diagnostics {
		if d.File == filepath.ToSlash("src/workflows/steps/broken.ts") && d.Line == 4 && strings.Contains(d.Message, "broken step config") {
			found = true
		}
	}
	if !found || report.Errors() != 1 {
		t.Fatalf("want one error at src/workflows/steps/broken.ts:4; got %+v", report.Diagnostics)
	}
}
