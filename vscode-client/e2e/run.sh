#!/usr/bin/env bash
# End-to-end test of the extension in a real VS Code: code-server 4.100.3 (Code 1.100.3) with
# headless Debian Chromium driven by playwright-core. Installs the built .vsix, opens a temp copy
# of examples/store, saves a syntax error in src/api/store/hello/route.ts, expects it in Problems
# and in the status bar, fixes it, expects both to clear. Screenshots go to e2e/artifacts/.
#
#   e2e/run.sh [--mode MODE]... [--project DIR] [--vsix FILE]
#
# Modes (default: `real` and `multi` when the medusa-ls binary exists, else `no-server`,
# `restricted`, `fake` and `multi`):
#   real       .vsix built by scripts/package.sh with $MEDUSA_LS_BIN (default ../bin/medusa-ls)
#              (multi and restricted reuse it when it was built first: their setting wins)
#   fake       .vsix without a binary, medusa.server.path = the contract test double
#              (test/fake-server/fake-medusa-ls.cjs): proves the harness and the extension's UI
#   no-server  .vsix without a binary and no medusa-ls on PATH: the extension must say
#              "could not start medusa-ls" and show it in the status bar
#   restricted workspace trust on, folder not trusted: the extension starts nothing and says
#              so; trusting the folder starts the (fake) server without a reload
#   multi      a multi-root workspace of two copies of the project (shop, admin), each with its
#              own port in its folder settings, served by the contract test double: one server
#              per project, the status bar follows the active editor, commands act on its
#              project, removing/adding a folder stops/starts its project
# Project: $MEDUSA_EXAMPLE_DIR, else ../examples/store, else test/fixtures/store (not for real).
# Tools come from e2e/setup.sh ($MEDUSA_E2E_CACHE, default <repo>/.cache/e2e). When they are
# missing this prints "SKIPPED" and exits 0, or exits 1 if E2E_REQUIRED=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLIENT="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$CLIENT/.." && pwd)"
CACHE="${MEDUSA_E2E_CACHE:-$REPO/.cache/e2e}"
CS_ENTRY="$CACHE/code-server-4.100.3/node_modules/code-server/out/node/entry.js"
PW_DIR="$CACHE/playwright-core-1.65.1/node_modules/playwright-core"
ART="$HERE/artifacts"
BIN="${MEDUSA_LS_BIN:-$REPO/bin/medusa-ls}"
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac

modes=()
PROJECT_ARG=""
VSIX_ARG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) modes+=("${2:?}"); shift 2 ;;
    --project) PROJECT_ARG="$(cd "${2:?}" && pwd)"; shift 2 ;;
    --vsix) VSIX_ARG="$(cd "$(dirname "${2:?}")" && pwd)/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { printf 'e2e: %s\n' "$*" >&2; }
skip() {
  echo "e2e: SKIPPED: $*"
  if [ "${E2E_REQUIRED:-0}" = 1 ]; then exit 1; fi
  exit 0
}

[ -f "$CS_ENTRY" ] && [ -f "$CACHE/code-server-4.100.3/.medusa-e2e-ok" ] || skip "code-server 4.100.3 is not installed in $CACHE (run vscode-client/e2e/setup.sh)"
[ -f "$PW_DIR/package.json" ] || skip "playwright-core is not installed in $CACHE (run vscode-client/e2e/setup.sh)"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$CHROMIUM" ] || skip "chromium is not installed (run vscode-client/e2e/setup.sh)"

if [ "${#modes[@]}" -eq 0 ]; then
  if [ -x "$BIN" ]; then modes=(real multi); else
    log "no medusa-ls at $BIN: running the no-server, restricted, fake and multi modes; the real mode is SKIPPED"
    modes=(no-server restricted fake multi)
  fi
fi

if [ -n "$PROJECT_ARG" ]; then PROJECT_SRC="$PROJECT_ARG"
elif [ -n "${MEDUSA_EXAMPLE_DIR:-}" ]; then PROJECT_SRC="$(cd "$MEDUSA_EXAMPLE_DIR" && pwd)"
elif [ -f "$REPO/examples/store/src/api/store/hello/route.ts" ]; then PROJECT_SRC="$REPO/examples/store"
else PROJECT_SRC="$CLIENT/test/fixtures/store"; fi

mkdir -p "$ART"
cd "$CLIENT"
[ -x node_modules/.bin/vsce ] || npm ci --no-audit --no-fund >&2

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

