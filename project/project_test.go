package project

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestHMREnabledPrecedence(t *testing.T) {
	cfg := func(v any) *Config {
		if v == nil {
			return &Config{File: "medusa-config.ts"}
		}
		return &Config{File: "medusa-config.ts", FeatureFlags: map[string]any{"backend_hmr": v}}
	}
	tests := []struct {
		name string
		env  map[string]string
		cfg  *Config
		want bool
	}{
		{"nothing set: medusa-ls default", nil, cfg(nil), HMRDefault},
		{"config true", nil, cfg(true), true},
		{"config false is honoured", nil, cfg(false), false},
		{"config string true", nil, cfg("true"), true},
		{"env wins over config", map[string]string{HMRFlagEnv: "false"}, cfg(true), false},
		{"env true wins over config false", map[string]string{HMRFlagEnv: "TRUE"}, cfg(false), true},
		{"only true counts: 1 is off", map[string]string{HMRFlagEnv: "1"}, cfg(true), false},
		{"empty env value is set and not true", map[string]string{HMRFlagEnv: ""}, cfg(nil), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, src := HMREnabled(tc.env, tc.cfg); got != tc.want || src == "" {
				t.Fatalf("got %v (%s), want %v", got, src, tc.want)
			}
		})
	}
}

func TestPort(t *testing.T) {
	if p := Port(map[string]string{"PORT": "7001"}, &Config{Port: 8001}); p != 8001 {
		t.Fatalf("config first: %d", p)
	}
	if p := Port(map[string]string{"PORT": "7001"}, &Config{}); p != 7001 {
		t.Fatalf("PORT second: %d", p)
	}
	if p := Port(nil, nil); p != DefaultPort {
		t.Fatalf("default: %d", p)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverFindsProjectsOneLevelDown(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "apps/backend/medusa-config.ts"), "")
	write(t, filepath.Join(root, "api/medusa-config.js"), "")
	write(t, filepath.Join(root, "node_modules/x/medusa-config.ts"), "")
	got := Discover(root)
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	if got := Discover(filepath.Join(root, "api")); len(got) != 1 {
		t.Fatalf("a project root is itself: %v", got)
	}
}

func TestLoadConfigReadsEnvAndFlags(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, ".env"), "HTTP_PORT=9123\nHMR=false\n")
	write(t, filepath.Join(root, "medusa-config.ts"), `import { defineConfig, loadEnv } from "@medusajs/framework/utils"
loadEnv("development", process.cwd())
export default defineConfig({
  projectConfig: { http: { port: Number(process.env.HTTP_PORT) } },
  featureFlags: { backend_hmr: process.env.HMR === "true" },
  modules: [{ resolve: "./src/modules/greeter", options: { greeting: "hi" } }],
})
`)
	env, err := Environment(root, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, problems := LoadConfig(root, env, 2*time.Second)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if cfg.Port != 9123 || cfg.FeatureFlags["backend_hmr"] != false || len(cfg.Modules) != 1 || cfg.Modules[0].Options["greeting"] != "hi" {
		t.Fatalf("%+v", cfg)
	}
}

func TestLoadConfigErrorsPointAtTheConfig(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "medusa-config.ts"), "import { defineConfig } from \"@medusajs/framework/utils\"\n\nthrow new Error(\"DATABASE_URL is required\")\n")
	_, problems := LoadConfig(root, map[string]string{}, 2*time.Second)
	if len(problems) == 0 || problems[0].Code != "config-error" || problems[0].Line != 3 || filepath.Base(problems[0].File) != "medusa-config.ts" {
		t.Fatalf("%+v", problems)
	}
}

// TestNeedsRestartOnlyForFilesMedusaReads: Medusa reads .env (@medusajs/cli's dotenv, and
// @medusajs/utils' loadEnv) and .env.<NODE_ENV> for staging, production and test (loadEnv);
// every other .env* name, an editor's or a tool's file among them, must restart nothing.
func TestNeedsRestartOnlyForFilesMedusaReads(t *testing.T) {
	tests := []struct {
		rel, nodeEnv string
		want         bool
	}{
		{".env", "development", true},
		{".env", "test", true},
		{".env", "", true},
		{".env.test", "test", true},
		{".env.production", "production", true},
		{".env.staging", "staging", true},
		{".env.test", "development", false},
		{".env.production", "development", false},
		{".env.production", "test", false},
		{".env.development", "development", false}, // loadEnv knows no development file
		{".env.local", "development", false},
		{".env.example", "development", false},
		{".env.t", "development", false},
		{".env.swp", "development", false},
		{".env~", "development", false},
		{".env.test~", "test", false},
		{".env.test.swp", "test", false},
		{".env.medusa-ls-test-tmp", "development", false},
		{".envrc", "development", false},
		{"src/.env", "development", false},
		{"apps/backend/.env", "development", false},
		{"medusa-config.ts", "development", true},
		{"medusa-config.js", "test", true},
		{"src/medusa-config.ts", "development", false},
		{"src/api/route.ts", "development", false},
	}
	for _, tc := range tests {
		if got := NeedsRestart(tc.rel, tc.nodeEnv); got != tc.want {
			t.Errorf("NeedsRestart(%q, NODE_ENV=%q) = %v, want %v", tc.rel, tc.nodeEnv, got, tc.want)
		}
	}
}
