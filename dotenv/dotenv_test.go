package dotenv

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]string
	}{
		{"plain", "A=1\nB = two \n", map[string]string{"A": "1", "B": "two"}},
		{"comments", "# c\nA=1 # trailing\nB=#comment\nC=a#b\n", map[string]string{"A": "1", "B": "", "C": "a"}},
		{"export", "export A=x\n", map[string]string{"A": "x"}},
		{"quotes", "A='x # y'\nB=\"a\\nb\"\nC=`z`\n", map[string]string{"A": "x # y", "B": "a\nb", "C": "z"}},
		{"multiline", "KEY=\"line1\nline2\"\nN=2\n", map[string]string{"KEY": "line1\nline2", "N": "2"}},
		{"crlf and empty", "A=\r\nB=2\r\n", map[string]string{"A": "", "B": "2"}},
		{"garbage ignored", "not a line\n=x\nA=1\n", map[string]string{"A": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Parse([]byte(tc.src)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestMergeDoesNotOverride(t *testing.T) {
	got := Merge(map[string]string{"A": "env"}, map[string]string{"A": "file", "B": "file"})
	if got["A"] != "env" || got["B"] != "file" {
		t.Fatal(got)
	}
}

func TestFileFor(t *testing.T) {
	if got := FileFor("/p", "test"); got != "/p/.env.test" {
		t.Fatal(got)
	}
	if got := FileFor("/p", "development"); got != "/p/.env" {
		t.Fatal(got)
	}
}
