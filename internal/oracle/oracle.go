// Package oracle runs small Node scripts against the real Medusa packages installed in
// testdata/medusa-app/node_modules (Medusa 2.21.2; `bash testdata/medusa-app/setup-db.sh`
// installs them), so that tests can compare the embedded runtime with Medusa on the same
// inputs. Unlike internal/medusafixture it needs no database: only Node and the packages.
package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// RequireEnv makes a missing Node or fixture a test failure instead of a skip (CI sets it).
const RequireEnv = "MEDUSA_LS_REQUIRE_NODE"

// NodeModules is the fixture's node_modules directory.
func NodeModules() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "medusa-app", "node_modules")
}

// check says what is missing to run the oracle, or nil.
func check() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node is not installed")
	}
	for _, pkg := range []string{"@medusajs/framework", "@medusajs/workflows-sdk", "express", "cron-parser", "@medusajs/event-bus-local"} {
		if _, err := os.Stat(filepath.Join(NodeModules(), pkg, "package.json")); err != nil {
			return fmt.Errorf("the fixture's node_modules lack %s", pkg)
		}
	}
	return nil
}

// Require skips t, with one line saying why, when Node or the fixture's packages are missing;
// when RequireEnv is 1 (CI) it fails t instead.
func Require(t testing.TB) {
	t.Helper()
	if err := check(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("Medusa oracle: %v (%s=1)", err, RequireEnv)
		}
		t.Skipf("Medusa oracle skipped: %v; run bash testdata/medusa-app/setup-db.sh", err)
	}
}

// Project makes a directory for t with the files (relative path → content) and the fixture's
// node_modules linked in, so that both the embedded runtime and Node resolve
// "@medusajs/framework/…" from it. It calls Require first.
func Project(t testing.TB, files map[string]string) string {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mods, err := filepath.Abs(NodeModules())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Timeout bounds one oracle script.
const Timeout = 2 * time.Minute

// Node runs `node script args...` in dir and returns its standard output; a failure or a run
// longer than Timeout fails t with the script's standard error.
func Node(t testing.TB, dir, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_ENV=development", "MEDUSA_FF_BACKEND_HMR=false")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
		}
	case <-time.After(Timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("node %s: no answer within %s\n%s", script, Timeout, stderr.String())
	}
	return stdout.Bytes()
}

// Case is one compared input: what Medusa did and what the embedded runtime did, as JSON
// values (maps, slices, strings, float64s…).
type Case struct {
	Name             string
	Medusa, Embedded any
}

// Compare reports every case whose outcomes differ, unless intended lists it (case name →
// why the difference is intended), and fails t when one is not listed, or when a listed case
// no longer differs (so that the list stays true). It logs the number of cases compared.
func Compare(t testing.TB, cases []Case, intended map[string]string) {
	t.Helper()
	differ := 0
	seen := map[string]bool{}
	for _, c := range cases {
		same := equalJSON(c.Medusa, c.Embedded)
		why, listed := intended[c.Name]
		seen[c.Name] = true
		switch {
		case !same && listed:
			differ++
			t.Logf("%s: differs as intended (%s)", c.Name, why)
		case !same:
			differ++
			t.Errorf("%s differs from Medusa:\n  medusa:   %s\n  embedded: %s", c.Name, show(c.Medusa), show(c.Embedded))
		case listed:
			t.Errorf("%s is listed as an intended difference (%s) but matches Medusa now; remove it from the list", c.Name, why)
		}
	}
	for name := range intended {
		if !seen[name] {
			t.Errorf("intended difference %q names no compared case", name)
		}
	}
	t.Logf("compared %d cases with Medusa: %d differ (%d listed as intended)", len(cases), differ, len(intended))
}

func equalJSON(a, b any) bool { return show(a) == show(b) }

// show is a canonical JSON text (encoding/json sorts map keys).
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
