package scan

// codeOnly returns a copy of a JavaScript or TypeScript source in which everything that is not
// code reads as blanks: comments, the text of strings, template literals (not their ${…}
// substitutions) and regular expression literals, and a byte-order mark. Quotes and slashes
// stay, and so does every newline, so that offsets, lines and columns are those of src, and a
// line inside a comment or a string that reads like code does not match a pattern for code.
func codeOnly(src []byte) []byte {
	out := make([]byte, len(src))
	copy(out, src)
	l := lexer{src: src, out: out}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		l.blank(0, 3)
		l.i = 3
	}
	l.code(false)
	return out
}

type lexer struct {
	src, out []byte
	i        int
	prev     byte   // the last byte of code that is not a blank
	word     string // the last word of code, when prev ends it
}

// blank turns out[from:to] into spaces, keeping line breaks.
func (l *lexer) blank(from, to int) {
	for k := from; k < to && k < len(l.out); k++ {
		if c := l.out[k]; c != '\n' && c != '\r' {
			l.out[k] = ' '
		}
	}
}

// code reads code up to the end, or, in a template substitution, up to its closing brace.
func (l *lexer) code(substitution bool) {
	depth := 0
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '/' && l.peek(1) == '/':
			start := l.i
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
			l.blank(start, l.i)
			continue
		case c == '/' && l.peek(1) == '*':
			start := l.i
			l.i += 2
			for l.i < len(l.src) && !(l.src[l.i] == '*' && l.peek(1) == '/') {
				l.i++
			}
			l.i = min(l.i+2, len(l.src))
			l.blank(start, l.i)
			continue
		case c == '"' || c == '\'':
			l.quoted(c)
		case c == '`':
			l.template()
		case c == '/' && l.regexAllowed():
			l.regex()
		case c == '{':
			depth++
			l.i++
		case c == '}':
			if substitution && depth == 0 {
				return // the caller reads the brace
			}
			depth--
			l.i++
		case isWordByte(c):
			start := l.i
			for l.i < len(l.src) && isWordByte(l.src[l.i]) {
				l.i++
			}
			l.prev, l.word = c, string(l.src[start:l.i])
			continue
		default:
			l.i++
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			l.prev, l.word = c, ""
		}
	}
}

func (l *lexer) peek(n int) byte {
	if l.i+n < len(l.src) {
		return l.src[l.i+n]
	}
	return 0
}

// quoted blanks a string's text; an unterminated one ends at the end of its line.
func (l *lexer) quoted(q byte) {
	l.i++
	start := l.i
	for l.i < len(l.src) && l.src[l.i] != q && l.src[l.i] != '\n' {
		if l.src[l.i] == '\\' {
			l.i++
		}
		l.i++
	}
	l.i = min(l.i, len(l.src))
	l.blank(start, l.i)
	if l.i < len(l.src) && l.src[l.i] == q {
		l.i++
	}
}

// template blanks a template literal's text and reads its substitutions as code.
func (l *lexer) template() {
	l.i++
	start := l.i
	for l.i < len(l.src) && l.src[l.i] != '`' {
		switch {
		case l.src[l.i] == '\\':
			l.i += 2
		case l.src[l.i] == '$' && l.peek(1) == '{':
			l.blank(start, l.i)
			l.i += 2
			l.code(true)
			l.i++ // the closing brace
			start = l.i
		default:
			l.i++
		}
	}
	l.i = min(l.i, len(l.src))
	l.blank(start, l.i)
	l.i++
}

// regexAllowed says whether a slash here starts a regular expression rather than a division:
// after an operator, an opening bracket, a keyword or nothing.
func (l *lexer) regexAllowed() bool {
	if l.word != "" {
		switch l.word {
		case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
			return true
		}
		return false
	}
	switch l.prev {
	case 0, '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^':
		return true
	}
	return false
}

// regex blanks a regular expression literal's pattern; one that does not end on its line was a
// division after all, and nothing is blanked.
func (l *lexer) regex() {
	start := l.i + 1
	inClass := false
	for j := start; j < len(l.src); j++ {
		switch c := l.src[j]; {
		case c == '\n':
			l.i++
			return
		case c == '\\':
			j++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			l.blank(start, j)
			l.i = j + 1
			return
		}
	}
	l.i++
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
