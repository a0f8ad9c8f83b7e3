package reloaders

import (
	"fmt"
	"regexp"
	"strings"

	edlib "github.com/hbollon/go-edlib"
	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/project/scan"
)

// NearMiss returns the candidate that name probably meant: the same word in another case, or
// one at a case-insensitive edit distance of 1 (candidates of up to 4 letters) or 2 (longer ones), counting a
// swap of two neighbours as one edit. An exact match or a name too short to judge is no miss.
func NearMiss(name string, candidates []string) (string, bool) {
	if len(name) < 2 {
		return "", false
	}
	best, bestD := "", 3
	for _, c := range candidates {
		if name == c {
			return "", false
		}
		if strings.EqualFold(name, c) {
			return c, true
		}
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		if d := edlib.OSADamerauLevenshteinDistance(strings.ToLower(name), strings.ToLower(c)); d >= 1 && d <= limit && d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// Route files may export these besides handlers (Medusa reads them), so they are no misses.
var routeFlagExports = []string{"AUTHENTICATE", "CORS", "config", "default"}

// MsgNearMethod is the warning for an export named almost like an HTTP method.
func MsgNearMethod(name, method string) string {
	return fmt.Sprintf("%q is not an HTTP method export, so it is not served; did you mean %s?", name, method)
}

// MsgNearConfigKey is the warning for a config key of a subscriber or job named almost like one
// that Medusa reads.
func MsgNearConfigKey(kind, key, want string) string {
	return fmt.Sprintf("%s config key %q is not read by Medusa; did you mean %s?", kind, key, want)
}

// nearMethod is the method that a route export name misses, if any.
func nearMethod(name string) (string, bool) {
	for _, f := range routeFlagExports {
		if name == f {
			return "", false
		}
	}
	return NearMiss(name, scan.HTTPMethods)
}

// Config keys that Medusa reads.
var (
	SubscriberConfigKeys = []string{"event", "context"}
	JobConfigKeys        = []string{"name", "schedule", "numberOfExecutions"}
)

// configKeys lists the top-level keys of the object literal of `export const config = { … }`
// with their 1-based lines, read without running the file (nil when there is no literal).
func configKeys(src []byte) (keys []string, lines []int) {
	keys, lines, _ = configLiteral(src)
	return keys, lines
}

// configLiteral is configKeys, and whether they are certainly all of the config's keys: config
// is `export const config = { … }` itself (no call around the literal), every entry of the
// literal is a plain `key: value` (no spread, shorthand, quoted or computed key, method), and
// the file assigns no key of it later.
func configLiteral(src []byte) (keys []string, lines []int, complete bool) {
	src = withoutBOM(src)
	config, ok := scan.ExportsOf(src).Named("config")
	if !ok || config.Decl == "" || config.Decl == "function" || config.Decl == "class" {
		return nil, nil, false
	}
	start := config.Offset + len(config.Name)
	i := start
	for i < len(src) && src[i] != '{' && src[i] != ';' && src[i] != '\n' {
		i++
	}
	// A type annotation (config: SubscriberConfig = {) leaves the brace on the same line.
	if i >= len(src) || src[i] != '{' {
		return nil, nil, false
	}
	complete = literalStartRe.Match(src[start:i]) && !configAssignRe.Match(src)
	depth := 0
	expectKey := false
	for ; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			if expectKey && depth == 1 {
				complete = false // a quoted key
			}
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j
			expectKey = false
		case c == '{' || c == '[' || c == '(':
			if expectKey && depth == 1 {
				complete = false // a computed key
			}
			depth++
			expectKey = depth == 1
		case c == '}' || c == ']' || c == ')':
			depth--
			if depth == 0 {
				return keys, lines, complete
			}
		case c == ',' && depth == 1:
			expectKey = true
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case expectKey && (c == '_' || c == '$' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '$' || src[j] >= '0' && src[j] <= '9' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= 'a' && src[j] <= 'z') {
				j++
			}
			k := j
			for k < len(src) && (src[k] == ' ' || src[k] == '\t') {
				k++
			}
			if k < len(src) && src[k] == ':' {
				keys = append(keys, string(src[i:j]))
				lines = append(lines, lineOf(src, i))
			} else if depth == 1 {
				complete = false // shorthand, method, get/set
			}
			i = j - 1
			expectKey = false
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			if expectKey && depth == 1 {
				complete = false // a spread, a block comment, a numeric key
			}
			expectKey = false
		}
	}
	return keys, lines, false // the literal does not end
}

var (
	// What may come between `config` and its literal: a type annotation and `=`.
	literalStartRe = regexp.MustCompile(`^[ \t]*(?::[^=(]*)?=[ \t]*$`)
	// config.name = …, config["schedule"] = …: keys the literal does not show.
	configAssignRe = regexp.MustCompile(`\bconfig\s*(?:\.\s*[\w$]+|\[[^\]]*\])\s*=[^=]`)
)

// lintConfigKeys warns on keys of a config literal named almost like ones Medusa reads.
func lintConfigKeys(file, kind string, src []byte, known []string) []diag.Diagnostic {
	var out []diag.Diagnostic
	keys, lines := configKeys(src)
	for i, k := range keys {
		if want, ok := NearMiss(k, known); ok {
			out = append(out, Warning(file, lines[i], MsgNearConfigKey(kind, k, want)))
		}
	}
	return out
}

// missingKeyAt places the loader's "config.<key> is missing" error: at a key of the config
// literal that misspells it, with a hint, so that the cause is reported once, there.
func missingKeyAt(src []byte, key string, fallback int) (int, string) {
	keys, lines := configKeys(src)
	for i, k := range keys {
		if k == key {
			return lines[i], ""
		}
	}
	for i, k := range keys {
		if want, ok := NearMiss(k, []string{key}); ok && want == key {
			return lines[i], fmt.Sprintf(" (config has %q; did you mean %s?)", k, key)
		}
	}
	return lineOfKey(src, key, fallback), ""
}
