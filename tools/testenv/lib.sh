# Shared helpers for the testenv shell scripts. Sourced, never run.
set -euo pipefail

TESTENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$TESTENV_DIR/versions.env"

CACHE=${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/keyport-testenv}
GOOS_ARCH=$(go env GOOS)_$(go env GOARCH)
GO_VER=$(go env GOVERSION)

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build"

log() { printf '[testenv] %s\n' "$*" >&2; }
die() { printf '[testenv] error: %s\n' "$*" >&2; exit 1; }

# Bump when the way binaries are built changes (flags, tags): it is part of every cache key.
RECIPE=r1

# bin_dir COMPONENT VERSION → the cache folder that holds that component's binaries.
bin_dir() { printf '%s/bin/%s-%s-%s-%s-%s' "$CACHE" "$1" "$2" "$GO_VER" "$GOOS_ARCH" "$RECIPE"; }
