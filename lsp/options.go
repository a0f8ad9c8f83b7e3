package lsp

import (
	"encoding/json"
	"fmt"
)

// Settings are the server's options: initializationOptions, and later
// workspace/didChangeConfiguration ({"settings": {"medusa": …}}). See docs/lsp-contract.md.
type Settings struct {
	AutoStart bool              `json:"autoStart"`
	Port      int               `json:"port,omitempty"`
	Host      string            `json:"host,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	HMR       *bool             `json:"hmr,omitempty"`
	Runtime   string            `json:"runtime,omitempty"`
	// Workers > 0 runs the node runtime as a server and this many workers (develop --workers).
	Workers int `json:"workers,omitempty"`
}

// DefaultSettings apply when the client sends none.
func DefaultSettings() Settings { return Settings{AutoStart: true, Runtime: "auto"} }

// parseSettings reads an options object over defaults. Unknown fields are ignored; wrong types
// are an error that names the field.
func parseSettings(raw json.RawMessage, base Settings) (Settings, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return base, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return base, fmt.Errorf("settings must be an object: %w", err)
	}
	s := base
	for name, v := range fields {
		var err error
		switch name {
		case "autoStart":
			err = json.Unmarshal(v, &s.AutoStart)
		case "port":
			var p *int
			if err = json.Unmarshal(v, &p); err == nil {
				s.Port = 0
				if p != nil {
					if *p < 0 || *p > 65535 {
						err = fmt.Errorf("out of range")
					}
					s.Port = *p
				}
			}
		case "host":
			var h *string
			if err = json.Unmarshal(v, &h); err == nil {
				s.Host = ""
				if h != nil {
					s.Host = *h
				}
			}
		case "env":
			var env map[string]string
			if err = json.Unmarshal(v, &env); err == nil {
				s.Env = env
			}
		case "hmr":
			var b *bool
			if err = json.Unmarshal(v, &b); err == nil {
				s.HMR = b
			}
		case "workers":
			var n *int
			if err = json.Unmarshal(v, &n); err == nil {
				s.Workers = 0
				if n != nil {
					if *n < 0 || *n > 64 {
						err = fmt.Errorf("want 0 (one shared process) to 64, got %d", *n)
					}
					s.Workers = *n
				}
			}
		case "runtime":
			var r *string
			if err = json.Unmarshal(v, &r); err == nil {
				s.Runtime = "auto"
				if r != nil && *r != "" {
					switch *r {
					case "auto", "embedded", "node":
						s.Runtime = *r
					default:
						err = fmt.Errorf("want auto, embedded or node, got %q", *r)
					}
				}
			}
		}
		if err != nil {
			return base, fmt.Errorf("setting %q: %w", name, err)
		}
	}
	return s, nil
}

// needsRestart reports whether switching from a to b must restart a running dev server.
func needsRestart(a, b Settings) bool {
	if a.Port != b.Port || a.Host != b.Host || a.Runtime != b.Runtime || a.Workers != b.Workers {
		return true
	}
	if (a.HMR == nil) != (b.HMR == nil) || (a.HMR != nil && *a.HMR != *b.HMR) {
		return true
	}
	if len(a.Env) != len(b.Env) {
		return true
	}
	for k, v := range a.Env {
		if b.Env[k] != v {
			return true
		}
	}
	return false
}
