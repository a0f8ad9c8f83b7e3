// Command testsum reads `go test -json` on stdin and prints what `go test` prints without -v (a
// line per package, and the output of what failed), plus one line per skipped test with its
// reason, and a closing count. It exits 1 when anything failed. `make test` pipes the Go tests
// through it so that a test that could not run is seen, with the command that installs what it
// lacks (the skip message says it).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type pkgState struct {
	out   map[string][]string // output per test ("" for the package's own)
	order []string
}

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

func run(in io.Reader, w io.Writer) int {
	pkgs := map[string]*pkgState{}
	state := func(p string) *pkgState {
		s := pkgs[p]
		if s == nil {
			s = &pkgState{out: map[string][]string{}}
			pkgs[p] = s
		}
		return s
	}
	var passed, failed, skipped int
	var skips []string
	failedPkg := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(w, "%s\n", line) // a build error, or go vet's output
			if strings.HasPrefix(string(line), "FAIL") {
				failedPkg = true
			}
			continue
		}
		s := state(e.Package)
		switch e.Action {
		case "build-output":
			fmt.Fprint(w, e.Output)
		case "output":
			if _, ok := s.out[e.Test]; !ok {
				s.order = append(s.order, e.Test)
			}
			s.out[e.Test] = append(s.out[e.Test], e.Output)
		case "pass", "fail", "skip":
			if e.Test != "" {
				switch e.Action {
				case "pass":
					passed++
				case "fail":
					failed++
				case "skip":
					skipped++
					skips = append(skips, fmt.Sprintf("SKIP  %s %s: %s", e.Package, e.Test, skipReason(s.out[e.Test])))
				}
				if e.Action != "fail" {
					delete(s.out, e.Test)
				}
				continue
			}
			// The package is done.
			elapsed := time.Duration(e.Elapsed * float64(time.Second)).Round(10 * time.Millisecond)
			switch {
			case e.Action == "fail":
				failedPkg = true
				for _, t := range s.order {
					for _, o := range s.out[t] {
						if !isNoise(o) || strings.HasPrefix(strings.TrimSpace(o), "--- FAIL") {
							fmt.Fprint(w, o)
						}
					}
				}
				fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", e.Package, elapsed.Seconds())
			case e.Action == "skip" || len(s.out[""]) > 0 && strings.Contains(strings.Join(s.out[""], ""), "[no test files]"):
				fmt.Fprintf(w, "?   \t%s\t[no test files]\n", e.Package)
			default:
				fmt.Fprintf(w, "ok  \t%s\t%.3fs\n", e.Package, elapsed.Seconds())
			}
			delete(pkgs, e.Package)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(w, "testsum: %v\n", err)
		return 1
	}
	sort.Strings(skips)
	for _, s := range skips {
		fmt.Fprintln(w, s)
	}
	fmt.Fprintf(w, "go: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || failedPkg {
		return 1
	}
	return 0
}

// skipReason is the message a test gave to t.Skip: its last output line that is not the
// runner's own.
func skipReason(out []string) string {
	for i := len(out) - 1; i >= 0; i-- {
		if o := strings.TrimSpace(out[i]); o != "" && !isNoise(out[i]) {
			return o
		}
	}
	return "(no reason given)"
}

// isNoise is the runner's own bookkeeping in -json output.
func isNoise(o string) bool {
	t := strings.TrimSpace(o)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- SKIP", "--- FAIL", "PASS", "FAIL", "ok  "} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
