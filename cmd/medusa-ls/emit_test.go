package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/medusa-ls/medusa-ls/devserver/ipc"
)

func TestReportEmit(t *testing.T) {
	tests := []struct {
		name     string
		res      ipc.EmitResult
		code     int
		out, err []string
	}{
		{"nobody listens", ipc.EmitResult{Name: "x", Subscribers: []string{}}, 0, []string{"emitted x; no subscriber listens to it"}, nil},
		{"runtime without outcomes", ipc.EmitResult{Name: "x", Subscribers: []string{"a", "b"}}, 0, []string{"emitted x to a, b"}, nil},
		{"all succeeded", ipc.EmitResult{Name: "x", Subscribers: []string{"a"}, Outcomes: []ipc.SubscriberOutcome{{ID: "a", Source: "src/subscribers/a.ts:1"}}},
			0, []string{"emitted x to a\n", "ok      a (src/subscribers/a.ts:1)"}, nil},
		{"one failed", ipc.EmitResult{Name: "x", Subscribers: []string{"a", "b"}, Outcomes: []ipc.SubscriberOutcome{{ID: "a", Error: "boom"}, {ID: "b"}}},
			1, []string{"emitted x to a, b\n", "failed  a: boom", "ok      b"}, []string{"1 of 2 subscribers of x failed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := reportEmit(&stdio{out: &out, err: &errb}, tc.res); code != tc.code {
				t.Fatalf("exit %d, want %d", code, tc.code)
			}
			for _, w := range tc.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.err {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if tc.err == nil && errb.Len() > 0 {
				t.Errorf("stderr: %s", errb.String())
			}
		})
	}
}
