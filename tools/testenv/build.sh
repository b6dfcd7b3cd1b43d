#!/usr/bin/env bash
# Builds the real servers the tests run against, from Go modules, into a cache outside the repo.
#   build.sh [--check] [etcd] [kube] [kcm] [bao] [vault] [helm]     (default: etcd kube bao helm)
# --check only downloads every pinned module, so a missing version fails in seconds, not after a build.
# A component whose cache entry is complete (.ok present) is skipped.
. "$(dirname "$0")/lib.sh"

check=0
components=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    etcd|kube|kcm|bao|vault|helm) components+=("$arg") ;;
    *) die "unknown argument: $arg" ;;
  esac
done
[ ${#components[@]} -gt 0 ] || components=(etcd kube bao helm)

case "$GO_VER" in "$GO_REQUIRED"*) ;; *) die "need $GO_REQUIRED.x, found $GO_VER (GOTOOLCHAIN=local: no toolchain downloads)";; esac
mkdir -p "$CACHE/src" "$CACHE/bin"

# wrapper DIR GO_LINE — a fresh wrapper module in the cache; the repo never holds these.
wrapper() {
  rm -rf "$1"; mkdir -p "$1"
  printf 'module testenv.local/%s\n\ngo %s\n' "$(basename "$1")" "$2" >"$1/go.mod"
}

# finish COMPONENT VERSION DIR — records that a build completed, with each binary's sha256.
# seed_sums DIR MODULE@VERSION… — start the wrapper's go.sum from each upstream module's own go.sum.
# The proxy's checksum database lacks some dependency versions (404); the hashes the upstream release
# recorded are the ones it was built and tested with, so they are the right ones to verify against.
seed_sums() {
  local dir=$1 mv src; shift
  for mv in "$@"; do
    src=$(go mod download -json "$mv" | jq -r .Dir)
    [ -f "$src/go.sum" ] && cat "$src/go.sum" >>"$dir/go.sum"
  done
  [ -f "$dir/go.sum" ] && sort -u -o "$dir/go.sum" "$dir/go.sum"
  return 0
}

finish() { (cd "$3" && sha256sum -- * >.ok); log "$1 $2 → $3"; }
built() { [ -f "$(bin_dir "$1" "$2")/.ok" ]; }

download() { # download MODULE@VERSION… — fails listing every module the proxy refuses
  local out; out=$(go mod download -json "$@" 2>/dev/null || true)
  local missing; missing=$(jq -r 'select(.Error) | "\(.Path)@\(.Version): \(.Error | split("\n")[0])"' <<<"$out")
  [ -z "$missing" ] || { printf '%s\n' "$missing" >&2; return 1; }
}

k8s_staging() { # the staging modules k8s.io/kubernetes replaces, read from that version's own go.mod
  # Outside any module: inside a wrapper, `go mod download` would resolve against that module.
  local gomod mods; gomod=$(cd "$CACHE/src" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r .GoMod)
  mods=$(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/k8s\.io/.*#\1#p' "$gomod")
  [ -n "$mods" ] || die "no staging modules found in $gomod"
  printf '%s\n' "$mods"
}

check_pins() {
  local c rc=0 staging="v0${K8S_VERSION#v1}"
  cd "$CACHE/src"
  for c in "${components[@]}"; do
    case "$c" in
      etcd) download "go.etcd.io/etcd/server/v3@$ETCD_VERSION" || rc=1 ;;
      kube|kcm)
        local mods=() m; for m in $(k8s_staging); do mods+=("$m@$staging"); done
        [ ${#mods[@]} -eq 31 ] || log "note: k8s.io/kubernetes@$K8S_VERSION lists ${#mods[@]} staging modules"
        download "k8s.io/kubernetes@$K8S_VERSION" "${mods[@]}" || rc=1 ;;
      bao) download "github.com/openbao/openbao@$OPENBAO_PSEUDO" "github.com/openbao/openbao/sdk/v2@$OPENBAO_SDK" \
             "github.com/openbao/openbao/api/v2@$OPENBAO_API" \
             "github.com/openbao/openbao/api/auth/approle/v2@$OPENBAO_API_AUTH" \
             "github.com/openbao/openbao/api/auth/kubernetes/v2@$OPENBAO_API_AUTH" \
             "github.com/openbao/openbao/api/auth/userpass/v2@$OPENBAO_API_AUTH" || rc=1 ;;
      vault) download "github.com/hashicorp/vault@$VAULT_VERSION" || rc=1 ;;
      helm) download "helm.sh/helm/v3@$HELM_VERSION" || rc=1 ;;
    esac
    [ $rc -eq 0 ] && log "check $c: every pin is served"
  done
  return $rc
}

