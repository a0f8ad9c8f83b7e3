package framework

import (
	"strings"
	"testing"
	"time"
)

func TestVerifyJWT(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	sign := func(claims map[string]any) string { return signJWT(claims, "k") }
	tests := []struct {
		name, token, secret, want string
	}{
		{"valid", sign(map[string]any{"actor_id": "u"}), "k", ""},
		{"wrong secret", sign(map[string]any{"actor_id": "u"}), "other", "invalid signature"},
		{"expired", sign(map[string]any{"exp": float64(now.Unix() - 1)}), "k", "jwt expired"},
		{"not yet active", sign(map[string]any{"nbf": float64(now.Unix() + 60)}), "k", "jwt not active"},
		{"alg none", "eyJhbGciOiJub25lIn0.eyJhY3Rvcl9pZCI6InUifQ.", "k", "invalid algorithm"},
		{"two parts", "a.b", "k", "jwt malformed"},
		{"tampered claims", strings.Replace(sign(map[string]any{"actor_id": "u"}), ".ey", ".eyJ", 1), "k", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyJWT(tt.token, tt.secret, now)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("VerifyJWT = %v, want ok", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("VerifyJWT = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDevCredentialsAreStable(t *testing.T) {
	a, b := NewDevCredentials("/p", "s"), NewDevCredentials("/p", "s")
	if a != b {
		t.Fatalf("credentials differ between two derivations: %+v %+v", a, b)
	}
	if c := NewDevCredentials("/q", "s"); c.PublishableKey == a.PublishableKey {
		t.Fatal("two projects share a publishable key")
	}
	claims, err := VerifyJWT(a.AdminToken, "s", time.Now())
	if err != nil || !strings.Contains(claims, `"actor_type":"user"`) || !strings.Contains(claims, DevAdminID) {
		t.Fatalf("admin token claims %s, %v", claims, err)
	}
}
