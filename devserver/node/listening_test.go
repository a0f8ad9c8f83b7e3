package node

import (
	"strings"
	"testing"
)

// The helper says when Medusa's HTTP server listens, so that the supervisor asks /health then
// rather than at its next poll: once, for the first HTTP server, after it is bound (a plain TCP
// server, such as a database proxy, is not Medusa's).
func TestHelperSaysWhenHTTPServerListens(t *testing.T) {
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
	out := forkWithHelper(t, main, `if (m && m.type && m.type !== "medusa-ls:hello") console.log(m.type)`)
	got := strings.Fields(string(out))
	want := []string{"test:tcp-bound", "medusa-ls:listening", "test:http-bound", "test:second-http-bound"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("messages from the child:\n%s\nwant %v", out, want)
	}
}
