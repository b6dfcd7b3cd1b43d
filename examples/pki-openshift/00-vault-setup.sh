#!/usr/bin/env bash
# Seed 000 ("Integrate Vault PKI with VSO on OpenShift"), the Vault platform team's part, as the
# guide writes it: JWT auth validated against the cluster's JWKS, an identity entity with metadata
# and an alias for the ServiceAccount, the templated policy pki/issue/{{identity.entity.metadata.TeamName}},
# and the JWT role — all inside the Vault namespace admin/tenant-1.
#
# Before the guide's steps, this script creates what the guide presumes exists: the namespaces
# admin and admin/tenant-1, and a PKI mount "pki" in admin/tenant-1 with a CA and a role "team-a"
# that may issue *.tenant-1.example.com (the guide's operating-guide prerequisites).
#
# Needs: VAULT (vault or bao; default vault), VAULT_ADDR, VAULT_TOKEN; KUBECTL (oc or kubectl;
# default kubectl) pointed at the cluster; API_CA_FILE (the apiserver's CA, the guide's
# /tmp/openshift-ca.pem); jq.
set -euo pipefail
VAULT=${VAULT:-vault}
KUBECTL=${KUBECTL:-kubectl}
vault() { "$VAULT" "$@"; }
oc() { "$KUBECTL" "$@"; }

# --- prerequisites the guide assumes -------------------------------------------------------------
VAULT_NAMESPACE= vault namespace create admin >/dev/null 2>&1 || true
VAULT_NAMESPACE=admin vault namespace create tenant-1 >/dev/null 2>&1 || true
export VAULT_NAMESPACE=admin/tenant-1
if ! vault secrets list -format=json | jq -e '."pki/"' >/dev/null; then
  vault secrets enable pki >/dev/null
  vault secrets tune -max-lease-ttl=8760h pki >/dev/null
  vault write -field=certificate pki/root/generate/internal common_name="tenant-1 example CA" ttl=8760h >/dev/null
fi
vault write pki/roles/team-a allowed_domains=tenant-1.example.com allow_subdomains=true max_ttl=720h >/dev/null

# --- OpenShift configuration (cluster administrators) --------------------------------------------
oc create clusterrolebinding service-account-issuer-discovery-unauthenticated \
  --clusterrole=system:service-account-issuer-discovery \
  --group=system:unauthenticated >/dev/null 2>&1 || true

# --- Vault configuration (the guide's commands) ----------------------------------------------------
export JWKS_URL=$(oc get --raw /.well-known/openid-configuration | jq -r .jwks_uri)
cp "${API_CA_FILE:?set API_CA_FILE to the apiserver CA}" /tmp/openshift-ca.pem

vault auth list -format=json | jq -e '."jwt/"' >/dev/null || vault auth enable jwt
vault auth list -format=json \
  | jq -r '.["jwt/"].accessor' > /tmp/accessor_jwt.txt
vault write -namespace="admin/tenant-1" auth/jwt/config \
  jwks_url="$JWKS_URL" \
  jwks_ca_pem=@/tmp/openshift-ca.pem

vault write -format=json identity/entity \
  name="my-app" \
  metadata=AppName="my-app" \
  metadata=BusinessUnitName="tenant-1" \
  metadata=TeamName="team-a" \
  metadata=EmailDistributionList="team-a@example.com" \
  metadata=TLSDomain="app.tenant-1.example.com" \
  | jq -r ".data.id" > /tmp/entity_id.txt
# Writing an existing entity by name updates it and returns no body; look its id up then.
[ -s /tmp/entity_id.txt ] && [ "$(cat /tmp/entity_id.txt)" != "null" ] \
  || vault read -format=json identity/entity/name/my-app | jq -r .data.id > /tmp/entity_id.txt

vault write identity/entity-alias \
  name="system:serviceaccount:app-1:my-app" \
  canonical_id=$(cat /tmp/entity_id.txt) \
  mount_accessor=$(cat /tmp/accessor_jwt.txt) >/dev/null 2>&1 || true

tee /tmp/pki-policy.hcl >/dev/null <<EOP
path "pki/issue/{{identity.entity.metadata.TeamName}}" {
capabilities = ["update"]
}
EOP
vault policy write pki /tmp/pki-policy.hcl

vault write auth/jwt/role/my-app \
  role_type="jwt" \
  bound_audiences="https://kubernetes.default.svc" \
  user_claim="sub" \
  bound_subject="system:serviceaccount:app-1:my-app" \
  policies="pki" \
  ttl="1h"
