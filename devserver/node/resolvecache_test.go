package node

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// resolveProject makes a project with one installed package, as npm leaves it.
func resolveProject(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"dependencies":{"pkg":"1.0.0"}}`)
	write("node_modules/.package-lock.json", `{"packages":{"node_modules/pkg":{"version":"1.0.0"}}}`)
	write("node_modules/pkg/package.json", `{"name":"pkg","main":"index.js"}`)
	write("node_modules/pkg/index.js", `module.exports = "pkg"`)
	write("node_modules/pkg/other.js", `module.exports = "other"`)
	return root
}

func TestResolveCacheKey(t *testing.T) {
	root := resolveProject(t)
	dir := filepath.Join(t.TempDir(), "resolve")
	env := map[string]string{}
	file := func() string { return resolveCacheFile(dir, root, "/usr/bin/node", nil, env, []byte("helper")) }
	first := file()
	if first == "" {
		t.Fatal("no cache file for a project installed by npm")
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache folder: %v, %v (want 0700: only its owner reads what it resolves)", fi, err)
	}
	if again := file(); again != first {
		t.Fatalf("same project, same packages: %s, then %s", first, again)
	}
	if runtime.GOOS != "windows" {
		// Someone else could write into a folder others can write to: no cache from there.
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
		if got := file(); got != "" {
			t.Errorf("cache folder writable by others: cache file %s, want none", got)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(t.TempDir(), "resolve")
		if err := os.Symlink(dir, link); err != nil {
			t.Fatal(err)
		}
		if got := resolveCacheFile(link, root, "/usr/bin/node", nil, env, []byte("helper")); got != "" {
			t.Errorf("cache folder is a symbolic link: cache file %s, want none", got)
		}
	}

	// A copy of the project whose node_modules is a link to the same packages shares the answers.
	cp := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(root, "package.json"))
	if err := os.WriteFile(filepath.Join(cp, "package.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "node_modules"), filepath.Join(cp, "node_modules")); err != nil {
		t.Fatal(err)
	}
	if got := resolveCacheFile(dir, cp, "/usr/bin/node", nil, env, []byte("helper")); got != first {
		t.Errorf("a copy linked to the same node_modules: %s, want %s", got, first)
	}

	// Everything that can change an answer changes the key.
	changes := []struct {
		what   string
		change func()
	}{
		{"npm install (its hidden lockfile)", func() {
			later := time.Now().Add(time.Minute)
			_ = os.Chtimes(filepath.Join(root, "node_modules", ".package-lock.json"), later, later)
		}},
		{"package.json", func() {
			_ = os.WriteFile(filepath.Join(root, "package.json"), []byte(`{"dependencies":{"pkg":"2.0.0"}}`), 0o644)
		}},
		{"a lockfile", func() { _ = os.WriteFile(filepath.Join(root, "package-lock.json"), []byte(`{}`), 0o644) }},
		{"a package folder added by hand", func() {
			_ = os.Mkdir(filepath.Join(root, "node_modules", "added"), 0o755)
			later := time.Now().Add(2 * time.Minute)
			_ = os.Chtimes(filepath.Join(root, "node_modules"), later, later)
		}},
		{"NODE_OPTIONS", func() { env["NODE_OPTIONS"] = "--conditions=development" }},
	}
	seen := map[string]string{first: "the first"}
	for _, c := range changes {
		c.change()
		got := file()
		if prev, ok := seen[got]; ok {
			t.Errorf("after %s the cache file is %s's (%s)", c.what, prev, got)
		}
		seen[got] = c.what
	}
	if a, b := resolveCacheFile(dir, root, "/usr/bin/node", []string{"--preserve-symlinks"}, env, []byte("helper")), file(); a == b {
		t.Error("node's options do not change the key")
	}
	if a, b := resolveCacheFile(dir, root, "/usr/bin/node", nil, env, []byte("helper 2")), file(); a == b {
		t.Error("another helper does not change the key")
	}

	// Without an install marker there is no telling when node_modules changes: no cache.
	if err := os.Remove(filepath.Join(root, "node_modules", ".package-lock.json")); err != nil {
		t.Fatal(err)
	}
	if got := file(); got != "" {
		t.Errorf("no install marker: cache file %s, want none", got)
	}

	// Files unused for a week go.
	stale := filepath.Join(dir, "0123456789abcdef01234567.json")
	if err := os.WriteFile(stale, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-8 * 24 * time.Hour)
	_ = os.Chtimes(stale, old, old)
	env = map[string]string{}
	if err := os.WriteFile(filepath.Join(root, "node_modules", ".package-lock.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = file()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a cache file unused for 8 days is still there (%v)", err)
	}
}

// nodeHelper skips t without node (fails it when node is required) and returns the helper's file.
// forkWithHelper runs the script main in a node process forked with the helper preloaded, as the
// supervisor starts Medusa (the helper installs itself only with an IPC channel), and returns
// what both printed. onMessage is the parent's handler of the child's messages, m (JavaScript),
// or "".
func forkWithHelper(t *testing.T, main, onMessage string) []byte {
	t.Helper()
	helper := nodeHelper(t)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "main.js"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	parent := `const c = require("child_process").fork("main.js", { execArgv: ["--require", process.argv[1]], stdio: "inherit" })
