package diag

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// CodeFrame renders the lines around d's position with a caret under the column, like
// esbuild and Babel do. src is the file's content; when it is nil the file is read from disk.
// It returns "" when there is nothing to show.
func CodeFrame(d Diagnostic, src []byte) string {
	if d.Line <= 0 || d.File == "" {
		return ""
	}
	if src == nil {
		var err error
		if src, err = os.ReadFile(d.File); err != nil {
			return ""
		}
	}
	lines := strings.Split(string(src), "\n")
	if d.Line > len(lines) {
		return ""
	}
	first, last := max(d.Line-2, 1), min(d.Line+1, len(lines))
	width := len(fmt.Sprint(last))
	var b strings.Builder
	for n := first; n <= last; n++ {
		text := strings.TrimRight(lines[n-1], "\r")
		marker := "  "
		if n == d.Line {
			marker = "> "
		}
		fmt.Fprintf(&b, "%s%*d | %s\n", marker, width, n, expandTabs(text))
		if n == d.Line {
			col := runeColumn(text, d.Column)
			pad := strings.Repeat(" ", displayWidth(text, col))
			fmt.Fprintf(&b, "  %*s | %s^\n", width, "", pad)
		}
	}
	return b.String()
}

// runeColumn converts a 1-based UTF-16 column to a 0-based rune index into line.
func runeColumn(line string, col16 int) int {
	if col16 <= 1 {
		return 0
	}
	units, runes := 0, 0
	for _, r := range line {
		if units >= col16-1 {
			break
		}
		units += utf16.RuneLen(r)
		runes++
	}
	return runes
}

// displayWidth is the number of columns the first n runes of line take once tabs are expanded.
func displayWidth(line string, n int) int {
	w := 0
	for i, r := range []rune(line) {
		if i >= n {
			break
		}
		if r == '\t' {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "  ") }

// UTF16Column converts a 0-based byte offset within line to a 1-based UTF-16 column.
func UTF16Column(line string, byteOffset int) int {
	if byteOffset > len(line) {
		byteOffset = len(line)
	}
	units := 0
	for i := 0; i < byteOffset; {
		r, size := utf8.DecodeRuneInString(line[i:])
		units += utf16.RuneLen(r)
		i += size
	}
	return units + 1
}
