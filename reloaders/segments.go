package reloaders

import (
	"slices"
	"strings"
)

// segmentIndex files routes under the literal segments their paths begin with, lower-cased
// (Express matches routes case-insensitively), so that a request tests only the routes whose
// literal start fits its path instead of every route's pattern: with 1,000 routes, testing
// them all was most of a request's time outside JavaScript. Which route matches is unchanged:
// each candidate still runs its own matcher, in the routes' order.
type segmentIndex struct {
	here []int // routes whose literal segments end at this node
	next map[string]*segmentIndex
}

// add files route i, whose Express path is routePath ("/store/products/:id"), under its
// leading literal segments ("store", "products").
func (x *segmentIndex) add(routePath string, i int) {
	n := x
	for _, s := range strings.Split(strings.Trim(routePath, "/"), "/") {
		if !literalSegment(s) {
			break
		}
		s = strings.ToLower(s)
		if n.next == nil {
			n.next = map[string]*segmentIndex{}
		}
		c := n.next[s]
		if c == nil {
			c = &segmentIndex{}
			n.next[s] = c
		}
		n = c
	}
	n.here = append(n.here, i)
}

// literalSegment says whether s matches only itself in a path-to-regexp 0.1 pattern: letters,
// digits, "_" and "-". A parameter, ".", "*" or a group makes the rest of the path a pattern.
func literalSegment(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// candidates returns, in ascending order, the routes that may match path: those filed under a
// run of path's leading segments (compared lower-cased), the root's included.
func (x *segmentIndex) candidates(path string) []int {
	out := x.here
	merged := false
	n := x
	for rest := strings.TrimPrefix(path, "/"); rest != "" && n.next != nil; {
		seg, tail, _ := strings.Cut(rest, "/")
		c := n.next[strings.ToLower(seg)]
		if c == nil {
			break
		}
		if len(c.here) > 0 {
			if !merged {
				out = slices.Clip(out)
				merged = true
			}
			out = append(out, c.here...)
		}
		n, rest = c, tail
	}
	if merged {
		slices.Sort(out)
	}
	return out
}