c.on("message", (m) => { ` + onMessage + ` })
c.on("exit", (code) => process.exit(code))`
	cmd := exec.Command("node", "-e", parent, helper)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "MEDUSA_LS_HELPER=1", codeCacheEnv+"=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return out
}

func nodeHelper(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("MEDUSA_LS_REQUIRE_NODE") == "1" { // medusafixture.RequireEnv (an import cycle here)
			t.Fatal("node is not installed")
		}
		t.Skip("node is not installed")
	}
	helper, err := writeNodeHelper()
	if err != nil {
		t.Fatal(err)
	}
	return helper
}

// The helper's side: a cache file cut short is an empty cache (Node resolves, and the answer is
// right), and a good one is used.
func TestResolveCacheInNode(t *testing.T) {
	helper := nodeHelper(t)
	root := resolveProject(t)
	if err := os.WriteFile(filepath.Join(root, "main.js"), []byte(`process.send({ resolved: require.resolve("pkg") }, () => process.exit(0))`), 0o644); err != nil {
		t.Fatal(err)
	}
	// fork, so that the helper has its IPC channel and installs itself
	const parent = `const c = require("child_process").fork("main.js", { execArgv: ["--require", process.argv[1]] })
c.on("message", (m) => { if (m.resolved) console.log(m.resolved) })`
	real, _ := filepath.EvalSymlinks(root)
	resolve := func(cache string) string {
		t.Helper()
		cmd := exec.Command("node", "-e", parent, helper)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "MEDUSA_LS_HELPER=1", resolveCacheEnv+"="+cache)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	index := filepath.Join(real, "node_modules", "pkg", "index.js")
	cache := filepath.Join(t.TempDir(), "cache.json")
	for _, content := range []string{`{"v":1,"entries":{"` + strings.Repeat("x", 50), "\x00\x01", `{"v":1,"entries":[1,2]}`, `null`} {
		if err := os.WriteFile(cache, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := resolve(cache); got != index {
			t.Errorf("with the cache file %q: resolved %q, want %q", content, got, index)
		}
	}
	// A good file is used: its answer wins over Node's (which is why its key must change with
	// everything that can change an answer).
	other := filepath.Join(real, "node_modules", "pkg", "other.js")
	good := `{"v":1,"entries":{` + jsonString(real+"\x00pkg") + `:` + jsonString(other) + `}}`
	if err := os.WriteFile(cache, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := resolve(cache); got != other {
		t.Errorf("with a cache file that answers: resolved %q, want the cached %q", got, other)
	}
}

func jsonString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\x00", `\u0000`).Replace(s) + `"`
}
