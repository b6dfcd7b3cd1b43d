#!/usr/bin/env bash
# Vault side of the KV scenario (seed 003): a kv-v2 mount "kv" with webapps/app_one, webapps/app_two,
# backend_apps/app_one and backend_apps/app_two, one read policy per secret, and one kubernetes-auth
# role per application ServiceAccount in namespace "default".
#
# Works with HashiCorp's `vault` CLI and OpenBao's `bao` (same commands): set VAULT to pick one.
# Needs VAULT_ADDR/VAULT_TOKEN (or BAO_ADDR/BAO_TOKEN) and kubernetes auth enabled at auth/kubernetes
# and pointed at your cluster (`vault auth enable kubernetes; vault write auth/kubernetes/config ...`).
set -euo pipefail
VAULT=${VAULT:-vault}

if ! "$VAULT" secrets list -format=json | grep -q '"kv/"'; then
  "$VAULT" secrets enable -path=kv kv-v2
fi

"$VAULT" kv put -mount=kv webapps/app_one username=webapp-one password=app-one-s3cret
"$VAULT" kv put -mount=kv webapps/app_two username=webapp-two password=app-two-s3cret
"$VAULT" kv put -mount=kv backend_apps/app_one db_user=backend-one db_password=backend-one-s3cret
"$VAULT" kv put -mount=kv backend_apps/app_two db_user=backend-two db_password=backend-two-s3cret

policy() { # policy NAME PATH
  printf 'path "kv/data/%s" {\n  capabilities = ["read"]\n}\n' "$2" | "$VAULT" policy write "$1" -
}
policy webapp-one-read webapps/app_one
policy webapp-two-read webapps/app_two
policy backendapp-one-read backend_apps/app_one
policy backendapp-two-read backend_apps/app_two

role() { # role NAME POLICY — bound to the ServiceAccount of the same name in namespace default
  "$VAULT" write "auth/kubernetes/role/$1" bound_service_account_names="$1" \
    bound_service_account_namespaces=default token_policies="$2" token_ttl=1h
}
role webapp-one webapp-one-read
role webapp-two webapp-two-read
role backendapp-one backendapp-one-read
role backendapp-two backendapp-two-read
