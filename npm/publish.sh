#!/usr/bin/env bash
# Publishes a release's npm packages, as `make dist` wrote them in dist/npm: every platform
# package (@medusa-ls/<os>-<cpu>) first, then the medusa-ls launcher that lists them as
# optionalDependencies, so that the registry never holds a launcher whose binaries are missing.
#
#   npm/publish.sh [--dry-run] [DIST_NPM_DIR]     (default: dist/npm)
#
# Refuses, before publishing anything: a development version (make dist on a commit tagged
# vX.Y.Z gives X.Y.Z), a platform package the launcher lists that is not in DIST_NPM_DIR, and a
# package whose version is not the launcher's. A prerelease (1.2.0-rc.1) goes to the `next`
# dist-tag, anything else to `latest`; NPM_TAG overrides. Log in first (`npm login`, or
# NPM_TOKEN in ~/.npmrc); --dry-run checks and packs everything without publishing or logging in.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dry=()
if [ "${1:-}" = --dry-run ]; then dry=(--dry-run); shift; fi
DIST="$(cd "${1:-$ROOT/dist/npm}" && pwd)"
die() { echo "publish: $*" >&2; exit 1; }

[ -f "$DIST/medusa-ls/package.json" ] || die "no launcher package in $DIST (run make dist)"
version="$(node -p "require('$DIST/medusa-ls/package.json').version")"
case "$version" in
  *-dev.*)
    [ ${#dry[@]} -gt 0 ] || die "$version is a development build; tag the commit vX.Y.Z and run make dist"
    ;;
esac
tag="${NPM_TAG:-}"
if [ -z "$tag" ]; then
  case "$version" in *-*) tag=next ;; *) tag=latest ;; esac
fi

# The platform packages the launcher depends on, each checked before anything is published.
mapfile -t deps < <(node -e "
  const p = require('$DIST/medusa-ls/package.json');
  for (const [name, v] of Object.entries(p.optionalDependencies || {})) console.log(name + ' ' + v);
")
[ ${#deps[@]} -gt 0 ] || die "the launcher lists no platform package"
dirs=()
for dep in "${deps[@]}"; do
  name="${dep% *}"; want="${dep#* }"
  dir="$DIST/${name#@medusa-ls/}"
  [ -f "$dir/package.json" ] || die "$name is listed by the launcher but not in $DIST"
  got="$(node -p "require('$dir/package.json').name + ' ' + require('$dir/package.json').version")"
  [ "$got" = "$name $want" ] || die "$dir is $got, the launcher wants $name $want"
  dirs+=("$dir")
done

echo "publish: medusa-ls $version with ${#dirs[@]} platform packages, dist-tag $tag${dry:+ (dry run)}"
for dir in "${dirs[@]}" "$DIST/medusa-ls"; do
  (cd "$dir" && npm publish --access public --tag "$tag" "${dry[@]}" --loglevel error >/dev/null)
  echo "  $(node -p "require('$dir/package.json').name")@$version"
done
