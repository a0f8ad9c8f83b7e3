//go:build unix

package child

import (
	"os"
	"os/exec"
	"testing"
)

func TestYieldCPU(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	before, err := niceOf(pid)
	if err != nil {
		t.Fatal(err)
	}
	restore := YieldCPU(pid)
	during, err := niceOf(pid)
	if err != nil {
		t.Fatal(err)
	}
	if want := min(before+10, 19); during != want {
		t.Fatalf("nice %d while yielding, want %d (was %d)", during, want, before)
	}
	restore()
	after, _ := niceOf(pid)
	if os.Geteuid() != 0 {
		t.Logf("not root: the restore (nice %d → %d) needs CAP_SYS_NICE and is not checked; now %d", during, before, after)
		return
	}
	if after != before {
		t.Fatalf("nice %d after restore, want %d", after, before)
	}
}
