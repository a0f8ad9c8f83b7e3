package jsvm

import (
	"maps"
	"path/filepath"
	"testing"
)

// The reverse-import index, kept up to date as modules require each other and transactions
// commit or fail, always answers Importers as a scan of every module's Deps would: through
// edits that add and drop imports, a failed reload, a require made later inside a function,
// and a file that its importer no longer imports.
func TestImportersIndexMatchesAScan(t *testing.T) {
	root := project(t, map[string]string{
		"src/a.ts":    "export const v = 1\n",
		"src/b.ts":    "import { v } from './a'\nexport const get = () => v\n",
		"src/c.ts":    "export const c = 1\n",
		"src/lazy.ts": "export const late = () => require('./c').c\n",
		"src/main.ts": "import { get } from './b'\nimport { late } from './lazy'\nexport const value = () => get() + late()\n",
	})
	abs := func(rel string) string { return filepath.Join(root, rel) }
	rt := newRuntime(t, root)
	main := abs("src/main.ts")
	set, m, err := load(t, rt, nil, nil, main)
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string, set *ModuleSet) {
		t.Helper()
		for _, p := range append(set.Paths(), abs("src/a.ts"), abs("src/c.ts")) {
			if got, want := set.Importers([]string{p}), scanImporters(set, p); !maps.Equal(got, want) {
				t.Errorf("%s: Importers(%s) = %v, want %v", step, filepath.Base(p), keys(got), keys(want))
			}
		}
	}
	check("first load", set)
	if _, err := call(t, rt, m, "value"); err != nil { // lazy.ts requires c.ts now
		t.Fatal(err)
	}
	if !set.Importers([]string{abs("src/c.ts")})[main] {
		t.Error("a require made inside a function is not in the index")
	}
	check("after a late require", set)

	steps := []struct {
		name, file, content string
		fails               bool
	}{
		{"b drops a, imports c", "src/b.ts", "import { c } from './c'\nexport const get = () => c\n", false},
		{"b fails to load", "src/b.ts", "import { v } from './a'\nthrow new Error('no')\n", true},
		{"b imports a again", "src/b.ts", "import { v } from './a'\nexport const get = () => v\n", false},
		{"main drops lazy", "src/main.ts", "import { get } from './b'\nexport const value = () => get()\n", false},
		{"a imports c", "src/a.ts", "import { c } from './c'\nexport const v = c\n", false},
	}
	for _, st := range steps {
		write(t, abs(st.file), st.content)
		invalid := set.Importers([]string{abs(st.file)})
		next, _, err := load(t, rt, set, invalid, main)
		if (err != nil) != st.fails {
			t.Fatalf("%s: err = %v", st.name, err)
		}
		if err == nil {
			set = next
		}
		check(st.name, set)
	}
}

// scanImporters is Importers computed from every module's Deps.
func scanImporters(set *ModuleSet, path string) map[string]bool {
	importers := map[string][]string{}
	for _, p := range set.Paths() {
		for _, d := range set.Get(p).Deps {
			importers[d] = append(importers[d], p)
		}
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, imp := range importers[p] {
			walk(imp)
		}
	}
	walk(path)
	return seen
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, filepath.Base(k))
	}
	return out
}
