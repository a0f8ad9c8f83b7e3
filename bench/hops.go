//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// hopsResult is where the time of a save → new body goes, hop by hop (p50 and p90 of each),
// read from MEDUSA_LS_TRACE=1's lines (devserver.TracePrefix) and the client's own clock.
type hopsResult struct {
	Name    string     `json:"name"`
	Samples int        `json:"samples"`
	Hops    []hopStats `json:"hops"`
}

type hopStats struct {
	Hop string `json:"hop"`
	stats
}

// tracePrefix is devserver.TracePrefix (the bench drives the binary, it does not link it).
const tracePrefix = "trace: embedded reload "

type traceLine struct {
	Files      []string `json:"files"`
	EnqueuedNs int64    `json:"enqueuedNs"`
	SentNs     int64    `json:"sentNs"`
	BeganNs    int64    `json:"beganNs"`
	SwappedNs  int64    `json:"swappedNs"`
	RepliedNs  int64    `json:"repliedNs"`
	Hops       []struct {
		Name string  `json:"name"`
		Ms   float64 `json:"ms"`
	} `json:"hops"`
}

// measureHops saves a route as measure does, with MEDUSA_LS_TRACE=1, and splits each save →
// new body into the watcher's, the supervisor's and the child's hops and the client's wait
// after the swap.
func measureHops(bin, name, dir, routeRel string, samples int) hopsResult {
	fmt.Fprintf(os.Stderr, "bench: hops %s\n", name)
	path := filepath.Join(dir, routeRel)
	orig, err := os.ReadFile(path)
	check(err)
	defer os.WriteFile(path, orig, 0o644)
	cacheHome, err := os.MkdirTemp("", "medusa-ls-bench-cache")
	check(err)
	defer os.RemoveAll(cacheHome)
	os.Setenv("MEDUSA_LS_TRACE", "1")
	s, _ := startServer(bin, dir, cacheHome)
	os.Unsetenv("MEDUSA_LS_TRACE")
	defer s.stop()
	urlPath := routeURL(routeRel)
	_, err = firstBody(s.url+urlPath, "", 60*time.Second)
	check(err)
	countRoutes(s)
	type sample struct{ wrote, got time.Time }
	var saves []sample
	for n := 1; n <= samples; n++ {
		// As writeAtomic, with the time taken just before the rename: the content is final
		// from then on, and the watcher may see it before Rename returns.
		tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".bench-tmp")
		check(os.WriteFile(tmp, []byte(bumpVersion(string(orig), 100000+n)), 0o644))
		wrote := time.Now()
		check(os.Rename(tmp, path))
		t, err := firstBody(s.url+urlPath, fmt.Sprintf("v%d-", 100000+n), 30*time.Second)
		check(err)
		saves = append(saves, sample{wrote, t})
	}
	// The last reload's line is logged after its reply; give it a moment to arrive.
	var lines []traceLine
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		lines = traceLines(s)
		if len(lines) > 0 && lines[len(lines)-1].SwappedNs >= saves[len(saves)-1].wrote.UnixNano() {
			break
		}
	}
	order := []string{"rename into place → the supervisor has the batch (kernel event, watcher)", "read, hash, send to the child"}
	values := map[string][]float64{}
	add := func(hop string, v float64) {
		if _, ok := values[hop]; !ok && !slices.Contains(order, hop) {
			order = append(order, hop)
		}
		values[hop] = append(values[hop], v)
	}
	matched := 0
	for _, sm := range saves {
		// The reload that served this save: the last one to go live between the write and
		// the first response with the new body.
		var l *traceLine
		for i := range lines {
			sw := lines[i].SwappedNs
			if sw >= sm.wrote.UnixNano() && sw <= sm.got.UnixNano() {
				l = &lines[i]
			}
		}
		if l == nil {
			continue
		}
		matched++
		nsMs := func(a, b int64) float64 { return float64(b-a) / 1e6 }
		add(order[0], nsMs(sm.wrote.UnixNano(), l.EnqueuedNs))
		add(order[1], nsMs(l.EnqueuedNs, l.SentNs))
		add("IPC to the child", nsMs(l.SentNs, l.BeganNs))
		for _, h := range l.Hops {
			add("child: "+h.Name, h.Ms)
		}
		add("new generation live → first response with the new body", nsMs(l.SwappedNs, sm.got.UnixNano()))
		add("new generation live → the supervisor has the result", nsMs(l.SwappedNs, l.RepliedNs))
		add("total: rename → new body", float64(sm.got.Sub(sm.wrote).Microseconds())/1000)
	}
	res := hopsResult{Name: name, Samples: matched}
	for _, h := range order {
		res.Hops = append(res.Hops, hopStats{Hop: h, stats: summarize(values[h])})
	}
	return res
}

func traceLines(s *server) []traceLine {
	s.mu.Lock()
	out := s.out.String()
	s.mu.Unlock()
	var lines []traceLine
	for _, l := range strings.Split(out, "\n") {
		i := strings.Index(l, tracePrefix)
		if i < 0 {
			continue
		}
		var t traceLine
		if json.Unmarshal([]byte(l[i+len(tracePrefix):]), &t) == nil {
			lines = append(lines, t)
		}
	}
	return lines
}

func printHops(hs []hopsResult) {
	if len(hs) == 0 {
		return
	}
	fmt.Printf("%-70s", "hop (p50 / p90, ms)")
	for _, h := range hs {
		fmt.Printf(" %22s", fmt.Sprintf("%.22s", h.Name))
	}
	fmt.Println()
	for i, row := range hs[0].Hops {
		fmt.Printf("%-70s", row.Hop)
		for _, h := range hs {
			if i < len(h.Hops) && h.Hops[i].Hop == row.Hop {
				fmt.Printf(" %10.2f / %9.2f", h.Hops[i].P50, h.Hops[i].P90)
			} else {
				fmt.Printf(" %22s", "")
			}
		}
		fmt.Println()
	}
	for _, h := range hs {
		fmt.Printf("(%s: %d saves matched to their reload)\n", h.Name, h.Samples)
	}
}
