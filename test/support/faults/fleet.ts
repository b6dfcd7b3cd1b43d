// A fleet of synced objects of mixed kinds in one namespace, for the fault suites: VaultStaticSecrets
// (kv-v2), VaultPKISecrets and VaultDynamicSecrets (PostgreSQL), plus the verbs the suites share —
// write versioned KV data, read every resource and Secret in one call each, and judge whether a
// Secret's data is whole (every key from one version, a certificate with its own key and serial).
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { callJson } from "../../../tools/testenv/http.ts";
import { apply, kubectl, vault } from "../keyport.ts";
import { testEnv } from "../testenv.ts";

export interface FleetSpec {
  namespace: string;
  /** Distinguishes this fleet's Vault paths and certificate names from every other run. */
  tag: string;
  vss: number;
  vps: number;
  vds: number;
  /** VaultStaticSecret refreshAfter (default 10s). */
  refreshAfter?: string;
}

export interface Fleet {
  spec: FleetSpec;
  vss: string[];
  vps: string[];
  vds: string[];
  kvPath(name: string): string;
  commonName(name: string): string;
}

export const vssKeys = ["_raw", "a", "b", "c"] as const;

export function fleet(spec: FleetSpec): Fleet {
  const pad = (i: number) => String(i).padStart(3, "0");
  return {
    spec,
    vss: Array.from({ length: spec.vss }, (_, i) => `s-${pad(i)}`),
    vps: Array.from({ length: spec.vps }, (_, i) => `p-${pad(i)}`),
    vds: Array.from({ length: spec.vds }, (_, i) => `d-${pad(i)}`),
    kvPath: (name) => `faults/${spec.tag}/${name}`,
    commonName: (name) => `${name}.${spec.tag}.example.com`,
  };
}

/** The KV data of one version: every value names the object and the version, so a mix shows. */
export function kvData(name: string, version: number): Record<string, string> {
  return { a: `${name}:v${version}:a`, b: `${name}:v${version}:b`, c: `${name}:v${version}:c` };
}

export async function writeKv(f: Fleet, names: readonly string[], version: number): Promise<void> {
  const env = testEnv();
  for (let i = 0; i < names.length; i += 25) {
    await Promise.all(
      names
        .slice(i, i + 25)
        .map((n) =>
          vault("POST", `${env.fixtures.kvV2Mount}/data/${f.kvPath(n)}`, { data: kvData(n, version) }),
        ),
    );
  }
}

export function vssManifest(f: Fleet, name: string): Record<string, unknown> {
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultStaticSecret",
    metadata: { name, namespace: f.spec.namespace },
    spec: {
      type: "kv-v2",
      mount: testEnv().fixtures.kvV2Mount,
      path: f.kvPath(name),
      refreshAfter: f.spec.refreshAfter ?? "10s",
      destination: { name, create: true },
    },
  };
}

export function vpsManifest(f: Fleet, name: string, ttl = "24h"): Record<string, unknown> {
  const env = testEnv();
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultPKISecret",
    metadata: { name, namespace: f.spec.namespace },
    spec: {
      mount: env.fixtures.pkiIntMount,
      role: env.fixtures.pkiRole,
      commonName: f.commonName(name),
      ttl,
      destination: { name, create: true, type: "kubernetes.io/tls" },
    },
  };
}

export function vdsManifest(f: Fleet, name: string): Record<string, unknown> {
  const env = testEnv();
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultDynamicSecret",
    metadata: { name, namespace: f.spec.namespace },
    spec: {
      mount: env.fixtures.databaseMount,
      path: `creds/${env.fixtures.databaseRole}`,
      destination: { name, create: true },
    },
  };
}

export function applyObjects(objects: readonly Record<string, unknown>[]): void {
  for (let i = 0; i < objects.length; i += 100) {
    apply(
      objects
        .slice(i, i + 100)
        .map((o) => JSON.stringify(o))
        .join("\n---\n"),
    );
  }
}

