package framework

import (
	"regexp"
	"testing"
)

func TestSignCookieAsCookieSignature(t *testing.T) {
	// Values from Node: require("cookie-signature").sign(value, secret), version 1.0.6 as
	// express-session 1.19 uses it.
	for _, tt := range []struct{ value, secret, want string }{
		{"abc", "supersecret", "abc.5FkiS7e9udwyOUIqJpOn7DmV+bf562CLELPgSIQEg9E"},
		{"Zm9vYmFy_-x", "k", "Zm9vYmFy_-x.K8Ol3A+NAi8EGTodE+fN3lx6rYm9PZs9xh2wi8x8M4E"},
	} {
		if got := SignCookie(tt.value, tt.secret); got != tt.want {
			t.Errorf("SignCookie(%q, %q) = %q, want %q", tt.value, tt.secret, got, tt.want)
		}
	}
}

func TestNewSessionID(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := NewSessionID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("session id %q: want 32 base64url characters, never twice", id)
		}
		seen[id] = true
	}
}
