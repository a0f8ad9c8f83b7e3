package lsp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/devserver/devtest"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestNeovimEndToEnd drives the real binary from a real headless Neovim (Debian's 0.7.2 in CI).
// Without nvim it is skipped, unless MEDUSA_LS_REQUIRE_NVIM=1 (set by .ci/run) makes that a
// failure.
func TestNeovimEndToEnd(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("MEDUSA_LS_REQUIRE_NVIM") == "1" {
			t.Fatal("nvim is not installed and MEDUSA_LS_REQUIRE_NVIM=1")
		}
		t.Skip("nvim is not installed (apt-get install neovim); skipped")
	}
	root := filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(root, os.DirFS("../examples/store")); err != nil {
		t.Fatal(err)
	}
	port := testutil.FreePort(t)
	script, _ := filepath.Abs("testdata/nvim_e2e.lua")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--noplugin", "-n", "-i", "NONE", "-u", script)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "MEDUSA_LS_BIN="+devtest.Binary, "MEDUSA_ROOT="+root, fmt.Sprintf("MEDUSA_PORT=%d", port),
		"HOME="+home, "XDG_STATE_HOME="+home, "XDG_CACHE_HOME="+home, "XDG_DATA_HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	t.Logf("nvim:\n%s", stdout.String())
	if err != nil {
		t.Fatalf("nvim failed: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, want := range []string{"ok error diagnostic", "ok diagnostics cleared", "ok new code served", "ok server exited 0"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("missing %q", want)
		}
	}
	eventually(t, func() string {
		if kids := childrenOf(root); len(kids) > 0 {
			return fmt.Sprintf("dev server processes left after the client stopped: %v", kids)
		}
		return ""
	})
}
