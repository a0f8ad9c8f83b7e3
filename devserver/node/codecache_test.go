package node

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The helper's code cache, in real node: a boot without a cache writes one (once up and quiet,
// or as it exits), the next boot uses
// it whole (and so writes nothing), a file changed without changing its length is compiled
// afresh, a file that calls import() is left to Node, and a corrupt cache is an empty one. What
// the modules do is the same with or without it: exports, require, require.resolve, __filename,
// import(), and the line and column of an error thrown on line 1.
func TestCodeCacheInNode(t *testing.T) {
	helper := nodeHelper(t)
	root := resolveProject(t)
	real, _ := filepath.EvalSymlinks(root)
	pkg := filepath.Join(real, "node_modules", "pkg")
	write := func(p, content string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(pkg, "index.js"), `exports.value = () => "one"; exports.fail = () => { throw new Error("line 1") }
exports.file = __filename
exports.dir = __dirname
exports.other = require("./other")
exports.resolved = require.resolve("./other")
exports.dyn = require("./dyn")
`)
	write(filepath.Join(pkg, "dyn.js"), `module.exports = () => import("./other.js").then((m) => m.default)`)
	write(filepath.Join(root, "main.js"), `const http = require("http")
const pkg = require("pkg")
let column
try { pkg.fail() } catch (e) { column = e.stack.split("\n")[1].replace(/^.*\//, "") }
pkg.dyn().then((dyn) => {
  const out = { value: pkg.value(), file: pkg.file, dir: pkg.dir, other: pkg.other, resolved: pkg.resolved, dyn, column }
  // the helper saves once the server listens and has been quiet for a second
  process.on("medusa-ls:caches-saved", () => { console.log(JSON.stringify(out)); process.exit(0) })
  if (!process.send || process.env.EXIT_AT_ONCE) { console.log(JSON.stringify(out)); process.exit(0) }
  http.createServer().listen(0, "127.0.0.1")
})
`)
	// fork, so that the helper has its IPC channel and installs itself
	const parent = `const c = require("child_process").fork("main.js", { execArgv: ["--require", process.argv[1]], stdio: "inherit" })
c.on("exit", (code) => process.exit(code))`
	run := func(cache string, env ...string) string {
		t.Helper()
		cmd := exec.Command("node", "-e", parent, helper)
		cmd.Dir = root
		cmd.Env = append(append(os.Environ(), "MEDUSA_LS_HELPER=1", codeCacheEnv+"="+cache), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// Node on its own, without the helper: what the modules must do.
	plain := exec.Command("node", "main.js")
	plain.Dir = root
	want, err := plain.CombinedOutput()
	if err != nil {
		t.Fatalf("node main.js: %v\n%s", err, want)
	}
	if !strings.Contains(string(want), `"value":"one"`) || !strings.Contains(string(want), `index.js:1:59)`) {
		t.Fatalf("the test's own module does not do what it should: %s", want)
	}
	// A process that exits before it was ever up and quiet writes the cache as it exits.
	early := filepath.Join(t.TempDir(), "early.code")
	if got := run(early, "EXIT_AT_ONCE=1"); got != strings.TrimSpace(string(want)) {
		t.Errorf("without a cache, exiting at once:\n got %s\nwant %s", got, want)
	}
	if _, ok := readCodeCache(t, early)[filepath.Join(pkg, "index.js")]; !ok {
		t.Errorf("index.js is not in the cache written at exit")
	}

	cache := filepath.Join(t.TempDir(), "x.code")
	if got := run(cache); got != strings.TrimSpace(string(want)) {
		t.Errorf("without a cache:\n got %s\nwant %s", got, want)
	}
	entries := readCodeCache(t, cache)
	if _, ok := entries[filepath.Join(pkg, "index.js")]; !ok {
		t.Errorf("index.js is not in the cache written: %v", entries)
	}
	if _, ok := entries[filepath.Join(pkg, "dyn.js")]; ok {
		t.Errorf("dyn.js calls import() and is in the cache (Node 20 loses its import() callback there)")
	}
	before, _ := os.ReadFile(cache)

	if got := run(cache); got != strings.TrimSpace(string(want)) {
		t.Errorf("with the cache:\n got %s\nwant %s", got, want)
	}
	if after, _ := os.ReadFile(cache); !bytes.Equal(before, after) {
		t.Errorf("a boot that found every file in the cache wrote it again: some entry was not used")
	}

	// Same length, other code: V8 alone would take the stale entry (it checks the length).
	write(filepath.Join(pkg, "index.js"), strings.Replace(mustRead(t, filepath.Join(pkg, "index.js")), `"one"`, `"two"`, 1))
	if got := run(cache); !strings.Contains(got, `"value":"two"`) {
		t.Errorf("after index.js changed without changing its length: %s, want value two", got)
	}
	if after, _ := os.ReadFile(cache); bytes.Equal(before, after) {
		t.Errorf("the cache was not written again after index.js changed")
	}
	want = bytes.Replace(want, []byte(`"one"`), []byte(`"two"`), 1)

	for _, corrupt := range [][]byte{nil, []byte("MLSCODE1"), []byte("MLSCODE1\xff\xff\xff\xff{"), append([]byte("MLSCODE1\x40\x00\x00\x00"), bytes.Repeat([]byte("x"), 64)...), before[:len(before)/2]} {
		write(cache, string(corrupt))
		if got := run(cache); got != strings.TrimSpace(string(want)) {
			t.Errorf("with a cache file of %d bytes cut or corrupt:\n got %s\nwant %s", len(corrupt), got, want)
		}
	}
}

// readCodeCache returns the index of a code cache file (filename → [crc32, length, offset, size]).
func readCodeCache(t *testing.T, file string) map[string][]int64 {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no code cache written: %v", err)
	}
	if len(b) < 12 || string(b[:8]) != "MLSCODE1" {
		t.Fatalf("code cache %s does not start with its header", file)
	}
	n := binary.LittleEndian.Uint32(b[8:12])
	var idx map[string][]int64
	if err := json.Unmarshal(b[12:12+n], &idx); err != nil {
		t.Fatalf("code cache index: %v", err)
	}
	return idx
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
