package framework

import "testing"

// hasIdentifierStart must answer as V8's /[$_\p{ID_Start}][$\u200c\u200d\p{ID_Continue}]*/u.test
// (zod-validation-error's joinPath), which goja cannot run: the expected values are Node's.
func TestHasIdentifierStart(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"a", true}, {"name", true}, {"a-b", true}, {"my key", true}, {"1a", true}, {`a"b`, true},
		{"$", true}, {"_x", true}, {"é", true}, {"日本", true}, {"Ⅻ", true}, {"℘", true}, {"゛", true},
		{"0", false}, {"12", false}, {"", false}, {"-", false}, {"[0]", false}, {"٣", false}, {"😀", false}, {" ", false},
		{"\u2e2f", false}, // a letter (Lm) that is Pattern_Syntax: not ID_Start
	}
	for _, tt := range tests {
		if got := hasIdentifierStart(tt.s); got != tt.want {
			t.Errorf("hasIdentifierStart(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
