package node

import (
	"encoding/json"
	"strings"
	"testing"
)

// The helper's idle compaction, in real node: once the server is up and quiet, and again after a
// busy stretch grew the process, never while requests come. Without the second one the garbage
// of the busy stretch stays resident until V8's memory reducer runs, tens of seconds later or
// never (the fixture's Medusa kept 785 MB for 10 s, 316 MB after one compaction).
func TestCompactWhenIdleInNode(t *testing.T) {
	const main = `const http = require("http")
let keep = []
let busy = null // [start, end] of the requests, ms
const compactions = []
const server = http.createServer((req, res) => {
  // objects kept until the busy stretch ends: about 150 MB of heap over the 80 requests
  for (let i = 0; i < 20000; i++) keep.push({ n: i, s: "x" + i })
  res.end("ok")
})
const get = (port) => new Promise((resolve, reject) => {
  http.get({ host: "127.0.0.1", port, agent: false }, (res) => { res.resume(); res.on("end", resolve) }).on("error", reject)
})
process.on("medusa-ls:compacted", async (c) => {
  compactions.push({ ...c, at: Date.now() })
  if (compactions.length === 2) {
    console.log(JSON.stringify({ busy, compactions }))
    process.exit(0)
  }
  // the boot's compaction is done: a busy stretch, then its garbage
  const start = Date.now()
  for (let i = 0; i < 80; i++) await get(server.address().port)
  busy = [start, Date.now()]
  keep = []
})
server.listen(0, "127.0.0.1")
setTimeout(() => { console.log(JSON.stringify({ busy, compactions })); process.exit(0) }, 60000).unref()
setInterval(() => {}, 1000) // keep the process up for the whole minute
`
	out := forkWithHelper(t, main, "")
	var got struct {
		Busy        []int64 `json:"busy"`
		Compactions []struct {
			Before int64 `json:"before"` // V8's heap and external memory, bytes
			After  int64 `json:"after"`
			At     int64 `json:"at"`
		} `json:"compactions"`
	}
	line := strings.TrimSpace(string(out))
	if err := json.Unmarshal([]byte(line[strings.LastIndexByte(line, '\n')+1:]), &got); err != nil {
		t.Fatalf("node's output: %v\n%s", err, out)
	}
	if len(got.Compactions) != 2 || len(got.Busy) != 2 {
		t.Fatalf("compactions within a minute: %d, want 2, one after boot and one after the busy stretch (%s)", len(got.Compactions), line)
	}
	second := got.Compactions[1]
	if second.At <= got.Busy[1] {
		t.Errorf("the second compaction ran at %d, during the requests (%d to %d)", second.At, got.Busy[0], got.Busy[1])
	}
	freed := (second.Before - second.After) >> 20
	if freed < 100 {
		t.Errorf("the compaction after the busy stretch freed %d MB, want most of the ~150 MB the requests left", freed)
	}
	t.Logf("after the busy stretch: %d MB before the compaction, %d MB after", second.Before>>20, second.After>>20)
}
