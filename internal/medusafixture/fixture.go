// Package medusafixture gives tests and benchmarks copies of the real Medusa project in
// testdata/medusa-app (Medusa 2.21.2 with PostgreSQL; `bash testdata/medusa-app/setup-db.sh`
// installs, migrates and seeds it). A copy links the fixture's node_modules instead of copying
// 700 MB. Seeded, PublishableKey and AdminToken give what tests need to call Medusa's core routes.
package medusafixture

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver"
)

// RequireEnv makes a missing fixture a test failure instead of a skip (CI sets it).
const RequireEnv = "MEDUSA_LS_REQUIRE_NODE"

// Dir is the fixture's directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "medusa-app")
}

// Check reports what is missing to run the fixture: Node, its packages, its database, its
// migrations and seed (setup-db.sh).
func Check(dir string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node is not installed")
	}
	if !devserver.UseNodeRuntime(dir) {
		return errors.New("the fixture's node_modules are not installed")
	}
	addr, err := databaseAddr(filepath.Join(dir, ".env.example"))
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return fmt.Errorf("the fixture's database at %s is not reachable: %w", addr, err)
	}
	c.Close()
	_, err = ReadSeed(dir) // written by setup-db.sh after the migrations
	return err
}

func databaseAddr(envFile string) (string, error) {
	f, err := os.Open(envFile)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "DATABASE_URL="); ok {
			u, err := url.Parse(v)
			if err != nil {
				return "", fmt.Errorf("DATABASE_URL in %s: %w", envFile, err)
			}
			return u.Host, nil
		}
	}
	return "", fmt.Errorf("no DATABASE_URL in %s", envFile)
}

// Copy makes a project in dst from the fixture in dir: its config, sources and .env (from
// .env.example), node_modules linked, then the extra files (relative path → content).
func Copy(dir, dst string, extra map[string]string) error {
	files := map[string]string{".env": ".env.example", "medusa-config.ts": "", "package.json": "", "tsconfig.json": ""}
	for to, from := range files {
		if from == "" {
			from = to
		}
		if err := copyFile(filepath.Join(dir, from), filepath.Join(dst, to)); err != nil {
			return err
		}
	}
	if err := os.CopyFS(filepath.Join(dst, "src"), os.DirFS(filepath.Join(dir, "src"))); err != nil {
		return err
	}
	for rel, content := range extra {
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	modules, err := filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil {
		return err
	}
	return os.Symlink(modules, filepath.Join(dst, "node_modules"))
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// ForTest returns a fresh copy of the fixture for t, with the extra files. It skips the test
// when the fixture cannot run, or fails it when RequireEnv is 1.
func ForTest(t testing.TB, extra map[string]string) string {
	t.Helper()
	dir := Dir()
	if err := Check(dir); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v (%s=1)", err, RequireEnv)
		}
		t.Skipf("%v; run bash testdata/medusa-app/setup-db.sh", err)
	}
	root := t.TempDir()
	if err := Copy(dir, root, extra); err != nil {
		t.Fatal(err)
	}
	return root
}
