package reloaders

import (
	"fmt"
	"regexp"
	"strings"
)

// sortable is a route or middleware as Medusa's RoutesSorter sees it.
type sortable struct {
	matcher   string // a path pattern; regexp matchers use isRegexp
	isRegexp  bool
	hasMethod bool // routes and method-specific middlewares; global middlewares have none
	index     int  // position in the input, to map back
}

type branch struct {
	buckets [5]bucket // global, wildcard, regex, static, params
}

type bucket struct {
	items    []int
	order    []string
	children map[string]*branch
}

const (
	bGlobal = iota
	bWildcard
	bRegex
	bStatic
	bParams
)

var regexSegment = regexp.MustCompile(`[\(\+\*\[\]\)\!]`)

// sortRoutes orders routes and middlewares the way Medusa registers them with Express
// (packages/core/framework/src/http/routes-sorter.ts): split into path segments, each segment
// classified global, wildcard, regex, static or params, and the tree flattened in that priority.
// It returns the input indexes in order.
func sortRoutes(items []sortable) []int {
	root := &branch{}
	for _, it := range items {
		if it.isRegexp {
			root.buckets[bRegex].items = append(root.buckets[bRegex].items, it.index)
			continue
		}
		var segs []string
		for _, s := range strings.Split(it.matcher, "/") {
			if s != "" {
				segs = append(segs, s)
			}
		}
		if len(segs) == 0 {
			b := bStatic
			if !it.hasMethod {
				b = bGlobal
			}
			root.buckets[b].items = append(root.buckets[b].items, it.index)
			continue
		}
		parent := root
		for i, seg := range segs {
			b := bStatic
			switch {
			case !it.hasMethod:
				b = bGlobal
			case strings.HasPrefix(seg, "*"):
				b = bWildcard
			case strings.HasPrefix(seg, ":"):
				b = bParams
			case regexSegment.MatchString(seg):
				b = bRegex
			}
			if i == len(segs)-1 {
				parent.buckets[b].items = append(parent.buckets[b].items, it.index)
				break
			}
			bk := &parent.buckets[b]
			if bk.children == nil {
				bk.children = map[string]*branch{}
			}
			child, ok := bk.children[seg]
			if !ok {
				child = &branch{}
				bk.children[seg] = child
				bk.order = append(bk.order, seg)
			}
			parent = child
		}
	}
	return flatten(map[string]*branch{"root": root}, []string{"root"})
}

// flatten mirrors #sortBranch: children are visited in insertion order (JavaScript object key
// order), results grouped per bucket kind, then concatenated by priority.
func flatten(branches map[string]*branch, order []string) []int {
	var groups [5][]int
	for _, key := range order {
		node := branches[key]
		for b := 0; b < 5; b++ {
			groups[b] = append(groups[b], node.buckets[b].items...)
			if node.buckets[b].children != nil {
				groups[b] = append(groups[b], flatten(node.buckets[b].children, node.buckets[b].order)...)
			}
		}
	}
	var out []int
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// expressPattern compiles an Express 4 path (path-to-regexp 0.1.x: ":param", "*", "?") into a
// case-insensitive Go regexp. end=false is app.use() matching: the path, or the path followed
// by "/…". It also returns the names of the parameters, in order.
func expressPattern(path string, end bool) (*regexp.Regexp, []string, error) {
	var b strings.Builder
	var keys []string
	b.WriteString("(?i)^")
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == ':' && i+1 < len(path) && isWord(path[i+1]):
			j := i + 1
			for j < len(path) && isWord(path[j]) {
				j++
			}
			keys = append(keys, path[i+1:j])
			optional := j < len(path) && path[j] == '?'
			// A preceding "/" belongs to the parameter, so that an optional one can vanish.
			s := b.String()
			slash := strings.HasSuffix(s, `/`)
			if slash {
				b.Reset()
				b.WriteString(strings.TrimSuffix(s, `/`))
			}
			group := `([^/]+)`
			if slash {
				group = `(?:/([^/]+))`
			}
			if optional {
				group += "?"
				j++
			}
			b.WriteString(group)
			i = j - 1
		case c == '*':
			b.WriteString("(.*)")
			keys = append(keys, fmt.Sprint(len(keys)))
		case c == '/':
			b.WriteString("/")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	pattern := b.String()
	pattern = strings.TrimSuffix(pattern, "/") + "/?"
	if end {
		pattern += "$"
	} else {
		pattern += "(?:/.*)?$"
	}
	re, err := regexp.Compile(pattern)
	return re, keys, err
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
