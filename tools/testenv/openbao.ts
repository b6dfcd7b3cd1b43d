// OpenBao in dev mode (in-memory, unsealed, root token "root") with two more listeners: TLS with
// our own CA, and mTLS that refuses clients without a certificate from the client CA. Then the
// auth methods and engines every test and the demo rely on.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./config.ts";
import { callJson } from "./http.ts";
import type { KubeEnv } from "./kube.ts";
import type { Pki } from "./pki.ts";
import { freePortPair } from "./ports.ts";
import type { PostgresEnv } from "./postgres.ts";
import { startProcess, waitFor } from "./processes.ts";

export interface VaultEnv {
  /** "openbao" or "vault": which server this is. */
  flavor: string;
  version: string;
  /** Plain HTTP dev listener. */
  addr: string;
  /** TLS listener, serving certificate from caFile (SANs 127.0.0.1, localhost, vault.testenv.local). */
  tlsAddr: string;
  /** TLS listener that requires a client certificate signed by the client CA. */
  mtlsAddr: string;
  token: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /**
   * The dev server's single unseal key, from the banner it prints at start: fault-injection tests
   * seal Vault (sys/seal) and unseal it again without losing its in-memory data.
   */
  unsealKey?: string;
}

const rootToken = "root";

export async function startOpenBao(runDir: string, bins: Binaries, pki: Pki): Promise<VaultEnv> {
  const [port, tlsPort, mtlsPort] = [await freePortPair(), await freePortPair(), await freePortPair()];
  const config = join(runDir, "openbao.hcl");
  writeFileSync(
    config,
    `listener "tcp" {
  address = "127.0.0.1:${tlsPort}"
  cluster_address = "127.0.0.1:${tlsPort + 1}"
  tls_cert_file = "${pki.vaultCert}"
  tls_key_file = "${pki.vaultKey}"
}
listener "tcp" {
  address = "127.0.0.1:${mtlsPort}"
  cluster_address = "127.0.0.1:${mtlsPort + 1}"
  tls_cert_file = "${pki.vaultCert}"
  tls_key_file = "${pki.vaultKey}"
  tls_client_ca_file = "${pki.vaultClientCa}"
  tls_require_and_verify_client_cert = true
}
audit "file" "file" {
  description = "every request, counted by the benchmarks (values HMACed, never in clear)"
  options {
    file_path = "${auditLogPath(runDir)}"
  }
}
`,
  );
  const addr = `http://127.0.0.1:${port}`;
  const bao = startProcess({
    name: "openbao",
    command: bins.openbao,
    runDir,
    args: [
      "server",
      "-dev",
      `-dev-root-token-id=${rootToken}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
      `-config=${config}`,
      "-log-level=warn",
    ],
    env: { ...process.env, HOME: runDir, BAO_ADDR: addr, VAULT_ADDR: addr },
  });
  await waitFor("openbao", async () => (await callJson("GET", `${addr}/v1/sys/health`)).status === 200, {
    record: bao,
    runDir,
  });
  const health = (await callJson("GET", `${addr}/v1/sys/health`)).body as { version: string };
  const banner = join(runDir, "logs", "openbao.log");
  await waitFor("openbao banner", async () => devUnsealKey(banner) !== undefined, { timeoutMs: 5_000 }).catch(
    () => {},
  );
  const unsealKey = devUnsealKey(banner);
  return {
    flavor: "openbao",
    version: health.version,
    addr,
    tlsAddr: `https://127.0.0.1:${tlsPort}`,
    mtlsAddr: `https://127.0.0.1:${mtlsPort}`,
    token: rootToken,
    caFile: pki.vaultCa,
    clientCertFile: pki.vaultClientCert,
    clientKeyFile: pki.vaultClientKey,
    ...(unsealKey === undefined ? {} : { unsealKey }),
  };
}

/** OpenBao's file audit device: one JSON line per request and one per response. */
export function auditLogPath(runDir: string): string {
  return join(runDir, "logs", "vault-audit.log");
}

/** "Unseal Key: …" from the dev server's banner (stdout, in its log), if it printed one. */
export function devUnsealKey(logFile: string): string | undefined {
  if (!existsSync(logFile)) return undefined;
  return /^Unseal Key: (\S+)$/m.exec(readFileSync(logFile, "utf8"))?.[1];
}

/** Calls the Vault HTTP API as root and fails loudly on any error: setup must not half-succeed. */
export function vaultAdmin(vault: VaultEnv) {
  return async (method: "GET" | "POST" | "PUT" | "DELETE" | "LIST", path: string, body?: unknown) => {
    const res = await callJson(method, `${vault.addr}/v1/${path}`, {
      headers: { "x-vault-token": vault.token },
      body,
    });
    if (res.status >= 400)
      throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { data?: Record<string, unknown> } | undefined;
  };
}

/** Names the smoke tests, examples and demo rely on. docs/development.md lists them for users. */
export const fixtures = {
  policy: "keyport",
  kubernetesAuthMount: "kubernetes",
  jwtAuthMount: "jwt",
  jwksAuthMount: "jwt-jwks",
  approleMount: "approle",
  role: "demo",
  audience: "vault",
  kvV1Mount: "kvv1",
  kvV2Mount: "kvv2",
  pkiRootMount: "pki",
  pkiIntMount: "pki_int",
  pkiRole: "example-dot-com",
  pkiAnyKeyRole: "any-key",
  transitMount: "transit",
  transitKey: "keyport",
  databaseMount: "database",
  databaseRole: "app",
  /** A static role: Vault rotates the password of a user that exists on its own. */
  databaseStaticRole: "static-app",
  databaseStaticUser: "keyport_static",
  /** The kubernetes secrets engine (not the auth method of the same name). */
  kubernetesSecretsMount: "kubernetes",
  /** Issues tokens for ServiceAccount demo/demo. */
  kubernetesSecretsRole: "demo",
} as const;

export async function configureVault(
  vault: VaultEnv,
  kube: KubeEnv,
  postgres: PostgresEnv,
  pki: Pki,
): Promise<void> {
  const call = vaultAdmin(vault);
  const f = fixtures;
  await call("PUT", `sys/policies/acl/${f.policy}`, { policy: keyportPolicy });

  // kubernetes auth: Vault asks our apiserver to review each login token.
  await call("POST", `sys/auth/${f.kubernetesAuthMount}`, { type: "kubernetes" });
  await call("POST", `auth/${f.kubernetesAuthMount}/config`, {
    kubernetes_host: kube.apiUrl,
    kubernetes_ca_cert: readFileSync(kube.caFile, "utf8"),
    token_reviewer_jwt: kube.reviewerJwt,
    disable_local_ca_jwt: true,
  });
  await call("POST", `auth/${f.kubernetesAuthMount}/role/${f.role}`, {
    bound_service_account_names: ["demo", "default"],
    bound_service_account_namespaces: ["demo"],
    audience: f.audience,
    token_policies: [f.policy],
    token_ttl: "1h",
  });

  // jwt auth, offline: the service-account public key itself.
  await call("POST", `sys/auth/${f.jwtAuthMount}`, { type: "jwt" });
  await call("POST", `auth/${f.jwtAuthMount}/config`, {
    jwt_validation_pubkeys: [readFileSync(pki.saPub, "utf8")],
    bound_issuer: kube.issuer,
  });
  // jwt auth, online: the apiserver's JWKS endpoint (fetched anonymously, over our CA).
  await call("POST", `sys/auth/${f.jwksAuthMount}`, { type: "jwt" });
  await call("POST", `auth/${f.jwksAuthMount}/config`, {
    jwks_url: `${kube.issuer}/openid/v1/jwks`,
    jwks_ca_pem: readFileSync(kube.caFile, "utf8"),
    bound_issuer: kube.issuer,
  });
  for (const mount of [f.jwtAuthMount, f.jwksAuthMount]) {
    await call("POST", `auth/${mount}/role/${f.role}`, {
      role_type: "jwt",
      bound_audiences: [f.audience],
      user_claim: "sub",
      bound_claims: { "/kubernetes.io/namespace": "demo" },
      token_policies: [f.policy],
      token_ttl: "1h",
    });
  }

  await call("POST", `sys/auth/${f.approleMount}`, { type: "approle" });
  await call("POST", `auth/${f.approleMount}/role/${f.role}`, {
    token_policies: [f.policy],
    token_ttl: "1h",
  });

  await call("POST", `sys/mounts/${f.kvV1Mount}`, { type: "kv", options: { version: "1" } });
  await call("POST", `sys/mounts/${f.kvV2Mount}`, { type: "kv", options: { version: "2" } });
  await call("POST", `sys/mounts/${f.transitMount}`, { type: "transit" });
  await call("POST", `${f.transitMount}/keys/${f.transitKey}`, {});

  await configurePki(call);

  await call("POST", `sys/mounts/${f.databaseMount}`, { type: "database" });
  await call("POST", `${f.databaseMount}/config/postgres`, {
    plugin_name: "postgresql-database-plugin",
    connection_url: `postgresql://{{username}}:{{password}}@${postgres.host}:${postgres.port}/${postgres.database}?sslmode=disable`,
    username: postgres.adminUser,
    password: postgres.adminPassword,
    allowed_roles: ["*"],
    verify_connection: true,
  });
  await call("POST", `${f.databaseMount}/roles/${f.databaseRole}`, {
    db_name: "postgres",
    creation_statements: [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
      `GRANT CONNECT ON DATABASE ${postgres.database} TO "{{name}}";`,
    ],
    default_ttl: "1h",
    max_ttl: "24h",
  });
  psqlAsAdmin(postgres, `CREATE ROLE "${f.databaseStaticUser}" WITH LOGIN PASSWORD 'rotated-by-vault';`);
  await call("POST", `${f.databaseMount}/static-roles/${f.databaseStaticRole}`, {
    db_name: "postgres",
    username: f.databaseStaticUser,
    rotation_period: "24h",
  });

  // The kubernetes secrets engine mints tokens for ServiceAccounts of our apiserver.
  await call("POST", `sys/mounts/${f.kubernetesSecretsMount}`, { type: "kubernetes" });
  await call("POST", `${f.kubernetesSecretsMount}/config`, {
    kubernetes_host: kube.apiUrl,
    kubernetes_ca_cert: readFileSync(kube.caFile, "utf8"),
    service_account_jwt: kube.secretsEngineJwt,
    disable_local_ca_jwt: true,
  });
  await call("POST", `${f.kubernetesSecretsMount}/roles/${f.kubernetesSecretsRole}`, {
    service_account_name: "demo",
    allowed_kubernetes_namespaces: ["demo"],
    token_default_ttl: "10m",
    token_max_ttl: "1h",
  });
}

/** Runs SQL as PostgreSQL's admin; fails loudly, like every other setup step. */
export function psqlAsAdmin(postgres: PostgresEnv, sql: string): string {
  return execFileSync(
    `${postgres.bin}/psql`,
    [
      "-h",
      postgres.host,
      "-p",
      String(postgres.port),
      "-U",
      postgres.adminUser,
      "-d",
      postgres.database,
      "-v",
      "ON_ERROR_STOP=1",
      "-tAc",
      sql,
    ],
    { encoding: "utf8", env: { ...process.env, PGPASSWORD: postgres.adminPassword } },
  ).trim();
}

async function configurePki(call: ReturnType<typeof vaultAdmin>): Promise<void> {
  const f = fixtures;
  await call("POST", `sys/mounts/${f.pkiRootMount}`, { type: "pki", config: { max_lease_ttl: "87600h" } });
  await call("POST", `${f.pkiRootMount}/root/generate/internal`, {
    common_name: "Keyport Testenv Root CA",
    issuer_name: "root",
    ttl: "87600h",
  });
  await call("POST", `sys/mounts/${f.pkiIntMount}`, { type: "pki", config: { max_lease_ttl: "43800h" } });
  const csr = await call("POST", `${f.pkiIntMount}/intermediate/generate/internal`, {
    common_name: "Keyport Testenv Intermediate CA",
  });
  const signed = await call("POST", `${f.pkiRootMount}/root/sign-intermediate`, {
    csr: csr?.data?.csr,
    format: "pem_bundle",
    ttl: "43800h",
  });
  await call("POST", `${f.pkiIntMount}/intermediate/set-signed`, { certificate: signed?.data?.certificate });
  await call("POST", `${f.pkiIntMount}/roles/${f.pkiRole}`, {
    allowed_domains: ["example.com", "svc", "svc.cluster.local", "localhost"],
    allow_subdomains: true,
    allow_bare_domains: true,
    allow_localhost: true,
    allow_ip_sans: true,
    allowed_uri_sans: ["spiffe://*"],
    allowed_other_sans: ["*"],
    max_ttl: "720h",
  });
  // Sign mode with ECDSA and Ed25519 keys needs a role that accepts any key type (sign only).
  await call("POST", `${f.pkiIntMount}/roles/${f.pkiAnyKeyRole}`, {
    allowed_domains: ["example.com", "svc", "svc.cluster.local", "localhost"],
    allow_subdomains: true,
    allow_bare_domains: true,
    allow_localhost: true,
    allow_ip_sans: true,
    key_type: "any",
    max_ttl: "720h",
  });
}

const keyportPolicy = `
path "kvv1/*" { capabilities = ["read", "list"] }
path "kvv2/data/*" { capabilities = ["read"] }
path "kvv2/metadata/*" { capabilities = ["read", "list"] }
path "kvv2/detailed-metadata/*" { capabilities = ["list"] }
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }
path "pki_int/issue/*" { capabilities = ["create", "update"] }
path "pki_int/sign/*" { capabilities = ["create", "update"] }
path "pki_int/issuer/+/issue/*" { capabilities = ["create", "update"] }
path "pki_int/issuer/+/sign/*" { capabilities = ["create", "update"] }
path "pki_int/revoke" { capabilities = ["create", "update"] }
path "database/creds/*" { capabilities = ["read"] }
path "database/static-creds/*" { capabilities = ["read"] }
path "kubernetes/creds/*" { capabilities = ["update"] }
path "transit/encrypt/keyport" { capabilities = ["update"] }
path "transit/decrypt/keyport" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`;
