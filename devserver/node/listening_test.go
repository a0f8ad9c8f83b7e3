package node

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The helper says when Medusa's HTTP server listens, so that the supervisor asks /health then
// rather than at its next poll: once, for the first HTTP server, after it is bound (a plain TCP
// server, such as a database proxy, is not Medusa's).
func TestHelperSaysWhenHTTPServerListens(t *testing.T) {
	helper := nodeHelper(t)
	root := t.TempDir()
	const main = `const http = require("http"), net = require("net")
const tcp = net.createServer(() => {})
tcp.listen(0, "127.0.0.1", () => {
  process.send({ type: "test:tcp-bound" })
  const a = http.createServer((req, res) => res.end("ok"))
  a.listen(0, "127.0.0.1", () => {
    process.send({ type: "test:http-bound" })
    const b = http.createServer((req, res) => res.end("ok"))
    b.listen(0, "127.0.0.1", () => {
      process.send({ type: "test:second-http-bound" }, () => process.exit(0))
    })
  })
})
`
	if err := os.WriteFile(filepath.Join(root, "main.js"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	const parent = `const c = require("child_process").fork("main.js", { execArgv: ["--require", process.argv[1]], stdio: "inherit" })
c.on("message", (m) => { if (m && m.type && m.type !== "medusa-ls:hello") console.log(m.type) })
c.on("exit", (code) => process.exit(code))`
	cmd := exec.Command("node", "-e", parent, helper)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "MEDUSA_LS_HELPER=1", codeCacheEnv+"=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"test:tcp-bound", "medusa-ls:listening", "test:http-bound", "test:second-http-bound"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("messages from the child:\n%s\nwant %v", out, want)
	}
}
