// The bench's own view of its environment: one testenv named "bench" (kube-apiserver + etcd,
// OpenBao, PostgreSQL), an admin Kubernetes client, root access to Vault, the apiserver's own
// request counters, and the shared setup every benchmark relies on.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { KubeClient, loadKubeConfig } from "../../src/kube/client.ts";
import { isAlreadyExists } from "../../src/kube/errors.ts";
import type { KubeList, KubeObject } from "../../src/kube/object.ts";
import { repoRoot } from "../../tools/testenv/config.ts";
import type { TestEnv } from "../../tools/testenv/environment.ts";
import { callJson } from "../../tools/testenv/http.ts";
import { isOurs, readRecords } from "../../tools/testenv/processes.ts";
import { parseProm, type Sample } from "./prom.ts";
import { forEachLimit } from "./stats.ts";

export const apiVersion = "secrets.hashicorp.com/v1beta1";

export interface Bench {
  env: TestEnv;
  /** Admin client (system:masters), unthrottled. */
  kube: KubeClient;
  operatorNamespace: string;
  /** Kubernetes-auth role every benchmark namespace logs in with. */
  vaultRole: string;
  logDir: string;
  quick: boolean;
  /** Extra Node flags for operator processes (--diagnose: CPU profiles and heap snapshots). */
  operatorNodeArgs: readonly string[];
}

export function adminClient(env: TestEnv): KubeClient {
  return new KubeClient({
    kubeConfig: loadKubeConfig({ kubeconfig: env.kube.kubeconfig }),
    qps: 1e6,
    burst: 1e6,
  });
}

export function kubectl(env: TestEnv, args: readonly string[], input?: string): string {
  return execFileSync(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], {
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  });
}

/** Root calls to Vault; any error status throws. */
export async function vault(
  env: TestEnv,
  method: "GET" | "POST" | "PUT" | "DELETE" | "LIST",
  path: string,
  body?: unknown,
): Promise<{ data?: Record<string, unknown> } | undefined> {
  const res = await callJson(method, `${env.vault.addr}/v1/${path}`, {
    headers: { "x-vault-token": env.vault.token },
    body,
  });
  if (res.status >= 400)
    throw new Error(`vault ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { data?: Record<string, unknown> } | undefined;
}

/** Writes kv-v2 secrets with bounded concurrency. */
export async function writeKv(
  env: TestEnv,
  entries: readonly { path: string; data: Record<string, string> }[],
  concurrency = 32,
): Promise<void> {
  await forEachLimit(entries, concurrency, async (e) => {
    await vault(env, "POST", `kvv2/data/${e.path}`, { data: e.data });
  });
}

export async function createNamespace(bench: Bench, name: string): Promise<void> {
  const { kube } = bench;
  try {
    await kube.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  // No kube-controller-manager in the testenv: the default ServiceAccount must be made by hand.
  try {
    await kube.post(`/api/v1/namespaces/${name}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: name },
    });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

export function plural(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

export function collectionPath(kind: string, namespace: string): string {
  return kind === "Secret"
    ? `/api/v1/namespaces/${namespace}/secrets`
    : `/apis/${apiVersion}/namespaces/${namespace}/${plural(kind)}`;
}

/** Creates objects through the API with bounded concurrency; returns the seconds it took. */
export async function createAll(
  bench: Bench,
  objects: readonly (KubeObject & { metadata: { namespace: string } })[],
  concurrency = 50,
): Promise<number> {
  const started = performance.now();
  await forEachLimit(objects, concurrency, async (o) => {
    await bench.kube.post(collectionPath(o.kind ?? "", o.metadata.namespace), o);
  });
  return (performance.now() - started) / 1000;
}

export async function list<T>(bench: Bench, path: string, labelSelector?: string): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await bench.kube.get<KubeList<T>>(path, {
      query: { limit: 500, continue: cont, labelSelector },
    });
    items.push(...page.items);
    cont = page.metadata?.continue || undefined;
  } while (cont !== undefined);
  return items;
}