build_etcd() {
  built etcd "$ETCD_VERSION" && return 0
  local w="$CACHE/src/etcd-$ETCD_VERSION" out; out=$(bin_dir etcd "$ETCD_VERSION")
  wrapper "$w" 1.25.0; cd "$w"
  seed_sums "$w" "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  mkdir -p "$out"; go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  finish etcd "$ETCD_VERSION" "$out"
}

# kube builds kube-apiserver and kubectl (+ kube-controller-manager for kcm) from one wrapper module.
build_kube() {
  local name=$1; shift
  built "$name" "$K8S_VERSION" && return 0
  local w="$CACHE/src/kubernetes-$K8S_VERSION" out staging="v0${K8S_VERSION#v1}" m
  out=$(bin_dir "$name" "$K8S_VERSION")
  if [ ! -f "$w/.ready" ]; then
    wrapper "$w" 1.24.0
    { echo; echo 'godebug default=go1.24'; echo; echo 'replace ('
      for m in $(k8s_staging); do printf '\t%s => %s %s\n' "$m" "$m" "$staging"; done
      echo ')'; } >>"$w/go.mod"
    (cd "$w" && seed_sums "$w" "k8s.io/kubernetes@$K8S_VERSION")
    (cd "$w" && go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" \
      "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION")
    touch "$w/.ready"
  fi
  cd "$w"
  local minor ld="-s -w" kv
  minor=$(cut -d. -f2 <<<"$K8S_VERSION")
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean" "buildDate=2000-01-01T00:00:00Z"; do
    ld+=" -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
  done
  local pkgs=(); for m in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$m"); done
  mkdir -p "$out"; go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$ld" -o "$out/" "${pkgs[@]}"
  finish "$name" "$K8S_VERSION" "$out"
}

build_bao() {
  built openbao "$OPENBAO_VERSION" && return 0
  local w="$CACHE/src/openbao-$OPENBAO_VERSION" out; out=$(bin_dir openbao "$OPENBAO_VERSION")
  wrapper "$w" 1.24.6; cd "$w"
  seed_sums "$w" "github.com/openbao/openbao@$OPENBAO_PSEUDO"
  # As a dependency, OpenBao's ./sdk and ./api replaces are ignored: pin the tags whose code equals
  # the tree of that release commit (checked with git diff; docs/development.md).
  go get -tool "github.com/openbao/openbao@$OPENBAO_PSEUDO"
  go get "github.com/openbao/openbao/sdk/v2@$OPENBAO_SDK" \
    "github.com/openbao/openbao/api/v2@$OPENBAO_API" \
    "github.com/openbao/openbao/api/auth/approle/v2@$OPENBAO_API_AUTH" \
    "github.com/openbao/openbao/api/auth/kubernetes/v2@$OPENBAO_API_AUTH" \
    "github.com/openbao/openbao/api/auth/userpass/v2@$OPENBAO_API_AUTH"
  mkdir -p "$out"
  go build -trimpath -ldflags "-s -w -X github.com/openbao/openbao/version.fullVersion=${OPENBAO_VERSION#v}" \
    -o "$out/bao" github.com/openbao/openbao
  finish openbao "$OPENBAO_VERSION" "$out"
}

build_vault() {
  built vault "$VAULT_VERSION" && return 0
  local w="$CACHE/src/vault-$VAULT_VERSION" out; out=$(bin_dir vault "$VAULT_VERSION")
  wrapper "$w" 1.20; cd "$w"
  seed_sums "$w" "github.com/hashicorp/vault@$VAULT_VERSION"
  go get -tool "github.com/hashicorp/vault@$VAULT_VERSION"
  mkdir -p "$out"; go build -trimpath -ldflags "-s -w" -o "$out/vault" github.com/hashicorp/vault
  finish vault "$VAULT_VERSION" "$out"
}

build_helm() {
  built helm "$HELM_VERSION" && return 0
  local w="$CACHE/src/helm-$HELM_VERSION" out; out=$(bin_dir helm "$HELM_VERSION")
  wrapper "$w" 1.24.0; cd "$w"
  seed_sums "$w" "helm.sh/helm/v3@$HELM_VERSION"
  go get -tool "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mkdir -p "$out"; go build -trimpath -ldflags "-s -w" -o "$out/helm" helm.sh/helm/v3/cmd/helm
  finish helm "$HELM_VERSION" "$out"
}

if [ $check -eq 1 ]; then check_pins; exit; fi
for c in "${components[@]}"; do
  start=$(date +%s)
  case "$c" in
    etcd) build_etcd ;;
    kube) build_kube kube kube-apiserver kubectl ;;
    kcm) build_kube kcm kube-controller-manager ;;
    bao) build_bao ;;
    vault) build_vault ;;
    helm) build_helm ;;
  esac
  log "$c ready in $(( $(date +%s) - start )) s"
done
