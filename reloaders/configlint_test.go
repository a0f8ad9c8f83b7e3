package reloaders

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLintConfigModulePaths(t *testing.T) {
	tests := []struct {
		name    string
		modules string            // the modules array's entries
		files   map[string]string // other files of the project
		want    []string          // "line:col message fragment"
		dir     string            // the project's folder in the tree of files ("": its root)
	}{
		{"missing folder", `{ resolve: "./src/modules/missing" }`, nil, []string{"3:17 cannot find ./src/modules/missing"}, ""},
		{"folder without index", `{ resolve: "./src/modules/noindex" }`, map[string]string{"src/modules/noindex/service.ts": "export default class S {}\n"},
			[]string{"3:17 ./src/modules/noindex has no index file"}, ""},
		{"folder with index.ts", `{ resolve: "./src/modules/ok" }`, map[string]string{"src/modules/ok/index.ts": "export default 1\n"}, nil, ""},
		{"folder with index.js", `{ resolve: "./src/modules/okjs" }`, map[string]string{"src/modules/okjs/index.js": "module.exports = 1\n"}, nil, ""},
		{"a script without its extension", `{ resolve: "./src/modules/single" }`, map[string]string{"src/modules/single.ts": "export default 1\n"}, nil, ""},
		{"package not installed", `{ resolve: "@acme/medusa-thing" }`, map[string]string{"node_modules/@medusajs/medusa/package.json": "{}"},
			[]string{"3:17 cannot find package @acme/medusa-thing"}, ""},
		{"package installed", `{ resolve: "@medusajs/medusa/cache-redis" }`, map[string]string{"node_modules/@medusajs/medusa/package.json": "{}"}, nil, ""},
		{"packages without node_modules are not judged", `{ resolve: "@medusajs/medusa/cache-redis" }`, nil, nil, ""},
		{"a provider under options", `{ resolve: "@medusajs/medusa/payment", options: { providers: [{ resolve: "./src/modules/pay" }] } }`, nil,
			[]string{"3:79 cannot find ./src/modules/pay"}, ""},
		// "./x" is "./src/x" for Medusa (normalizeImportPathWithSource), as b2b-starter-medusa writes it
		{"a path without src", `{ resolve: "./modules/company" }`, map[string]string{"src/modules/company/index.ts": "export default 1\n"}, nil, ""},
		{"a path without src, only outside src", `{ resolve: "./modules/company" }`, map[string]string{"modules/company/index.ts": "export default 1\n"},
			[]string{"3:17 cannot find ./modules/company (Medusa looks in src/modules/company)"}, ""},
		{"a provider path without src", `{ resolve: "@medusajs/medusa/payment", options: { providers: [{ resolve: "./modules/pay" }] } }`,
			map[string]string{"src/modules/pay.ts": "export default 1\n"}, nil, ""},
		{"template literal", "{ resolve: `./src/modules/${name}` }", nil, nil, ""},
		{"package hoisted to a monorepo's root", `{ resolve: "@acme/medusa-thing" }`, map[string]string{
			"node_modules/@acme/medusa-thing/package.json":            "{}",
			"apps/backend/node_modules/@medusajs/medusa/package.json": "{}",
		}, nil, "apps/backend"},
		{"package in neither the project's nor the monorepo's node_modules", `{ resolve: "@acme/medusa-thing" }`, map[string]string{
			"node_modules/@acme/other/package.json":                   "{}",
			"apps/backend/node_modules/@medusajs/medusa/package.json": "{}",
		}, []string{"3:17 cannot find package @acme/medusa-thing"}, "apps/backend"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{filepath.Join(tc.dir, "medusa-config.ts"): "module.exports = defineConfig({\n  modules: [\n    " + tc.modules + ",\n  ],\n})\n"}
			for k, v := range tc.files {
				files[k] = v
			}
			writeFiles(t, root, files)
			got := LintConfig(filepath.Join(root, tc.dir))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				pos, frag, _ := strings.Cut(w, " ")
				if itoa(got[i].Line)+":"+itoa(got[i].Column) != pos || !strings.Contains(got[i].Message, frag) || got[i].Code != "config-error" {
					t.Errorf("got %d:%d %q [%s], want %s %q", got[i].Line, got[i].Column, got[i].Message, got[i].Code, pos, frag)
				}
			}
		})
	}
}
