// Package project knows what a Medusa project is on disk: where its root is, its
// medusa-config (evaluated by the embedded runtime, as Medusa evaluates it with ts-node), its
// .env files, the backend_hmr feature flag and the port to serve on.
package project

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/medusa-ls/medusa-ls/diag"
	"github.com/medusa-ls/medusa-ls/dotenv"
	"github.com/medusa-ls/medusa-ls/framework"
	"github.com/medusa-ls/medusa-ls/jsvm"
)

// ConfigNames are the medusa-config files Medusa looks for, in order.
var ConfigNames = []string{"medusa-config.ts", "medusa-config.js", "medusa-config.mjs", "medusa-config.cjs"}

// ErrNotProject is returned for a directory without a medusa-config file.
var ErrNotProject = errors.New("not a Medusa project")

// FindConfig returns the medusa-config file in dir.
func FindConfig(dir string) (string, error) {
	for _, n := range ConfigNames {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w (no %s)", dir, ErrNotProject, strings.Join(ConfigNames, ", "))
}

// Discover finds Medusa projects in dir or one level below it (a monorepo's apps/backend).
func Discover(dir string) []string {
	if _, err := FindConfig(dir); err == nil {
		return []string{dir}
	}
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := FindConfig(sub); err == nil {
			out = append(out, sub)
			continue
		}
		// apps/backend, packages/api: one more level for the usual monorepo folders.
		if e.Name() == "apps" || e.Name() == "packages" {
			subs, _ := os.ReadDir(sub)
			for _, s := range subs {
				if s.IsDir() {
					if _, err := FindConfig(filepath.Join(sub, s.Name())); err == nil {
						out = append(out, filepath.Join(sub, s.Name()))
					}
				}
			}
		}
	}
	return out
}

// IsConfigFile reports whether rel (slash-separated, relative to the root) is a medusa-config.
func IsConfigFile(rel string) bool {
	for _, n := range ConfigNames {
		if rel == n {
			return true
		}
	}
	return false
}

// IsEnvFile reports whether rel (relative to the root) is a .env file that Medusa reads when
// it runs with NODE_ENV nodeEnv (dotenv.Files): .env, and .env.test under test. Other .env*
// names (.env.local, an editor's .env.swp or .env~) are never read, and changing them must
// not restart the dev server.
func IsEnvFile(rel, nodeEnv string) bool {
	return slices.Contains(dotenv.Files(nodeEnv), rel)
}

// Environment is the process environment a dev server child gets: base (the supervisor's
// environment plus the editor's extra variables) and then .env, which never overrides, as
// @medusajs/cli's dotenv call does.
func Environment(root string, base map[string]string) (map[string]string, error) {
	vars, err := dotenv.Read(filepath.Join(root, ".env"))
	if err != nil {
		return base, fmt.Errorf("reading .env: %w", err)
	}
	env := dotenv.Merge(base, vars)
	if _, ok := env["NODE_ENV"]; !ok {
		env["NODE_ENV"] = "development"
	}
	return env, nil
}

// Config is what medusa-ls needs from medusa-config. Raw is the whole evaluated config as JSON
// (functions dropped).
type Config struct {
	File         string
	Port         int             // projectConfig.http.port, 0 when unset
	FeatureFlags map[string]any  // featureFlags
	Modules      []ModuleConfig  // modules, normalized to a list
	Raw          json.RawMessage `json:"-"`
}

// ModuleConfig is one entry of the config's modules.
type ModuleConfig struct {
	Key     string         `json:"key"`
	Resolve string         `json:"resolve"`
	Options map[string]any `json:"options"`
	Disable bool           `json:"disable"`
}

// LoadConfig evaluates the project's medusa-config in a throwaway runtime with env as
// process.env. Problems come back as diagnostics on the config file (code config-error).
func LoadConfig(root string, env map[string]string, timeout time.Duration) (*Config, []diag.Diagnostic) {
	file, err := FindConfig(root)
	if err != nil {
		return nil, []diag.Diagnostic{{File: root, Severity: diag.Error, Code: diag.CodeConfig, Message: err.Error()}}
	}
	rt, err := jsvm.New(jsvm.Options{
		Root: root, Env: env, TaskTimeout: timeout, Tsconfig: ReadTsconfig(root),
		Builtins: framework.Builtins(), Unsupported: framework.Unsupported,
		// The child evaluates the config again and its console output shows there.
		Console: func(slog.Level, string, int, string) {},
	})
	if err != nil {
		return nil, []diag.Diagnostic{{File: file, Severity: diag.Error, Code: diag.CodeConfig, Message: err.Error()}}
	}
	defer rt.Close()
	var (
		cfg   *Config
		diags []diag.Diagnostic
	)
	err = rt.Do(context.Background(), nil, "medusa-config", func(vm *goja.Runtime) error {
		cfg, _, diags = EvaluateConfig(rt, file)
		return nil
	})
	if err != nil {
		diags = append(diags, rt.Diagnostics(err, diag.CodeConfig)...)
	}
	return cfg, diags
}

