package node

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// startArgsDumper, preloaded after the helper, stands in for Medusa's start command: it sends
// the arguments the command was given, NODE_ENV, and whether @medusajs/cli's yargs front end
// (create-cli.js) was loaded, then exits.
const startArgsDumper = `const Module = require("module"), path = require("path")
const load = Module._load
Module._load = function (request) {
  const exported = load.apply(this, arguments)
  if (!/[\\/]commands[\\/]start(\.js)?$/.test(request)) return exported
  return { default: (args) => {
    const cli = Object.keys(require.cache).some((f) => f.endsWith(path.join("cli", "dist", "create-cli.js")))
    process.send({ args, cli, env: process.env.NODE_ENV }, () => process.exit(0))
  } }
}
`

// The helper starts Medusa's start command itself, without @medusajs/cli's yargs front end and
// its other commands, with the arguments that front end gives it: compared with the real
// @medusajs/cli of the fixture, for the arguments the supervisor passes (workers pass no
// --types), and left to the CLI for anything else.
func TestStartWithoutYargsGivesMedusasArguments(t *testing.T) {
	helper := nodeHelper(t)
	fixture, err := filepath.Abs(filepath.Join("..", "..", "testdata", "medusa-app"))
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(fixture, "node_modules", "@medusajs", "cli", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("MEDUSA_LS_REQUIRE_NODE") == "1" {
			t.Fatalf("the fixture's node_modules are not installed: %v", err)
		}
		t.Skip("the fixture's node_modules are not installed")
	}
	dumper := filepath.Join(t.TempDir(), "dump-start-args.js")
	if err := os.WriteFile(dumper, []byte(startArgsDumper), 0o644); err != nil {
		t.Fatal(err)
	}
	type started struct {
		Args map[string]any `json:"args"`
		CLI  bool           `json:"cli"`
		Env  string         `json:"env"`
	}
	run := func(withHelper bool, args []string) started {
		t.Helper()
		execArgv := []string{"--require", dumper}
		if withHelper {
			execArgv = []string{"--require", helper, "--require", dumper}
		}
		a, _ := json.Marshal(args)
		x, _ := json.Marshal(execArgv)
		parent := `const c = require("child_process").fork(process.argv[1], ` + string(a) + `, { execArgv: ` + string(x) + `, stdio: ["ignore", "ignore", "inherit", "ipc"] })
c.on("message", (m) => { if (m && m.args) console.log(JSON.stringify(m)) })
c.on("exit", (code) => process.exit(code))`
		cmd := exec.Command("node", "-e", parent, cli)
		cmd.Dir = fixture
		cmd.Env = append(os.Environ(), resolveCacheEnv+"=", codeCacheEnv+"=", "NODE_ENV=development")
		if withHelper {
			cmd.Env = append(cmd.Env, "MEDUSA_LS_HELPER=1")
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node (helper %v) %v: %v\n%s", withHelper, args, err, out)
		}
		var s started
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatalf("node (helper %v) %v: %v\n%s", withHelper, args, err, out)
		}
		return s
	}
	for _, tc := range []struct {
		name      string
		args      []string
		withoutUI bool // the helper starts the command without create-cli
	}{
		{"server", []string{"start", "--types", "--port", "9123", "--host", "127.0.0.1"}, true},
		{"worker", []string{"start", "--port", "9124", "--host", "127.0.0.1"}, true},
		{"another option", []string{"start", "--types", "--port", "9125", "--host", "127.0.0.1", "--cluster", "2"}, false},
		{"no host", []string{"start", "--port", "9126"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			medusa, ls := run(false, tc.args), run(true, tc.args)
			if !medusa.CLI {
				t.Fatalf("the dumper did not see Medusa's own CLI load create-cli.js: %+v", medusa)
			}
			if ls.CLI == tc.withoutUI {
				t.Errorf("with the helper, create-cli.js loaded: %v, want %v", ls.CLI, !tc.withoutUI)
			}
			if !reflect.DeepEqual(ls.Args, medusa.Args) {
				t.Errorf("start's arguments with the helper:\n%v\nfrom Medusa's CLI:\n%v", ls.Args, medusa.Args)
			}
			if ls.Env != medusa.Env {
				t.Errorf("NODE_ENV %q, Medusa's CLI leaves %q", ls.Env, medusa.Env)
			}
		})
	}
}

// During the boot, small synchronous crypto.randomBytes requests come from a pool: fresh
// Buffers of the size asked, each with its own memory, other calls as Node answers them, and crypto.randomBytes is Node's
// own again once an HTTP server listens.
func TestRandomBytesPooledUntilListening(t *testing.T) {
	const main = `const crypto = require("crypto"), http = require("http")
const during = crypto.randomBytes.name
const seen = new Set()
let total = 0, own = true
for (let i = 0; i < 10000; i++) {
  const b = crypto.randomBytes(1 + (i % 64))
  if (!Buffer.isBuffer(b) || b.length !== 1 + (i % 64)) throw new Error("bad size")
  total += b.length
  seen.add(b[0])
  own = own && b.buffer.byteLength === b.length && b.byteOffset === 0
}
const big = crypto.randomBytes(1000).length
crypto.randomBytes(16, (err, buf) => {
  const cb = !err && buf.length === 16
  const s = http.createServer()
  s.listen(0, "127.0.0.1", () => {
    process.send({ during, after: crypto.randomBytes.name, distinct: seen.size, total, own, big, cb }, () => process.exit(0))
  })
})
`
	out := forkWithHelper(t, main, `if (m && m.during) console.log(JSON.stringify(m))`)
	var got struct {
		During, After   string
		Distinct, Total int
		Own, CB         bool
		Big             int
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.During != "pooledRandomBytes" || got.After != "randomBytes" {
		t.Errorf("crypto.randomBytes during the boot %q, after listening %q", got.During, got.After)
	}
	if got.Distinct < 250 || got.Total < 300000 || !got.Own || got.Big != 1000 || !got.CB {
		t.Errorf("pooled answers: %+v", got)
	}
}