/** Writes version 1 of every KV secret, then applies every resource. */
export async function createFleet(f: Fleet): Promise<void> {
  await writeKv(f, f.vss, 1);
  applyObjects([
    ...f.vss.map((n) => vssManifest(f, n)),
    ...f.vps.map((n) => vpsManifest(f, n)),
    ...f.vds.map((n) => vdsManifest(f, n)),
  ]);
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface ResourceItem {
  kind: string;
  metadata: { name: string; generation: number; uid: string };
  status?: {
    conditions?: Condition[];
    lastGeneration?: number;
    serialNumber?: string;
    secretLease?: { id: string };
  };
}

export interface SecretItem {
  metadata: { name: string; resourceVersion: string; uid: string; creationTimestamp?: string };
  type?: string;
  data?: Record<string, string>;
}

/** The admin client certificate of the environment's kubeconfig, for direct API reads. */
function adminTls(): { ca: string; cert: string; key: string } {
  const env = testEnv();
  const kubeconfig = readFileSync(env.kube.kubeconfig, "utf8");
  const field = (name: string) => new RegExp(`${name}: (\\S+)`).exec(kubeconfig)?.[1] ?? "";
  return { ca: env.kube.caFile, cert: field("client-certificate"), key: field("client-key") };
}

/** One GET of a collection straight from the apiserver (kubectl would decode and re-encode it). */
async function list<T>(path: string): Promise<{ items: T[]; resourceVersion: string }> {
  const res = await callJson("GET", `${testEnv().kube.apiUrl}${path}`, { tls: adminTls() });
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
  const body = res.body as { items: T[]; metadata: { resourceVersion: string } };
  return { items: body.items, resourceVersion: body.metadata.resourceVersion };
}

const group = "/apis/secrets.hashicorp.com/v1beta1/namespaces";

const secretKinds = [
  ["vaultstaticsecrets", "VaultStaticSecret"],
  ["vaultpkisecrets", "VaultPKISecret"],
  ["vaultdynamicsecrets", "VaultDynamicSecret"],
] as const;

/** Every secret resource of the namespace (or only the named plurals), each with its kind. */
export async function listResources(
  namespace: string,
  only?: readonly (typeof secretKinds)[number][0][],
): Promise<ResourceItem[]> {
  const kinds = secretKinds.filter(([plural]) => only === undefined || only.includes(plural));
  const lists = await Promise.all(
    kinds.map(([plural]) => list<ResourceItem>(`${group}/${namespace}/${plural}`)),
  );
  // List items carry no kind: put it back.
  return lists.flatMap((l, i) => l.items.map((item) => ({ ...item, kind: kinds[i]?.[1] ?? "" })));
}

/** Whether the VaultConnection says Vault is healthy (status.valid). */
export async function connectionValid(namespace: string, name = "default"): Promise<boolean> {
  const res = await callJson(
    "GET",
    `${testEnv().kube.apiUrl}${group}/${namespace}/vaultconnections/${name}`,
    {
      tls: adminTls(),
    },
  );
  return (res.body as { status?: { valid?: boolean } } | undefined)?.status?.valid === true;
}

export function listSecrets(namespace: string): Promise<{ items: SecretItem[]; resourceVersion: string }> {
  return list<SecretItem>(`/api/v1/namespaces/${namespace}/secrets`);
}

export function condition(r: ResourceItem, type = "SecretSynced"): Condition | undefined {
  return r.status?.conditions?.find((c) => c.type === type);
}

/** Synced as of its current generation and healthy. */
export function isSynced(r: ResourceItem): boolean {
  return (
    condition(r)?.status === "True" &&
    condition(r, "Healthy")?.status !== "False" &&
    r.status?.lastGeneration === r.metadata.generation
  );
}

export function decoded(secret: SecretItem | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

/** The one KV version a VaultStaticSecret destination holds, or a reason it is not whole. */
export function kvVersion(name: string, data: Record<string, string>): number | string {
  const keys = Object.keys(data).sort();
  if (keys.join(",") !== vssKeys.join(",")) return `keys ${keys.join(",") || "(none)"}`;
  const versions = new Set(
    ["a", "b", "c"].map((k) => new RegExp(`^${name}:v(\\d+):${k}$`).exec(data[k] ?? "")?.[1]),
  );
  const [only] = [...versions];
  if (versions.size !== 1 || only === undefined) return "values from different versions";
  const raw = JSON.parse(data._raw ?? "{}") as { data?: Record<string, string> };
  if (JSON.stringify(raw.data) !== JSON.stringify(kvData(name, Number(only)))) return "_raw disagrees";
  return Number(only);
}

/** A certificate Secret is whole when tls.crt's leaf, tls.key and serial_number belong together. */
export function certificateProblem(data: Record<string, string>): string | undefined {
  const crt = data["tls.crt"];
  const key = data["tls.key"];
  if (!crt || !key) return "tls.crt or tls.key missing";
  const leaf = new X509Certificate(crt);
  if (!leaf.checkPrivateKey(createPrivateKey(key))) return "tls.key does not match tls.crt";
  const serial = (data.serial_number ?? "").replaceAll(":", "").toUpperCase();
  if (serial !== leaf.serialNumber.toUpperCase()) return "serial_number is not tls.crt's";
  return undefined;
}

/** The serial of the certificate in a Secret, as Vault writes serials (aa:bb:…). */
export function certificateSerial(data: Record<string, string>): string | undefined {
  return data.serial_number;
}

export function credentialsProblem(data: Record<string, string>): string | undefined {
  if (!data.username || !data.password) return "username or password missing";
  const raw = JSON.parse(data._raw ?? "{}") as { username?: string; password?: string };
  if (raw.username !== data.username || raw.password !== data.password) return "_raw disagrees";
  return undefined;
}

/** Why a destination Secret is not whole for its kind, or undefined when it is. */
export function wholeness(f: Fleet, name: string, data: Record<string, string>): string | undefined {
  if (Object.keys(data).length === 0) return "empty";
  if (f.vss.includes(name) || name.startsWith("s-")) {
    const v = kvVersion(name, data);
    return typeof v === "number" ? undefined : v;
  }
  if (f.vps.includes(name) || name.startsWith("p-")) return certificateProblem(data);
  if (f.vds.includes(name) || name.startsWith("d-")) return credentialsProblem(data);
  return undefined;
}

/** Serials Vault's PKI mount has issued so far (LIST pki_int/certs). */
export async function issuedSerials(): Promise<Set<string>> {
  const env = testEnv();
  const res = await vault("GET", `${env.fixtures.pkiIntMount}/certs?list=true`);
  return new Set(((res?.data?.keys as string[] | undefined) ?? []).map((s) => s.toLowerCase()));
}

/** The common name of one issued certificate. */
export async function issuedCommonName(serial: string): Promise<string> {
  const env = testEnv();
  const res = await vault("GET", `${env.fixtures.pkiIntMount}/cert/${serial}`);
  const pem = String(res?.data?.certificate ?? "");
  return /CN=([^,\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? "";
}

export function deleteNamespace(namespace: string): void {
  try {
    kubectl(["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]);
  } catch {
    // Best effort: the environment is torn down after the run anyway.
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
