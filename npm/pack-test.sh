#!/usr/bin/env bash
# Installs medusa-ls the way a Medusa developer does, without a registry: `npm pack`s the
# packages that `make dist` wrote (the launcher and this platform's binary), installs the
# tarballs into a copy of examples/store with `npm install <tarballs>`, and runs it there:
# npx medusa-ls version / check / --help, develop serving a route and stopping on SIGTERM, and
# the launcher's errors for a platform without a package and a package left out.
#
#   npm/pack-test.sh [DIST_NPM_DIR]      (default: dist/npm)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$(cd "${1:-$ROOT/dist/npm}" && pwd)"
WORK="$(mktemp -d)"
DEV_PID=""
cleanup() {
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then kill -TERM "$DEV_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); echo "  ok: $*"; }
bad() { fails=$((fails + 1)); echo "  FAIL: $*"; }

key="$(node -p 'process.platform + "-" + process.arch')"
[ -d "$DIST/$key" ] || { echo "pack-test: no package for $key in $DIST (run make dist)"; exit 1; }
version="$(node -p "require('$DIST/medusa-ls/package.json').version")"

echo "pack-test: npm pack medusa-ls and @medusa-ls/$key $version"
mkdir -p "$WORK/packs"
for d in medusa-ls "$key"; do (cd "$DIST/$d" && npm pack --silent --pack-destination "$WORK/packs" >/dev/null); done
ls -l "$WORK/packs" | sed 1d | awk '{printf "  %-50s %6.1f MB\n", $9, $5/1048576}'

proj="$WORK/store"
cp -r "$ROOT/examples/store" "$proj"
rm -rf "$proj/node_modules"
echo "pack-test: npm install <tarballs> in a copy of examples/store"
(cd "$proj" && npm install --no-audit --no-fund --loglevel=error "$WORK"/packs/*.tgz)

cd "$proj"
out="$(npx --no-install medusa-ls version)"
[ "$out" = "medusa-ls $version" ] && ok "npx medusa-ls version: $out" || bad "npx medusa-ls version printed '$out', want 'medusa-ls $version'"

if out="$(npx --no-install medusa-ls check 2>&1)" && grep -q ' resources, 0 errors' <<<"$out"; then
  ok "npx medusa-ls check: $(tail -1 <<<"$out")"
else
  bad "npx medusa-ls check: $out"
fi

npx --no-install medusa-ls --help | grep -q 'medusa-ls develop' && ok "npx medusa-ls --help" || bad "npx medusa-ls --help"

set +e
npx --no-install medusa-ls check --jsn >/dev/null 2>"$WORK/err"; code=$?
set -e
[ "$code" = 2 ] && grep -q 'did you mean --json' "$WORK/err" && ok "exit status passes through (2)" || bad "check --jsn: exit $code, $(cat "$WORK/err")"

# develop through the launcher; SIGTERM to the launcher stops the dev server.
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
node_modules/.bin/medusa-ls develop --port "$port" >"$WORK/dev.log" 2>&1 &
DEV_PID=$!
body=""
for _ in $(seq 1 600); do
  # /store routes require the publishable key develop prints at start.
  pk="$(grep -o 'x-publishable-api-key: pk_[0-9a-f]*' "$WORK/dev.log" | head -n 1 | cut -d' ' -f2 || true)"
  [ -n "$pk" ] && body="$(node -e 'fetch(process.argv[1],{headers:{"x-publishable-api-key":process.argv[2]}}).then(r=>r.text()).then(t=>console.log(t),()=>{})' "http://127.0.0.1:$port/store/hello" "$pk")"
  [ -n "$body" ] && break
  kill -0 "$DEV_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q 'Hello from' <<<"$body" && ok "medusa-ls develop serves /store/hello" || { bad "develop did not serve: $(cat "$WORK/dev.log")"; }
kill -TERM "$DEV_PID"
stopped=0
for _ in $(seq 1 300); do kill -0 "$DEV_PID" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
if [ "$stopped" = 1 ] && ! pgrep -f "@medusa-ls/$key/bin/medusa-ls develop --port $port" >/dev/null; then
  ok "SIGTERM to the launcher stops medusa-ls"
else
  bad "medusa-ls still runs after SIGTERM to the launcher"
fi
DEV_PID=""

set +e
err="$(node -e "Object.defineProperty(process,'arch',{value:'ppc64'});process.argv=[process.argv[0],'medusa-ls','version'];require('./node_modules/medusa-ls/bin/medusa-ls.js')" 2>&1)"; code=$?
set -e
[ "$code" = 1 ] && grep -q "no medusa-ls binary for $(node -p process.platform)-ppc64" <<<"$err" && ok "a platform without a package: $err" || bad "unsupported platform: exit $code, $err"

mv "node_modules/@medusa-ls/$key" "$WORK/moved"
set +e
err="$(npx --no-install medusa-ls version 2>&1)"; code=$?
set -e
mv "$WORK/moved" "node_modules/@medusa-ls/$key"
[ "$code" = 1 ] && grep -q "@medusa-ls/$key, which holds the binary for $key, is not installed" <<<"$err" && ok "a missing platform package is named" || bad "missing package: exit $code, $err"

echo "pack-test: $pass passed, $fails failed"
[ "$fails" = 0 ]
