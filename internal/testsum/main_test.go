package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummary runs `go test -json` on a module with a passing, a skipped and a failing test,
// and checks what testsum makes of it.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":      "module example.com/demo\n\ngo 1.21\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\n\nfunc TestNeedsTool(t *testing.T) { t.Skip(\"frob is not installed (apt-get install frob)\") }\n",
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { t.Log(\"context line\"); t.Fatal(\"boom\") }\n",
		"c/c.go":      "package c\n",
		"d/d_test.go": "package d\n\nimport \"testing\"\n\nfunc TestFine(t *testing.T) { t.Log(\"quiet when it passes\") }\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	js, _ := cmd.Output() // exits 1: b fails
	var out bytes.Buffer
	code := run(bytes.NewReader(js), &out)
	got := out.String()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"ok  \texample.com/demo/a\t",
		"SKIP  example.com/demo/a TestNeedsTool: a_test.go:7: frob is not installed (apt-get install frob)\n",
		"context line", "boom", "--- FAIL: TestBroken",
		"FAIL\texample.com/demo/b\t",
		"?   \texample.com/demo/c\t[no test files]\n",
		"ok  \texample.com/demo/d\t",
		"go: 2 passed, 1 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"quiet when it passes", "=== RUN"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("%q shown:\n%s", unwanted, got)
		}
	}
	if !strings.HasSuffix(got, "go: 2 passed, 1 failed, 1 skipped\n") {
		t.Errorf("the count is not the last line:\n%s", got)
	}
}
