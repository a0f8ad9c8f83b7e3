#!/usr/bin/env bash
# Everything the VS Code client tests, for the root Makefile (`make test`) and .ci/run:
#   scripts/test.sh            build + unit + integration (+ e2e when its tools are installed)
#   scripts/test.sh --ci       the same, but installs the e2e tools first (e2e/setup.sh, needs
#                              root or sudo for apt) and fails when they cannot be installed
# The integration and e2e tests use ../bin/medusa-ls (or $MEDUSA_LS_BIN) and skip, saying so,
# while it does not exist.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
CI_MODE=0
[ "${1:-}" = --ci ] && CI_MODE=1

stage() { printf '\n== vscode-client: %s\n' "$*"; }
t() { local s=$(date +%s); "$@"; echo "   ($(( $(date +%s) - s )) s)"; }

if [ -L node_modules ]; then
  # A node_modules linked to another checkout's install (a git worktree): npm ci would empty
  # that install for every checkout using it. Use it as it is.
  [ -x node_modules/.bin/esbuild ] || { echo "node_modules links to $(readlink node_modules), which has no esbuild: run npm ci there" >&2; exit 1; }
elif [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  stage "npm ci"; t npm ci --no-audit --no-fund
fi
# node_tests NAME [node --test arguments]: the TAP output goes to out/test-NAME.tap; what is shown
# is one summary line, one line per skipped test with its reason, and each failure in full.
node_tests() {
  local name="$1" code=0 tap
  shift
  tap="out/test-$name.tap"
  node --test --test-reporter=tap --test-reporter-destination="$tap" "$@" || code=$?
  local pass fail skip
  pass="$(awk '/^# pass /{print $3}' "$tap")"
  fail="$(awk '/^# fail /{print $3}' "$tap")"
  skip="$(awk '/^# skipped /{print $3}' "$tap")"
  sed -nE 's/^ *ok [0-9]+ - (.*) # SKIP ?(.*)$/   skipped: \1: \2/p' "$tap"
  if [ "$code" != 0 ]; then
    # Each failing test's block: from its "not ok" line to the YAML block's end ("...").
    awk '/^ *not ok /{p=1} p{print} p&&/^ *\.\.\.$/{p=0}' "$tap"
    [ -n "$fail" ] || tail -40 "$tap"
  fi
  echo "   $name: ${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped (TAP: vscode-client/$tap)"
  return "$code"
}

stage "build (tsc --noEmit + esbuild)"; t npm run --silent build
node esbuild.mjs --tests >/dev/null
stage "unit tests"; t node_tests unit out/test/unit/
stage "integration tests"; t node_tests integration --test-concurrency=1 out/test/integration/
if [ "$CI_MODE" = 1 ]; then
  stage "e2e setup"; t bash e2e/setup.sh >/dev/null
  stage "e2e"; E2E_REQUIRED=1 E2E_TYPECHECKED=1 t bash e2e/run.sh
else
  stage "e2e"; E2E_TYPECHECKED=1 t bash e2e/run.sh
fi
