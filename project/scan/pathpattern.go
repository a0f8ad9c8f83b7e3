package scan

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Medusa's RoutesFinder (@medusajs/framework http/routes-finder.js) rewrites a route's path for
// path-to-regexp 8 ("/*" and "x*" become "{*splat}") and compiles it; a path it cannot parse
// stops Medusa at boot ("An error occurred while registering API Routes").
var (
	slashStar = regexp.MustCompile(`/\*`)
	wordStar  = regexp.MustCompile(`(\w)\*`)
)

// CheckRoutePattern returns path-to-regexp 8.4's error for a route's URL path as Medusa 2.21
// compiles it (its message, with the path: "Unexpected [ at index 8: /p/[...rest]"), or nil.
func CheckRoutePattern(path string) error {
	normalized := wordStar.ReplaceAllString(slashStar.ReplaceAllString(path, "{*splat}"), "$1{*splat}")
	tokens, msg := pathToRegexpParse([]rune(normalized))
	if msg == "" {
		msg = pathToRegexpCheck(tokens)
	}
	if msg != "" {
		return fmt.Errorf("%s: %s", msg, normalized)
	}
	return nil
}

// pathToken is a token of path-to-regexp's parse: text, a param or wildcard (named), or an
// optional group of tokens.
type pathToken struct {
	kind  string // "text", "param", "wildcard", "group"
	text  string // text: the text; param, wildcard: the name
	group []pathToken
}

// pathToRegexpParse is path-to-regexp 8.4.2's parse (dist/index.js): the tokens of chars, or
// the message it throws.
func pathToRegexpParse(chars []rune) ([]pathToken, string) {
	i := 0
	at := func(k int) rune {
		if k < len(chars) {
			return chars[k]
		}
		return -1
	}
	var consumeUntil func(end rune) ([]pathToken, string)
	consumeUntil = func(end rune) ([]pathToken, string) {
		var out []pathToken
		text := ""
		flush := func() {
			if text != "" {
				out = append(out, pathToken{kind: "text", text: text})
				text = ""
			}
		}
		for i < len(chars) {
			c := chars[i]
			i++
			if c == end {
				flush()
				return out, ""
			}
			switch {
			case c == '\\':
				if i == len(chars) {
					return nil, fmt.Sprintf("Unexpected end after \\ at index %d", i)
				}
				text += string(chars[i])
				i++
			case c == ':' || c == '*':
				name := ""
				if isIDStart(at(i)) {
					for ; isIDContinue(at(i)); i++ {
						name += string(chars[i])
					}
				} else if at(i) == '"' {
					quoteStart := i
					for i < len(chars) {
						i++
						if at(i) == '"' {
							i++
							quoteStart = 0
							break
						}
						if at(i) == '\\' {
							i++
						}
						if r := at(i); r >= 0 {
							name += string(r)
						} else {
							name += "undefined" // what JavaScript appends past the end
						}
					}
					if quoteStart != 0 {
						return nil, fmt.Sprintf("Unterminated quote at index %d", quoteStart)
					}
				}
				if name == "" {
					return nil, fmt.Sprintf("Missing parameter name at index %d", i)
				}
				flush()
				kind := "param"
				if c == '*' {
					kind = "wildcard"
				}
				out = append(out, pathToken{kind: kind, text: name})
			case c == '{':
				flush()
				group, msg := consumeUntil('}')
				if msg != "" {
					return nil, msg
				}
				out = append(out, pathToken{kind: "group", group: group})
			case strings.ContainsRune("}()[]+?!", c):
				return nil, fmt.Sprintf("Unexpected %c at index %d", c, i-1)
			default:
				text += string(c)
			}
		}
		if end != 0 {
			return nil, fmt.Sprintf("Unexpected end at index %d, expected %c", i, end)
		}
		flush()
		return out, ""
	}
	return consumeUntil(0)
}

// pathToRegexpCheck is what pathToRegexp throws after the parse: each sequence of tokens, with
// every optional group in or out (at most 256), must have text between two captures.
func pathToRegexpCheck(tokens []pathToken) string {
	combinations := 0
	msg := ""
	var flatten func(tokens []pathToken, index int, result []pathToken, callback func([]pathToken))
	flatten = func(tokens []pathToken, index int, result []pathToken, callback func([]pathToken)) {
		for index < len(tokens) {
			t := tokens[index]
			index++
			if t.kind == "group" {
				flatten(t.group, 0, slices.Clone(result), func(seq []pathToken) { flatten(tokens, index, seq, callback) })
				continue
			}
			result = append(result, t)
		}
		callback(result)
	}
	flatten(tokens, 0, nil, func(seq []pathToken) {
		if msg != "" {
			return
		}
		if combinations >= 256 {
			msg = "Too many path combinations"
			return
		}
		combinations++
		captured, backtrack := false, ""
		for _, t := range seq {
			if t.kind == "text" {
				backtrack += t.text
				continue
			}
			if captured && backtrack == "" {
				msg = fmt.Sprintf("Missing text before %q %s", t.text, t.kind)
				return
			}
			captured, backtrack = true, ""
		}
	})
	return msg
}

// isIDStart is /^[$_\p{ID_Start}]$/u, isIDContinue /^[$\u200c\u200d\p{ID_Continue}]$/u.
func isIDStart(r rune) bool {
	return r == '$' || r == '_' || unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start)
}

func isIDContinue(r rune) bool {
	return isIDStart(r) || r == '\u200c' || r == '\u200d' ||
		unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}
