package reloaders

import "testing"

func TestIsCoreRoute(t *testing.T) {
	for _, tt := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/auth/session", true},
		{"DELETE", "/auth/session", true},
		{"DELETE", "/AUTH/Session/", true},
		{"GET", "/auth/session", false},
		{"POST", "/auth/sessions", false},
		{"POST", "/auth/session/x", false},
		{"POST", "/store/auth/session", false},
	} {
		if got := isCoreRoute(tt.path, tt.method); got != tt.want {
			t.Errorf("isCoreRoute(%q, %s) = %v, want %v", tt.path, tt.method, got, tt.want)
		}
	}
}
