#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, idempotently:
#   - Debian: chromium (headless browser), libkrb5-dev + build tools (code-server's native
#     modules are rebuilt from source), ripgrep (stands in for @vscode/ripgrep's download)
#   - npm: code-server 4.100.3 (the last release for Node 20, bundles Code 1.100.3) and
#     playwright-core, into a cache directory outside the repository.
# Downloads come from Debian's packages and the npm registry only (reference/editor.md §4.2).
#
# Usage: vscode-client/e2e/setup.sh            (cache: $MEDUSA_E2E_CACHE or <repo>/.cache/e2e)
# Prints the cache directory on the last line. Safe to run again: finished steps are skipped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${MEDUSA_E2E_CACHE:-$REPO/.cache/e2e}"
CS_VERSION=4.100.3
PW_VERSION=1.65.1
CS_DIR="$CACHE/code-server-$CS_VERSION"
PW_DIR="$CACHE/playwright-core-$PW_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"

log() { printf 'e2e-setup: %s\n' "$*" >&2; }
t0=$(date +%s)

# npm settings for every step: no audit/fund noise; `npx node-gyp` inside node-pty's
# postinstall needs yes=true (the machine's ~/.npmrc has yes=false); building native modules
# as root needs unsafe-perm.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false npm_config_unsafe_perm=true

need_node_major=20
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$need_node_major" ]; then
  log "node >= $need_node_major is required (found: $(node --version 2>/dev/null || echo none))"
  exit 1
fi

# ---- Debian packages ---------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
for p in libkrb5-dev build-essential python3 pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      log "need root (or sudo) to install: ${missing[*]}"; exit 1
    fi
  fi
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  log "Debian packages present (chromium, ripgrep, libkrb5-dev, build tools)"
fi

# ---- code-server from npm ----------------------------------------------------------------
stamp="$CS_DIR/.medusa-e2e-ok"
cs_version() { # code-server writes a default config into $HOME on first run: keep it in the cache
  mkdir -p "$CACHE/home"
  HOME="$CACHE/home" XDG_CONFIG_HOME="$CACHE/home/.config" XDG_DATA_HOME="$CACHE/home/.local/share" \
    node "$CS_PKG/out/node/entry.js" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+' | head -1 || true
}
if [ -f "$stamp" ] && [ -n "$(cs_version)" ]; then
  log "code-server $CS_VERSION already installed in $CS_DIR"
else
  log "installing code-server $CS_VERSION into $CS_DIR (a few minutes: native modules build from source)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  (
    cd "$CS_DIR"
    printf '{"name":"medusa-e2e-code-server","private":true}\n' > package.json
    # Its postinstall.sh refuses root, needs kerberos headers, and @vscode/ripgrep downloads from
    # GitHub: skip all scripts and do the postinstall by hand.
    npm install --no-save --ignore-scripts --no-package-lock "code-server@$CS_VERSION" >&2
    cd "$CS_PKG/lib/vscode"
    npm install --omit=dev --ignore-scripts --no-package-lock >&2
    # @vscode/ripgrep's postinstall exits early when bin/ exists; use Debian's rg.
    for d in node_modules/@vscode/ripgrep $(find node_modules -path '*/@vscode/ripgrep' -type d -not -path 'node_modules/@vscode/ripgrep'); do
      mkdir -p "$d/bin" && cp "$(command -v rg)" "$d/bin/rg"
    done
    npm rebuild >&2
    ln -sfn node_modules node_modules.asar
    # The two symlinks postinstall.sh makes.
    ln -sfn code-linux.sh bin/remote-cli/code-server
    ln -sfn browser-linux.sh bin/helpers/browser.sh
    cd extensions
    npm install --omit=dev --ignore-scripts --no-package-lock >&2
    # argon2 (password hashing; unused with --auth none but loaded at start) is hoisted to the
    # top-level node_modules: its prebuilt download fails, node-gyp builds it.
    cd "$CS_DIR"
    npm rebuild argon2 >&2
  )
  ver=$(cs_version)
  case "$ver" in
    "$CS_VERSION"*) log "code-server: $ver" ;;
    *) log "code-server did not start after install (got: '$ver')"; exit 1 ;;
  esac
  touch "$stamp"
fi

# ---- playwright-core ---------------------------------------------------------------------
if [ -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  log "playwright-core $PW_VERSION already installed"
else
  log "installing playwright-core $PW_VERSION"
  rm -rf "$PW_DIR"; mkdir -p "$PW_DIR"
  printf '{"name":"medusa-e2e-playwright","private":true}\n' > "$PW_DIR/package.json"
  # playwright-core has no install script and downloads no browser (we use Debian's chromium).
  (cd "$PW_DIR" && npm install --no-save --no-package-lock "playwright-core@$PW_VERSION" >&2)
fi

log "ready in $(( $(date +%s) - t0 )) s"
echo "$CACHE"