passed=0; failed=0; failed_modes=()
PGID=""; TMP=""
VSIX_DIR="$(mktemp -d /tmp/medusa-e2e-vsix-XXXXXX)"; VSIX_BIN=""; VSIX_NONE=""
# E2E_TYPECHECKED=1: the caller has just type-checked the extension (scripts/test.sh's build).
PACKAGE_FLAGS=()
[ "${E2E_TYPECHECKED:-0}" = 1 ] && PACKAGE_FLAGS=(--no-typecheck)
cleanup() {
  if [ -n "$PGID" ]; then kill -TERM -- "-$PGID" 2>/dev/null || true; sleep 1; kill -KILL -- "-$PGID" 2>/dev/null || true; PGID=""; fi
  if [ -n "$TMP" ] && [ "${E2E_KEEP_TMP:-0}" != 1 ]; then rm -rf "$TMP"; fi
  TMP=""
}
trap 'cleanup; rm -rf "$VSIX_DIR"' EXIT
trap cleanup INT TERM

for mode in "${modes[@]}"; do
  t0=$(date +%s)
  log "---- mode $mode (project $PROJECT_SRC)"
  if [ "$mode" = real ] && [ ! -x "$BIN" ]; then
    echo "e2e: SKIPPED real mode: no medusa-ls at $BIN (build it, or set MEDUSA_LS_BIN)"; continue
  fi
  if [ "$mode" = real ] && [ "$PROJECT_SRC" = "$CLIENT/test/fixtures/store" ]; then
    log "warning: examples/store does not exist; using the fixture project"
  fi
  TMP="$(mktemp -d /tmp/medusa-e2e-XXXXXX)"
  mkdir -p "$TMP/home" "$TMP/data/User" "$TMP/ext" "$TMP/work"
  cp -a "$PROJECT_SRC" "$TMP/work/store"
  rm -rf "$TMP/work/store/node_modules"
  [ -d "$PROJECT_SRC/node_modules" ] && ln -s "$PROJECT_SRC/node_modules" "$TMP/work/store/node_modules"
  PROJECT="$TMP/work/store"

  # The .vsix under test, packaged once per run: real needs the binary inside, no-server and fake
  # none; multi and restricted set medusa.server.path, which wins over a bundled binary, and take
  # whichever was packaged already.
  if [ -n "$VSIX_ARG" ]; then VSIX="$VSIX_ARG"
  elif [ "$mode" = real ] || { [ -n "$VSIX_BIN" ] && [ -z "$VSIX_NONE" ] && { [ "$mode" = multi ] || [ "$mode" = restricted ]; }; }; then
    [ -n "$VSIX_BIN" ] || VSIX_BIN="$(bash scripts/package.sh ${PACKAGE_FLAGS[@]+"${PACKAGE_FLAGS[@]}"} --out "$VSIX_DIR/bin" "$BIN" | tail -1)"
    VSIX="$VSIX_BIN"
  else
    [ -n "$VSIX_NONE" ] || VSIX_NONE="$(bash scripts/package.sh ${PACKAGE_FLAGS[@]+"${PACKAGE_FLAGS[@]}"} --out "$VSIX_DIR/none" --no-binary | tail -1)"
    VSIX="$VSIX_NONE"
  fi
  log "vsix: $VSIX"

  SERVER_PATH=""
  PATH_FOR_CS="$PATH"
  TRUST_FLAG=(--disable-workspace-trust)
  TRUST_SETTING=false
  case "$mode" in
    fake|multi) SERVER_PATH="$CLIENT/test/fake-server/fake-medusa-ls.cjs" ;;
    restricted) SERVER_PATH="$CLIENT/test/fake-server/fake-medusa-ls.cjs"; TRUST_FLAG=(); TRUST_SETTING=true ;;
    real|no-server) ;;
    *) log "unknown mode $mode"; exit 2 ;;
  esac
  if [ "$mode" = no-server ]; then
    # No medusa-ls anywhere on PATH.
    PATH_FOR_CS="$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do [ -e "$d/medusa-ls" ] || printf '%s:' "$d"; done)"
    PATH_FOR_CS="${PATH_FOR_CS%:}"
  fi
  DEV_PORT="$(free_port)"
  node -e '
    const [file, serverPath, port, trust] = process.argv.slice(1);
    const s = {
      "workbench.startupEditor": "none", "workbench.tips.enabled": false, "workbench.enableExperiments": false,
      "security.workspace.trust.enabled": trust === "true", "telemetry.telemetryLevel": "off", "update.mode": "none",
      "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
      "git.enabled": false, "window.restoreWindows": "none", "files.autoSave": "off", "explorer.compactFolders": false,
      // The built-in TypeScript service would add its own errors (no @medusajs types in the temp copy).
      "typescript.validate.enable": false, "javascript.validate.enable": false,
      "editor.quickSuggestions": {"other": false, "comments": false, "strings": false},
      "editor.suggestOnTriggerCharacters": false, "editor.acceptSuggestionOnCommitCharacter": false,
      "editor.autoClosingBrackets": "never", "editor.autoClosingQuotes": "never", "editor.formatOnSave": false,
      "medusa.devServer.port": Number(port),
      "medusa.trace.server": "off"
    };
    if (serverPath) s["medusa.server.path"] = serverPath;
    require("fs").writeFileSync(file, JSON.stringify(s, null, 2));
  ' "$TMP/data/User/settings.json" "$SERVER_PATH" "$DEV_PORT" "$TRUST_SETTING"

  OPEN="$PROJECT"
  DEV_PORT2="$(free_port)"
  WORKSPACE=""
  if [ "$mode" = multi ]; then
    # Two projects, each with its own port in its folder settings (medusa.devServer.* are
    # resource settings), in a .code-workspace file the test rewrites to remove and add a folder.
    for f in shop admin; do cp -a "$PROJECT" "$TMP/work/$f"; mkdir -p "$TMP/work/$f/.vscode"; done
    rm -rf "$PROJECT"
    printf '{"medusa.devServer.port": %s}\n' "$DEV_PORT" >"$TMP/work/shop/.vscode/settings.json"
    printf '{"medusa.devServer.port": %s}\n' "$DEV_PORT2" >"$TMP/work/admin/.vscode/settings.json"
    WORKSPACE="$TMP/work/medusa.code-workspace"
    printf '{"folders": [{"path": "shop"}, {"path": "admin"}]}\n' >"$WORKSPACE"
    PROJECT="$TMP/work/shop"
    OPEN="$WORKSPACE"
  fi

  CS=(node "$CS_ENTRY" --extensions-dir "$TMP/ext" --user-data-dir "$TMP/data")
  HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" "${CS[@]}" --install-extension "$VSIX" >"$TMP/install.log" 2>&1 \
    || { cat "$TMP/install.log" >&2; log "install failed"; failed=$((failed+1)); failed_modes+=("$mode"); cleanup; continue; }
  HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" "${CS[@]}" --list-extensions --show-versions 2>/dev/null | grep -i medusa >&2 || true

  CS_PORT="$(free_port)"
  # setsid: code-server, its extension host and medusa-ls (and its dev server) share one process
  # group, killed as a whole by cleanup (extension hosts outlive the browser tab otherwise).
  HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" PATH="$PATH_FOR_CS" setsid "${CS[@]}" \
    --auth none --bind-addr "127.0.0.1:$CS_PORT" --disable-telemetry --disable-update-check \
    ${TRUST_FLAG[@]+"${TRUST_FLAG[@]}"} --disable-getting-started-override "$OPEN" >"$TMP/code-server.log" 2>&1 &
  PGID=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$PGID" 2>/dev/null || break
    sleep 0.5
  done
  if ! curl -fsS "http://127.0.0.1:$CS_PORT/healthz" >/dev/null 2>&1; then
    tail -30 "$TMP/code-server.log" >&2; log "code-server did not come up"; failed=$((failed+1)); failed_modes+=("$mode"); cleanup; continue
  fi

  set +e
  E2E_URL="http://127.0.0.1:$CS_PORT" E2E_PROJECT="$PROJECT" E2E_MODE="$mode" E2E_ARTIFACTS="$ART" \
    E2E_PLAYWRIGHT="$PW_DIR" E2E_CHROMIUM="$CHROMIUM" E2E_DEV_PORT="$DEV_PORT" E2E_DEV_PORT2="$DEV_PORT2" E2E_WORKSPACE="$WORKSPACE" \
    timeout 300 node "$HERE/e2e.mjs"
  rc=$?
  set -e
  cp "$TMP/code-server.log" "$ART/$mode-code-server.log" 2>/dev/null || true
  # The extension host's log, including the Medusa output channel.
  find "$TMP/data/logs" -name '*Medusa*.log' -exec cp {} "$ART/$mode-medusa-output.log" \; 2>/dev/null || true
  cleanup
  if [ "$rc" = 0 ]; then passed=$((passed+1)); log "mode $mode: PASS in $(( $(date +%s) - t0 )) s"
  else failed=$((failed+1)); failed_modes+=("$mode"); log "mode $mode: FAIL (rc=$rc) in $(( $(date +%s) - t0 )) s"; fi
done

echo "e2e: $passed passed, $failed failed${failed_modes:+ (${failed_modes[*]})}"
[ "$failed" = 0 ]
