package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestQuickStart runs the README's Quick start lines as written (the port aside), from a folder
// laid out like the repository (bin/medusa-ls, examples/store), against `medusa-ls develop` on
// the example, and checks that what each one prints, and what the dev server logs, is what the
// README says: every expected text below must appear in the README and in the output.
func TestQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := quickStartLines(t, string(readme))

	repo := t.TempDir()
	store := filepath.Join(repo, "examples", "store")
	if err := os.CopyFS(store, os.DirFS("../../examples/store")); err != nil {
		t.Fatal(err)
	}
	// bin/medusa-ls: this test binary, run as medusa-ls.
	bin := filepath.Join(repo, "bin", "medusa-ls")
	os.MkdirAll(filepath.Dir(bin), 0o755)
	shim := "#!/bin/sh\n" + envAsMain + "=1 exec " + strconv.Quote(os.Args[0]) + " \"$@\"\n"
	if err := os.WriteFile(bin, []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDevelop(t, store, nil)
	port := strconv.Itoa(d.port)

	// Each line's expected output: a text of the README (checked below) the line must print.
	wants := []struct{ line, out string }{
		{"/store/hello", `{"message":"Hello from Medusa Store"}`},
		{"/store/products/prod_mug", `{"product":{"id":"prod_mug","title":"Medusa Mug","price":"12.50 EUR"}}`},
		{`"rating":5`, `{"review":{"id":"rev_1","product_id":"prod_mug","rating":5,"text":""}}`},
		{`"product_id":"prod_mug","customer":"ada"`, `{"order":{"total":1250,"remaining":1,"points":125,"balance":125}}`},
		{`"quantity":3`, `{"type":"not_allowed","message":"An order earns at most 500 points; this one would earn 599"}`},
		{"emit review.created", "emitted review.created to review-created-handler"},
		{"emit review.created", "ok      review-created-handler (src/subscribers/review-created.ts:5)"},
		{"run-job reviews-digest", "ran job reviews-digest in "},
		{"/admin/reviews", `"viewed_by":"user_medusa_ls_dev"`},
	}
	logged := []string{
		"info:    New 4★ review for prod_mug (average 5.0)",
		"info:    Released 3 × prod_shirt (checkout compensated; 5 in stock)",
	}
	for _, w := range wants {
		if !strings.Contains(string(readme), w.out) {
			t.Errorf("the README does not say %q", w.out)
		}
	}
	for _, l := range logged {
		if !strings.Contains(string(readme), l) {
			t.Errorf("the README does not say %q", l)
		}
	}

	// One shell, as a user types the lines (PK=… is used by the lines after it); a marker
	// before each line splits what each printed.
	const marker = "@@medusa-ls-quickstart@@"
	var script strings.Builder
	var run []string
	for _, line := range lines {
		if strings.HasPrefix(line, "make ") {
			continue // make test: the suite this test is part of
		}
		run = append(run, line)
		fmt.Fprintf(&script, "echo %s\n%s || echo \"exit status $?\"\necho\n", marker, strings.ReplaceAll(line, "localhost:9000", "localhost:"+port))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script.String())
	cmd.Dir = repo
	all, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the Quick start lines: %v\n%s", err, all)
	}
	outs := strings.Split(string(all), marker+"\n")[1:]
	if len(outs) != len(run) {
		t.Fatalf("%d outputs for %d lines:\n%s", len(outs), len(run), all)
	}
	ran := map[string]bool{}
	for i, line := range run {
		out := outs[i]
		if strings.Contains(out, "exit status ") {
			t.Errorf("%s failed:\n%s", line, out)
		}
		for _, w := range wants {
			if strings.Contains(line, w.line) {
				ran[w.line] = true
				if !strings.Contains(out, w.out) {
					t.Errorf("%s printed\n%s\nwant %q in it", line, out, w.out)
				}
			}
		}
	}
	for _, w := range wants {
		if !ran[w.line] {
			t.Errorf("no Quick start line has %q", w.line)
		}
	}
	for _, l := range logged {
		testutil.Eventually(t, 20*time.Second, func() string {
			if strings.Contains(d.out.String(), l) {
				return ""
			}
			return "the dev server did not log " + l + ":\n" + d.out.String()
		})
	}
}

// quickStartLines returns the commands of the README's block that follows "In another
// terminal", without their comments.
func quickStartLines(t *testing.T, readme string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "In another terminal, in the repository")
	if !ok {
		t.Fatal(`the README has no "In another terminal, in the repository"`)
	}
	_, rest, ok = strings.Cut(rest, "```sh\n")
	if !ok {
		t.Fatal("no sh block after it")
	}
	block, _, _ := strings.Cut(rest, "```")
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "  #"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}
