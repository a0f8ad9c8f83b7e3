package scan

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
)

// Export is one name a source file exports, found by reading it (nothing runs).
type Export struct {
	Name   string // "GET", "config", "default"; "*" for export * from "…"
	Line   int    // 1-based line of the name (of `export` for default and *)
	Offset int    // byte offset in the source of the name (of `export` for default and *)
	// Decl is how an `export <declaration>` declares it: "function", "class", "const", "let" or
	// "var"; "" for export lists, default and *.
	Decl string
	// Literal: a const, let or var initialised with a literal ("x", 1, {…}, […], true, null,
	// new …): certainly not a function.
	Literal bool
}

// Exports are a file's exports, in source order.
type Exports []Export

// Named returns the first export called name.
func (es Exports) Named(name string) (Export, bool) {
	for _, e := range es {
		if e.Name == name {
			return e, true
		}
	}
	return Export{}, false
}

// Line is the line of the first export called name, 0 when there is none.
func (es Exports) Line(name string) int {
	e, _ := es.Named(name)
	return e.Line
}

// Handlers are the exports a route file serves, as RoutesLoader reads them: those named after an
// HTTP method, except the ones that are certainly not functions.
func (es Exports) Handlers() Exports {
	var out Exports
	for _, e := range es {
		if IsHTTPMethod(e.Name) && !e.Literal {
			out = append(out, e)
		}
	}
	return out
}

var (
	// export [async] function[*] NAME, export const|let|var|class NAME; `export declare …` is
	// matched to be left out: TypeScript erases it.
	exportDeclRe    = regexp.MustCompile(`(?:^|[^\w$.])export\s+(declare\s+)?(?:async\s+)?(?:(function)\s*\*?\s*|(const|let|var|class)\s+)([A-Za-z_$][\w$]*)`)
	exportListRe    = regexp.MustCompile(`(?:^|[^\w$.])export\s*(type\s*)?\{([^}]*)\}`)
	exportStarRe    = regexp.MustCompile(`(?:^|[^\w$.])(export)\s*\*`)
	identifierRe    = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)
	exportDefaultRe = regexp.MustCompile(`(?:^|[^\w$.])(export)\s+default\b`)
	// After a declared name: an optional type annotation, then a literal initialiser.
	literalInitRe = regexp.MustCompile(`^[ \t]*(?::[^=]+)?=[ \t]*(["'` + "`" + `0-9\[{]|-?\d|true\b|false\b|null\b|undefined\b|new\b)`)
)

// ExportsOf finds the exports of a JavaScript or TypeScript source: declarations
// (`export async function GET`, `export const config =`), lists (`export { handler as GET }`,
// also with `from`), `export default` and `export * from`. Comments and strings that read like
// exports are not; a byte-order mark and CRLF line ends are read through.
func ExportsOf(src []byte) Exports {
	code := codeOnly(src)
	var out Exports
	add := func(name string, at int, decl string, literal bool) {
		out = append(out, Export{Name: name, Line: 1 + bytes.Count(src[:at], []byte("\n")), Offset: at, Decl: decl, Literal: literal})
	}
	for _, m := range exportDeclRe.FindAllSubmatchIndex(code, -1) {
		if m[2] >= 0 {
			continue // declare
		}
		decl := "function"
		if m[6] >= 0 {
			decl = string(code[m[6]:m[7]])
		}
		literal := decl != "function" && decl != "class" && literalInitRe.Match(code[m[9]:min(len(code), m[9]+200)])
		add(string(code[m[8]:m[9]]), m[8], decl, literal)
	}
	for _, m := range exportListRe.FindAllSubmatchIndex(code, -1) {
		if m[2] >= 0 {
			continue // export type { … }
		}
		at := m[4]
		for _, spec := range strings.Split(string(code[m[4]:m[5]]), ",") {
			if name, off, ok := exportedName(spec); ok {
				add(name, at+off, "", false)
			}
			at += len(spec) + 1
		}
	}
	for _, m := range exportDefaultRe.FindAllSubmatchIndex(code, -1) {
		add("default", m[2], "", false)
	}
	for _, m := range exportStarRe.FindAllSubmatchIndex(code, -1) {
		add("*", m[2], "", false)
	}
	slices.SortStableFunc(out, func(a, b Export) int { return a.Offset - b.Offset })
	return out
}

// exportedName reads one specifier of an export list (`a`, `a as b`, `type T`) and returns the
// name it exports with its offset in spec; ok is false for types, empty specifiers and string
// names (`a as "b"`, whose text is blank in code).
func exportedName(spec string) (name string, offset int, ok bool) {
	fields := strings.Fields(spec)
	if len(fields) == 0 || fields[0] == "type" && len(fields) > 1 {
		return "", 0, false
	}
	name = fields[len(fields)-1]
	if !identifierRe.MatchString(name) {
		return "", 0, false
	}
	return name, strings.LastIndex(spec, name), true
}
