package child

import (
	"testing"
)

func TestFirstErrorLine(t *testing.T) {
	out := "info:    Starting\n\x1b[31merror\x1b[39m:   x\n\x1b[31merror\x1b[39m:   Failed to connect to the database: password authentication failed\nmore\n"
	if got := FirstErrorLine(out); got != "Failed to connect to the database: password authentication failed" {
		t.Fatalf("%q", got)
	}
}
