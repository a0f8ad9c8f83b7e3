package medusafixture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SeedFile is where the fixture's seed (src/scripts/seed-fixture.ts, run by setup-db.sh) writes
// what it created, relative to the fixture's directory. node_modules is git-ignored, and test
// copies link it, so every copy sees the same file.
const SeedFile = "node_modules/.medusa-ls-fixture.json"

// Seed is what setup-db.sh seeded in the fixture's database.
type Seed struct {
	PublishableKey   string `json:"publishable_key"`    // header x-publishable-api-key for /store routes
	PublishableKeyID string `json:"publishable_key_id"` // apk_…
	SalesChannelID   string `json:"sales_channel_id"`   // the store's default channel, linked to the key
	AdminEmail       string `json:"admin_email"`        // admin@fixture.test
	AdminPassword    string `json:"admin_password"`     // supersecret
	ProductID        string `json:"product_id"`         // published in SalesChannelID, linked to BrandID
	ProductHandle    string `json:"product_handle"`     // fixture-tee
	BrandID          string `json:"brand_id"`           // brand "Acme"
}

// ReadSeed reads the seed file of the fixture in dir.
func ReadSeed(dir string) (Seed, error) {
	var s Seed
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(SeedFile)))
	if err != nil {
		return s, fmt.Errorf("the fixture is not seeded: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", SeedFile, err)
	}
	if s.PublishableKey == "" || s.AdminEmail == "" || s.AdminPassword == "" {
		return s, fmt.Errorf("%s lacks the publishable key or the admin user", SeedFile)
	}
	return s, nil
}

// Seeded returns the fixture's seed; like ForTest, it skips t when the fixture is not set up
// (fails it when RequireEnv is 1).
func Seeded(t testing.TB) Seed {
	t.Helper()
	s, err := ReadSeed(Dir())
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v (%s=1)", err, RequireEnv)
		}
		t.Skipf("%v; run bash testdata/medusa-app/setup-db.sh", err)
	}
	return s
}

// PublishableKey is the seeded publishable API key: send it as the x-publishable-api-key header
// on /store routes (they answer 400 without it).
func PublishableKey(t testing.TB) string {
	t.Helper()
	return Seeded(t).PublishableKey
}

// AdminToken logs the seeded admin user in on the Medusa serving baseURL (POST
// /auth/user/emailpass) and returns the JWT to send as "Authorization: Bearer <token>" on /admin
// routes.
func AdminToken(t testing.TB, baseURL string) string {
	t.Helper()
	tok, err := Login(baseURL, Seeded(t))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Login is AdminToken without a testing.TB (for benchmarks).
func Login(baseURL string, s Seed) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": s.AdminEmail, "password": s.AdminPassword})
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Post(strings.TrimRight(baseURL, "/")+"/auth/user/emailpass", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("admin login: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("admin login: POST /auth/user/emailpass = %s %s", resp.Status, b)
	}
	return out.Token, nil
}
