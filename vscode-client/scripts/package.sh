#!/usr/bin/env bash
# Packages the VS Code extension with a prebuilt medusa-ls binary inside (bin/medusa-ls[.exe]).
#
#   scripts/package.sh [--out DIR] BINARY
#       one .vsix for the current platform, untargeted: DIR/medusa-ls-<version>.vsix
#   scripts/package.sh [--out DIR] --target TARGET BINARY
#       one platform-specific .vsix: DIR/medusa-ls-<target>-<version>.vsix
#   scripts/package.sh [--out DIR] --all BINDIR
#       the five platform-specific .vsix files, from
#         BINDIR/medusa-ls-linux-amd64        → linux-x64
#         BINDIR/medusa-ls-linux-arm64        → linux-arm64
#         BINDIR/medusa-ls-darwin-amd64       → darwin-x64
#         BINDIR/medusa-ls-darwin-arm64       → darwin-arm64
#         BINDIR/medusa-ls-windows-amd64.exe  → win32-x64
#   scripts/package.sh [--out DIR] --no-binary
#       a .vsix without a binary (medusa.server.path or PATH supplies it)
#   --no-typecheck: skip tsc, for a caller that has just run it (the tests' build)
#
# DIR defaults to vscode-client/. Paths may be relative to the caller's directory. Installs the
# npm dev dependencies (npm ci) when node_modules is missing. Prints the .vsix paths on stdout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CALLER="$(pwd)"
OUT="$HERE"
MODE=one
TARGET=""
ARG=""
TYPECHECK=1

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$CALLER/$1" ;; esac; }

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$(abspath "${2:?--out needs a directory}")"; shift 2 ;;
    --target) TARGET="${2:?--target needs one of linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64}"; shift 2 ;;
    --all) MODE=all; ARG="$(abspath "${2:?--all needs a directory of binaries}")"; shift 2 ;;
    --no-binary) MODE=none; shift ;;
    --no-typecheck) TYPECHECK=0; shift ;;
    -h|--help) usage ;;
    -*) echo "package.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$ARG" ] || usage; ARG="$(abspath "$1")"; shift ;;
  esac
done
[ "$MODE" != one ] || [ -n "$ARG" ] || usage

log() { printf 'package.sh: %s\n' "$*" >&2; }

cd "$HERE"
if [ ! -x node_modules/.bin/vsce ] || [ ! -x node_modules/.bin/esbuild ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund >&2
fi
VERSION="$(node -p 'require("./package.json").version')"
NAME="$(node -p 'require("./package.json").name')"
mkdir -p "$OUT"

if [ "$TYPECHECK" = 1 ]; then
  log "typecheck + production bundle"
  node_modules/.bin/tsc --noEmit -p . >&2
else
  log "production bundle"
fi
node esbuild.mjs --production >&2

# The package's README: without the relative screenshot, which vsce refuses without a
# repository URL (and which a .vsix details page could not show anyway).
README="$HERE/out/README.vsix.md"
mkdir -p "$HERE/out"
grep -v '^!\[[^]]*\](media/' README.md > "$README"

# bin/ is staged per package; keep whatever a developer had there.
SAVED=""
if [ -e bin ]; then SAVED="$(mktemp -d)"; mv bin "$SAVED/bin"; fi
restore() { rm -rf "$HERE/bin"; if [ -n "$SAVED" ]; then mv "$SAVED/bin" "$HERE/bin"; rmdir "$SAVED"; fi; }
trap restore EXIT

# package TARGET(or "") BINARY(or "") EXE_NAME
package() {
  local target="$1" binary="$2" exe="$3" file
  rm -rf bin
  if [ -n "$binary" ]; then
    [ -f "$binary" ] || { log "no such binary: $binary"; exit 1; }
    mkdir -p bin
    cp "$binary" "bin/$exe"
    chmod 755 "bin/$exe"
  fi
  if [ -n "$target" ]; then file="$OUT/$NAME-$target-$VERSION.vsix"; else file="$OUT/$NAME-$VERSION.vsix"; fi
  if [ -n "$binary" ] && ! node_modules/.bin/vsce ls --no-dependencies 2>/dev/null | grep -qx "bin/$exe"; then
    log ".vscodeignore would leave bin/$exe out of the package"; exit 1
  fi
  log "vsce package ${target:+--target $target }→ $file"
  node_modules/.bin/vsce package --no-dependencies --skip-license --allow-missing-repository \
    --readme-path out/README.vsix.md ${target:+--target "$target"} --out "$file" >&2
  printf '%s\n' "$file"
}

case "$MODE" in
  none)
    package "$TARGET" "" "" ;;
  one)
    exe=medusa-ls
    case "$TARGET" in win32-*) exe=medusa-ls.exe ;; "") [ "$(node -p process.platform)" = win32 ] && exe=medusa-ls.exe ;; esac
    package "$TARGET" "$ARG" "$exe" ;;
  all)
    [ -d "$ARG" ] || { log "not a directory: $ARG"; exit 1; }
    missing=0
    for pair in linux-x64:linux-amd64 linux-arm64:linux-arm64 darwin-x64:darwin-amd64 darwin-arm64:darwin-arm64 win32-x64:windows-amd64.exe; do
      f="$ARG/medusa-ls-${pair#*:}"
      [ -f "$f" ] || { log "missing $f"; missing=1; }
    done
    [ "$missing" = 0 ] || exit 1
    for pair in linux-x64:linux-amd64 linux-arm64:linux-arm64 darwin-x64:darwin-amd64 darwin-arm64:darwin-arm64 win32-x64:windows-amd64.exe; do
      target="${pair%%:*}"; exe=medusa-ls
      case "$target" in win32-*) exe=medusa-ls.exe ;; esac
      package "$target" "$ARG/medusa-ls-${pair#*:}" "$exe"
    done ;;
esac
