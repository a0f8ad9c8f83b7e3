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

if [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  stage "npm ci"; t npm ci --no-audit --no-fund
fi
stage "build (tsc --noEmit + esbuild)"; t npm run --silent build
stage "unit tests"; t npm test --silent
stage "integration tests"; t npm run --silent test:integration
if [ "$CI_MODE" = 1 ]; then
  stage "e2e setup"; t bash e2e/setup.sh >/dev/null
  stage "e2e"; E2E_REQUIRED=1 t bash e2e/run.sh
else
  stage "e2e"; t bash e2e/run.sh
fi
