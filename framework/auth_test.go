package framework

import (
	"os"
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
	a, b := NewDevCredentials("s"), NewDevCredentials("s")
	if a != b {
		t.Fatalf("credentials differ between two derivations: %+v %+v", a, b)
	}
	if c := NewDevCredentials("other"); c.PublishableKey == a.PublishableKey || c.AdminToken == a.AdminToken {
		t.Fatal("two secrets share credentials")
	}
	if d := NewDevCredentials(""); d != NewDevCredentials(DefaultJWTSecret) {
		t.Fatal(`"" is not Medusa's default secret`)
	}
	if len(a.PublishableKey) != len("pk_")+64 || !strings.HasPrefix(a.PublishableKey, "pk_") {
		t.Fatalf("publishable key %q: want pk_ and 64 hex digits, as Medusa's", a.PublishableKey)
	}
	for _, tt := range []struct{ token, actorType, id, meta string }{
		{a.AdminToken, "user", DevAdminID, `"app_metadata":{"user_id":"` + DevAdminID + `"}`},
		{a.CustomerToken, "customer", DevCustomerID, `"app_metadata":{"customer_id":"` + DevCustomerID + `"}`},
	} {
		claims, err := VerifyJWT(tt.token, "s", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := `{"actor_id":"` + tt.id + `","actor_type":"` + tt.actorType + `","auth_identity_id":`
		if !strings.HasPrefix(claims, want) || !strings.Contains(claims, tt.meta) || !strings.Contains(claims, `"mfa_enabled":false`) {
			t.Errorf("claims %s: want them to start with %s and hold %s", claims, want, tt.meta)
		}
		if _, err := VerifyJWT(tt.token, "other", time.Now()); err == nil {
			t.Error("a token verifies with another secret")
		}
	}
}

// TestReadmeQuickStartCredentials: the Quick start's PK= and ADMIN= lines are the credentials
// the example's jwtSecret (Medusa's default) gives, so its curl lines work as written.
func TestReadmeQuickStartCredentials(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	c := NewDevCredentials("")
	for _, want := range []string{"\nPK=" + c.PublishableKey + "\n", "\nADMIN=" + c.AdminToken + "\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README.md lacks the line %q", strings.TrimSpace(want))
		}
	}
}
