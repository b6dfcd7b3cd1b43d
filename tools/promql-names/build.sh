#!/usr/bin/env bash
# Builds tools/promql-names against Prometheus's own PromQL parser, into the testenv cache, and
# prints the binary's path. Skips the build when the cache entry is complete.
#   bash tools/promql-names/build.sh
. "$(dirname "$0")/../testenv/lib.sh"

# Single source of truth for the parser's version; part of the cache key.
PROMETHEUS_VERSION=v0.316.0

here=$(cd "$(dirname "$0")" && pwd)
out=$(bin_dir promql-names "$PROMETHEUS_VERSION")
sum=$(sha256sum "$here/main.go" | cut -c1-12)
if [ -f "$out/.ok" ] && [ "$(cat "$out/.source" 2>/dev/null)" = "$sum" ]; then
  printf '%s\n' "$out/promql-names"; exit 0
fi
w="$CACHE/src/promql-names-$PROMETHEUS_VERSION"
rm -rf "$w"; mkdir -p "$w"
printf 'module testenv.local/promql-names\n\ngo 1.26\n' >"$w/go.mod"
cp "$here/main.go" "$w/main.go"
(cd "$w" && go get "github.com/prometheus/prometheus@$PROMETHEUS_VERSION" >&2 \
  && mkdir -p "$out" && go build -trimpath -ldflags "-s -w" -o "$out/promql-names" .) \
  || die "building promql-names failed"
printf '%s' "$sum" >"$out/.source"
(cd "$out" && sha256sum promql-names >.ok)
log "promql-names (prometheus $PROMETHEUS_VERSION) → $out"
printf '%s\n' "$out/promql-names"
