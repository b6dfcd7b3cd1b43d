// What the Vault client's integration tests share: the running OpenBao, a root client for setup,
// service-account JWTs from the real apiserver, and names that do not collide between runs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { staticToken, VaultClient } from "../../src/vault/client.ts";
import { VaultHttp, type VaultHttpOptions } from "../../src/vault/http.ts";
import { type TestEnv, testEnv } from "./testenv.ts";

const opened: VaultHttp[] = [];
let counter = 0;
let core: CoreV1Api | undefined;
let root: VaultClient | undefined;

export function env(): TestEnv {
  return testEnv();
}

/** A transport closed by closeVaultClients(); plain HTTP unless options say otherwise. */
export function vaultHttp(options: Partial<VaultHttpOptions> = {}): VaultHttp {
  const http = new VaultHttp({ address: env().vault.addr, ...options });
  opened.push(http);
  return http;
}

/** Root-token client for setting fixtures up and for checking state from Vault's side. */
export function rootClient(): VaultClient {
  root ??= new VaultClient({ http: vaultHttp(), tokens: staticToken(env().vault.token) });
  return root;
}

export async function closeVaultClients(): Promise<void> {
  root = undefined;
  await Promise.all(opened.splice(0).map((http) => http.close()));
}

/** A name unique to this process and call, for paths and namespaces. */
export function unique(prefix: string): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

export function pem(file: string): string {
  return readFileSync(file, "utf8");
}

/** A TokenRequest JWT for service account `demo` in namespace `demo`, as the operator would mint. */
export async function serviceAccountJwt(audience: string = env().fixtures.audience): Promise<string> {
  if (core === undefined) {
    const kc = new KubeConfig();
    kc.loadFromFile(env().kube.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  }
  const res = await core.createNamespacedServiceAccountToken({
    name: "demo",
    namespace: "demo",
    body: { spec: { audiences: [audience], expirationSeconds: 600 } },
  });
  const token = res.status?.token;
  assert.ok(token, "TokenRequest returned a token");
  return token;
}

/** Vault's view of a token, by accessor, or undefined once it is revoked. */
export async function lookupAccessor(accessor: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await rootClient().write("auth/token/lookup-accessor", { accessor })).data ?? undefined;
  } catch {
    return undefined;
  }
}

/** A UID-shaped string for cache identities. */
export function uid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}