/** The CRDs, the operator namespace with the default VaultConnection and VaultAuth, Vault roles. */
export async function setUp(bench: Bench): Promise<void> {
  const { env } = bench;
  kubectl(env, ["apply", "--server-side", "--force-conflicts", "-f", join(repoRoot, "deploy/crds")]);
  kubectl(env, ["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  await vault(env, "POST", `auth/kubernetes/role/${bench.vaultRole}`, {
    bound_service_account_names: ["default"],
    bound_service_account_namespaces: ["*"],
    audience: "vault",
    token_policies: ["keyport"],
    token_ttl: "1h",
  });
  // Issue mode with ECDSA P-256 keys needs a role whose key_type is ec (example-dot-com is RSA).
  await vault(env, "POST", "pki_int/roles/bench-ec", {
    allowed_domains: ["example.com"],
    allow_subdomains: true,
    allow_bare_domains: true,
    key_type: "ec",
    key_bits: 256,
    max_ttl: "720h",
  });
  const ns = bench.operatorNamespace;
  await createNamespace(bench, ns);
  await createAll(bench, [
    {
      apiVersion,
      kind: "VaultConnection",
      metadata: { name: "default", namespace: ns },
      spec: { address: env.vault.addr },
    } as KubeObject & { metadata: { namespace: string } },
    {
      apiVersion,
      kind: "VaultAuth",
      metadata: { name: "default", namespace: ns },
      spec: {
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role: bench.vaultRole, serviceAccount: "default", audiences: ["vault"] },
      },
    } as KubeObject & { metadata: { namespace: string } },
  ]);
}

// ---- the apiserver's own request counters (apiserver_request_total), read as admin ----

export async function apiserverMetrics(env: TestEnv): Promise<Sample[]> {
  const kc = loadKubeConfig({ kubeconfig: env.kube.kubeconfig });
  const user = kc.getCurrentUser();
  const res = await callJson("GET", `${env.kube.apiUrl}/metrics`, {
    tls: {
      ca: env.kube.caFile,
      ...(user?.certFile ? { cert: user.certFile } : {}),
      ...(user?.keyFile ? { key: user.keyFile } : {}),
    },
  });
  if (res.status !== 200) throw new Error(`apiserver /metrics: ${res.status}`);
  return parseProm(String(res.body)).filter((s) => s.name === "apiserver_request_total");
}

/** "VERB resource[/subresource]" → requests. */
export type ApiCounts = Record<string, number>;

export function apiCounts(samples: readonly Sample[]): ApiCounts {
  const out: ApiCounts = {};
  for (const s of samples) {
    if (s.name !== "apiserver_request_total" || !s.labels.resource) continue;
    const key = `${s.labels.verb} ${s.labels.resource}${s.labels.subresource ? `/${s.labels.subresource}` : ""}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

export function apiDelta(before: ApiCounts, after: ApiCounts): ApiCounts {
  const out: ApiCounts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

const writeVerbs = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY"]);
/** Requests that write nothing to storage, or that the apiserver makes itself. */
const notStorageWrites = new Set([
  "tokenreviews",
  "subjectaccessreviews",
  "selfsubjectaccessreviews",
  "serviceaccounts/token",
  "leases",
]);

/** Writes to stored objects (Secrets, custom resources and their status, Events, …). */
export function apiWrites(delta: ApiCounts, only?: (resource: string) => boolean): number {
  let total = 0;
  for (const [key, n] of Object.entries(delta)) {
    const [verb, resource] = key.split(" ") as [string, string];
    if (!writeVerbs.has(verb) || notStorageWrites.has(resource)) continue;
    if (only !== undefined && !only(resource)) continue;
    total += n;
  }
  return total;
}

/** GET and LIST (not WATCH). */
export function apiReads(delta: ApiCounts): number {
  let total = 0;
  for (const [key, n] of Object.entries(delta)) if (/^(GET|LIST) /.test(key)) total += n;
  return total;
}

export async function apiSnapshot(env: TestEnv): Promise<ApiCounts> {
  return apiCounts(await apiserverMetrics(env));
}

/** PIDs of the environment's servers (etcd, kube-apiserver, openbao, postgres) and of the bench. */
export function serverPids(env: TestEnv): Record<string, number> {
  const out: Record<string, number> = { bench: process.pid };
  for (const r of readRecords(env.runDir)) if (isOurs(r)) out[r.name] = r.pid;
  return out;
}