// EvaluateConfig runs the config file on rt's loop and returns what medusa-ls needs from it,
// and the config value itself for the container's configModule.
func EvaluateConfig(rt *jsvm.Runtime, file string) (*Config, goja.Value, []diag.Diagnostic) {
	vm := rt.VM()
	tx := rt.Begin(nil, nil)
	m, err := tx.Require(file)
	if err != nil {
		tx.Rollback()
		return nil, nil, asConfigErrors(rt.Diagnostics(err, diag.CodeConfig), file)
	}
	tx.Commit()
	v := m.Export(vm, "default")
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, nil, []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConfig,
			Message: "medusa-config must export its configuration (module.exports = defineConfig({ … }))"}}
	}
	raw, err := jsonOf(vm, obj)
	if err != nil {
		return nil, nil, []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConfig,
			Message: "medusa-config: the configuration cannot be serialized: " + err.Error()}}
	}
	var parsed struct {
		ProjectConfig struct {
			HTTP struct {
				Port any `json:"port"`
			} `json:"http"`
		} `json:"projectConfig"`
		FeatureFlags map[string]any  `json:"featureFlags"`
		Modules      json.RawMessage `json:"modules"`
	}
	if err := json.Unmarshal(raw, &parsed); err != nil {
		return nil, nil, []diag.Diagnostic{{File: file, Line: 1, Column: 1, Severity: diag.Error, Code: diag.CodeConfig, Message: "medusa-config: " + err.Error()}}
	}
	cfg := &Config{File: file, FeatureFlags: parsed.FeatureFlags, Raw: raw}
	switch p := parsed.ProjectConfig.HTTP.Port.(type) {
	case float64:
		cfg.Port = int(p)
	case string:
		cfg.Port, _ = strconv.Atoi(p)
	}
	cfg.Modules = parseModules(parsed.Modules)
	return cfg, obj, nil
}

func parseModules(raw json.RawMessage) []ModuleConfig {
	var list []ModuleConfig
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var byKey map[string]json.RawMessage
	if json.Unmarshal(raw, &byKey) != nil {
		return nil
	}
	for k, v := range byKey {
		var m ModuleConfig
		if json.Unmarshal(v, &m) != nil {
			var b bool
			if json.Unmarshal(v, &b) == nil {
				m.Disable = !b
			}
		}
		if m.Key == "" {
			m.Key = k
		}
		list = append(list, m)
	}
	return list
}

func jsonOf(vm *goja.Runtime, v goja.Value) ([]byte, error) {
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	s, err := stringify(goja.Undefined(), v)
	if err != nil {
		return nil, err
	}
	return []byte(s.String()), nil
}

// asConfigErrors relabels problems found while evaluating the config.
func asConfigErrors(ds []diag.Diagnostic, file string) []diag.Diagnostic {
	for i := range ds {
		if ds[i].Code == diag.CodeLoad || ds[i].Code == diag.CodeRuntime {
			ds[i].Code = diag.CodeConfig
		}
		if ds[i].File == "" {
			ds[i].File = file
		}
	}
	return ds
}

// ReadTsconfig returns tsconfig.json's content for esbuild, or "" when there is none.
func ReadTsconfig(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "tsconfig.json"))
	if err != nil {
		return ""
	}
	return string(b)
}

// HMRFlagEnv is the environment variable of the backend_hmr feature flag.
const HMRFlagEnv = "MEDUSA_FF_BACKEND_HMR"

// HMRDefault is medusa-ls's choice when nothing sets backend_hmr: on, because in-place reload
// is what medusa-ls is for. Medusa's own default is off; an explicit false is honoured.
const HMRDefault = true

// HMREnabled resolves the backend_hmr flag the way Medusa does: the environment variable if it
// is set at all (.env counts: it is loaded into the environment), else featureFlags.backend_hmr,
// else HMRDefault. Only "true" (any case) or the boolean true mean on. source says which won.
func HMREnabled(env map[string]string, cfg *Config) (enabled bool, source string) {
	if v, ok := env[HMRFlagEnv]; ok {
		return strings.EqualFold(strings.TrimSpace(v), "true"), fmt.Sprintf("%s=%s", HMRFlagEnv, v)
	}
	if cfg != nil {
		if v, ok := cfg.FeatureFlags["backend_hmr"]; ok {
			switch b := v.(type) {
			case bool:
				return b, fmt.Sprintf("featureFlags.backend_hmr = %v in %s", b, filepath.Base(cfg.File))
			case string:
				return strings.EqualFold(b, "true"), fmt.Sprintf("featureFlags.backend_hmr = %q in %s", b, filepath.Base(cfg.File))
			}
			return false, fmt.Sprintf("featureFlags.backend_hmr = %v in %s", v, filepath.Base(cfg.File))
		}
	}
	return HMRDefault, "medusa-ls default"
}

// DefaultPort is Medusa's port when nothing sets one.
const DefaultPort = 9000

// Port resolves the HTTP port: projectConfig.http.port, else PORT, else 9000.
func Port(env map[string]string, cfg *Config) int {
	if cfg != nil && cfg.Port > 0 {
		return cfg.Port
	}
	if p, err := strconv.Atoi(env["PORT"]); err == nil && p > 0 {
		return p
	}
	return DefaultPort
}
