package lsp

import (
	"encoding/json"
	"strings"
	"testing"
)

// The workers option: a count from 0 to 64 (null is 0), anything else an error naming it; a
// change restarts the dev server.
func TestSettingsWorkers(t *testing.T) {
	cases := []struct {
		raw     string
		want    int
		wantErr string
	}{
		{`{"workers": 2}`, 2, ""},
		{`{"workers": 0}`, 0, ""},
		{`{"workers": null}`, 0, ""},
		{`{}`, 3, ""}, // unchanged from the base
		{`{"workers": -1}`, 0, `setting "workers": want 0`},
		{`{"workers": 65}`, 0, `setting "workers": want 0`},
		{`{"workers": "two"}`, 0, `setting "workers"`},
	}
	for _, tc := range cases {
		base := DefaultSettings()
		base.Workers = 3
		got, err := parseSettings(json.RawMessage(tc.raw), base)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.raw, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Workers != tc.want {
			t.Errorf("%s: workers %d (%v), want %d", tc.raw, got.Workers, err, tc.want)
		}
	}
	a, b := DefaultSettings(), DefaultSettings()
	b.Workers = 2
	if !needsRestart(a, b) {
		t.Error("a change of workers does not restart the dev server")
	}
}
