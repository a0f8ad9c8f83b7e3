package child

import (
	"io"
	"strings"
	"testing"
)

func TestLineReaderCutsLongLines(t *testing.T) {
	in := "short\r\n" + strings.Repeat("a", 10) + "\n" + strings.Repeat("b", 25) + "\n" + "aéééééé\n" + "last"
	l := newLineReader(strings.NewReader(in), 10)
	want := []string{"short", strings.Repeat("a", 10), strings.Repeat("b", 10) + "… [15 bytes cut]", "aéééé… [4 bytes cut]", "last"}
	for i, w := range want {
		got, err := l.next()
		if err != nil || got != w {
			t.Fatalf("line %d: %q %v, want %q", i, got, err, w)
		}
	}
	if _, err := l.next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}
