package jsvm

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/medusa-ls/medusa-ls/internal/oracle"
)

// TestNodeAPIMatchesNode runs testdata/node-api-snippets.js in the embedded runtime and in
// Node 20 and compares each snippet's value (or the kind of error it threw).
func TestNodeAPIMatchesNode(t *testing.T) {
	oracle.Require(t)
	src, err := os.ReadFile(filepath.Join("testdata", "node-api-snippets.js"))
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"snippets.js": string(src)})
	var node map[string]any
	out := oracle.Node(t, dir, "-e", `process.stdout.write(JSON.stringify(require("./snippets.js").run()))`)
	if err := json.Unmarshal(out, &node); err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	rt := newRuntime(t, dir)
	_, mod, err := load(t, rt, nil, nil, filepath.Join(dir, "snippets.js"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := call(t, rt, mod, "run")
	if err != nil {
		t.Fatal(err)
	}
	var embedded map[string]any
	if err := json.Unmarshal([]byte(got), &embedded); err != nil {
		t.Fatalf("embedded: %v: %s", err, got)
	}
	names := slices.Sorted(maps.Keys(node))
	var cases []oracle.Case
	for _, n := range names {
		cases = append(cases, oracle.Case{Name: n, Medusa: node[n], Embedded: embedded[n]})
	}
	oracle.Compare(t, cases, nil)
}
