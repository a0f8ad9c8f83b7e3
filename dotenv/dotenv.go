// Package dotenv reads .env files the way the dotenv package that Medusa uses does: KEY=value
// lines, `export ` prefixes, # comments, single, double and backtick quotes, multi-line double
// quoted values with \n escapes. Values never override variables that are already set.
package dotenv

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Parse returns the variables in src, in file order (later duplicates win).
func Parse(src []byte) map[string]string {
	out := make(map[string]string)
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	s := string(src)
	for len(s) > 0 {
		var line string
		line, s = cutLine(s)
		m := lineRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key, raw := m[1], strings.TrimSpace(m[2])
		if raw != "" && (raw[0] == '"' || raw[0] == '\'' || raw[0] == '`') {
			q := raw[0]
			// A quoted value may continue over the following lines until its closing quote.
			for strings.Count(raw[1:], string(q))-strings.Count(raw[1:], `\`+string(q)) < 1 && len(s) > 0 {
				var next string
				next, s = cutLine(s)
				raw += "\n" + next
			}
			if end := closingQuote(raw, q); end > 0 {
				val := raw[1:end]
				if q == '"' {
					val = strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\"`, `"`).Replace(val)
				}
				out[key] = val
				continue
			}
		}
		// Unquoted values end at the first #, as in dotenv.
		if i := strings.IndexByte(raw, '#'); i >= 0 {
			raw = raw[:i]
		}
		out[key] = strings.TrimSpace(raw)
	}
	return out
}

var lineRe = regexp.MustCompile(`^\s*(?:export\s+)?([\w.-]+)\s*[=:]\s*(.*)$`)

func cutLine(s string) (line, rest string) {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

func closingQuote(raw string, q byte) int {
	for i := 1; i < len(raw); i++ {
		if raw[i] == '\\' {
			i++
			continue
		}
		if raw[i] == q {
			return i
		}
	}
	return -1
}

// Read parses the file at path; a missing file is an empty map and no error.
func Read(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return map[string]string{}, nil
		}
		return nil, err
	}
	return Parse(b), nil
}

// KnownEnvironments get their own file in Medusa's loadEnv: .env.<env>; others read .env.
var KnownEnvironments = []string{"staging", "production", "test"}

// FileFor is the file Medusa's loadEnv(environment, dir) reads.
func FileFor(dir, environment string) string {
	return filepath.Join(dir, Files(environment)[0])
}

// Files are the names of the files, at the project's root, that Medusa reads its environment
// from when it runs with NODE_ENV environment: @medusajs/utils' loadEnv reads .env.<environment>
// for a known environment, and .env, which @medusajs/cli's dotenv call reads too. No other
// name is read (.env.local, .env.development, .env.example, an editor's .env.swp).
func Files(environment string) []string {
	if slices.Contains(KnownEnvironments, environment) {
		return []string{".env." + environment, ".env"}
	}
	return []string{".env"}
}

// IsFile reports whether Medusa reads a file of this name for some NODE_ENV (Files).
func IsFile(name string) bool {
	env, ok := strings.CutPrefix(name, ".env.")
	return name == ".env" || ok && slices.Contains(KnownEnvironments, env)
}

// Merge returns base plus the variables of extra that base does not set.
func Merge(base, extra map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range extra {
		out[k] = v
	}
	for k, v := range base {
		out[k] = v
	}
	return out
}

// Environ turns os.Environ-style "K=V" lines into a map.
func Environ(lines []string) map[string]string {
	out := make(map[string]string, len(lines))
	for _, l := range lines {
		if k, v, ok := strings.Cut(l, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
}

// Lines turns a map into sorted "K=V" lines for exec.Cmd.Env.
func Lines(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
