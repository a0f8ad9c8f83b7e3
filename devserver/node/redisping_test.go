//go:build unix

package node

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medusa-ls/medusa-ls/internal/testutil"
)

// TestPingRedis checks the topology's pre-start check against real Redis servers: one without
// a password (a password it does not ask for is accepted, as ioredis accepts it), one with
// requirepass (the right password, a wrong one, none), and a port where nothing listens.
func TestPingRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("MEDUSA_LS_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server is not installed (MEDUSA_LS_REQUIRE_REDIS=1)")
		}
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	start := func(args ...string) string {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		cmd := exec.Command(bin, append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		testutil.Eventually(t, 20*time.Second, func() string {
			c, err := net.Dial("tcp", "127.0.0.1:"+port)
			if err != nil {
				return "redis-server on " + port + " did not start: " + err.Error()
			}
			c.Close()
			return ""
		})
		return port
	}
	open := start()
	locked := start("--requirepass", "s3cret")
	free := func() string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}()
	tests := []struct {
		url, wantErr string
	}{
		{"redis://127.0.0.1:" + open, ""},
		{"redis://127.0.0.1:" + open + "/2", ""},
		{"redis://:unused@127.0.0.1:" + open, ""},
		{"redis://:s3cret@127.0.0.1:" + locked, ""},
		{"redis://default:s3cret@127.0.0.1:" + locked, ""},
		{"redis://:wrong@127.0.0.1:" + locked, "WRONGPASS"},
		{"redis://127.0.0.1:" + locked, "NOAUTH"},
		{"redis://127.0.0.1:" + free, "connection refused"},
		{"http://127.0.0.1:" + open, "not a redis://"},
	}
	for _, tc := range tests {
		err := pingRedis(context.Background(), tc.url)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.url, err, tc.wantErr)
		}
	}
}
