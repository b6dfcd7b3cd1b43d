// The physical limit, measured in a Node process of its own with the operator's own libraries
// (src/vault's undici client, src/kube's client, the same rendering and HMAC) and the operator's
// concurrency: how fast can one process read kv-v2 from this Vault, create Secrets in this
// apiserver, and do both in sequence? Started by limit.ts; prints one JSON line.
import { randomBytes, randomUUID } from "node:crypto";
import { KubeClient, loadKubeConfig } from "../src/kube/client.ts";
import { encodeData } from "../src/sync/destination.ts";
import type { GoJsonValue } from "../src/sync/go-json.ts";
import { secretMac } from "../src/sync/hmac.ts";
import { ownerLabels, ownerReference } from "../src/sync/ownership.ts";
import { renderSecretData } from "../src/sync/transform.ts";
import { type KvV2Secret, readKvV2, staticToken, VaultClient, VaultHttp } from "../src/vault/index.ts";
import { forEachLimit, range } from "./lib/stats.ts";

export interface LimitConfig {
  kubeconfig: string;
  vaultAddr: string;
  role: string;
  /** Namespace with a `default` ServiceAccount, for the Vault login. */
  loginNamespace: string;
  /** kv-v2 paths under mount kvv2, read N times in all. */
  paths: string[];
  /** Where plain creates go, and where the read→render→create pipeline writes; one of each per round. */
  createNamespaces: string[];
  pipelineNamespaces: string[];
  concurrency: number;
}

export interface LimitRound {
  vaultReadSeconds: number;
  kubeCreateSeconds: number;
  pipelineSeconds: number;
}

export interface LimitOutput {
  n: number;
  concurrency: number;
  rounds: LimitRound[];
}

const config = JSON.parse(process.argv[2] ?? "{}") as LimitConfig;
const kube = new KubeClient({
  kubeConfig: loadKubeConfig({ kubeconfig: config.kubeconfig }),
  qps: 1e6,
  burst: 1e6,
});
const http = new VaultHttp({ address: config.vaultAddr });

// One login, as the operator does per identity.
const tokenRequest = await kube.post<{ status?: { token?: string } }>(
  `/api/v1/namespaces/${config.loginNamespace}/serviceaccounts/default/token`,
  {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { audiences: ["vault"], expirationSeconds: 600 },
  },
);
const login = await http.send<{ auth?: { client_token?: string } }>({
  method: "POST",
  path: "auth/kubernetes/login",
  body: { role: config.role, jwt: tokenRequest.status?.token },
});
const client = new VaultClient({ http, tokens: staticToken(login.body.auth?.client_token ?? "") });
const hmacKey = randomBytes(16);
const n = config.paths.length;

function destination(namespace: string, index: number, secret: KvV2Secret) {
  const data = renderSecretData({
    fields: secret.data as Record<string, GoJsonValue>,
    raw: secret.raw as GoJsonValue,
    objectNamespace: namespace,
    objectName: `s-${index}`,
  });
  secretMac(hmacKey, data);
  const owner = {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultStaticSecret",
    name: `s-${index}`,
    uid: randomUUID(),
  };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `s-${index}`,
      namespace,
      labels: ownerLabels(owner),
      ownerReferences: [ownerReference(owner)],
    },
    type: "Opaque",
    data: encodeData(data),
  };
}

const read = (i: number) => readKvV2(client, { mount: "kvv2", path: config.paths[i] as string });

async function round(createNamespace: string, pipelineNamespace: string): Promise<LimitRound> {
  let started = performance.now();
  const secrets: KvV2Secret[] = new Array(n);
  await forEachLimit(range(n), config.concurrency, async (i) => {
    secrets[i] = await read(i);
  });
  const vaultReadSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  await forEachLimit(range(n), config.concurrency, async (i) => {
    const object = destination(createNamespace, i, secrets[i] as KvV2Secret);
    await kube.post(`/api/v1/namespaces/${createNamespace}/secrets`, object);
  });
  const kubeCreateSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  await forEachLimit(range(n), config.concurrency, async (i) => {
    const object = destination(pipelineNamespace, i, await read(i));
    await kube.post(`/api/v1/namespaces/${pipelineNamespace}/secrets`, object);
  });
  return { vaultReadSeconds, kubeCreateSeconds, pipelineSeconds: (performance.now() - started) / 1000 };
}

const rounds: LimitRound[] = [];
for (const [i, createNs] of config.createNamespaces.entries()) {
  rounds.push(await round(createNs, config.pipelineNamespaces[i] as string));
}

await kube.close();
await http.close();
const out: LimitOutput = { n, concurrency: config.concurrency, rounds };
process.stdout.write(`${JSON.stringify(out)}\n`);
