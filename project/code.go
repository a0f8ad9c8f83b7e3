package project

import (
	"path/filepath"
	"strings"
)

// codeExts are the files a reload looks at; anything else (a log file, a README) reloads
// nothing, so a process writing logs inside the project cannot cause a reload loop.
var codeExts = map[string]bool{".ts": true, ".tsx": true, ".js": true, ".jsx": true, ".mts": true, ".cts": true, ".mjs": true, ".cjs": true, ".json": true}

// IsCode reports whether a change to path can affect the running code.
func IsCode(path string) bool { return codeExts[strings.ToLower(filepath.Ext(path))] }

// NeedsRestart reports whether a change to rel (relative to the root) can only be applied by
// restarting the child, whose Medusa runs with NODE_ENV nodeEnv: medusa-config and the .env
// files it reads (IsEnvFile).
func NeedsRestart(rel, nodeEnv string) bool {
	return IsConfigFile(rel) || IsEnvFile(rel, nodeEnv)
}
