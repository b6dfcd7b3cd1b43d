// Helpers for integration tests against the real kube-apiserver of the test environment.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { KubeClient, type KubeClientOptions, loadKubeConfig } from "../../src/kube/client.ts";
import { create } from "../../src/kube/patch.ts";
import { namespaces } from "../../src/kube/resource.ts";
import { testEnv } from "./testenv.ts";

/** A client with the environment's admin credentials (no throttling unless asked). */
export function adminClient(options: Partial<Omit<KubeClientOptions, "kubeConfig">> = {}): KubeClient {
  return new KubeClient({
    qps: -1,
    ...options,
    kubeConfig: loadKubeConfig({ kubeconfig: testEnv().kube.kubeconfig }),
  });
}

/** A fresh namespace per test, so tests never see each other's objects. */
export async function freshNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await create(client, namespaces, { metadata: { name } });
  return name;
}

/** Runs the environment's kubectl with its kubeconfig. */
export function kubectl(...args: string[]): string {
  const env = testEnv();
  return execFileSync(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], { encoding: "utf8" });
}

/**
 * Compacts etcd's history up to its current revision, through etcd's HTTP gateway: any watch
 * asking for an older resourceVersion (that the apiserver serves from etcd) then gets 410 Gone.
 */
export async function compactEtcd(): Promise<number> {
  const etcdUrl = testEnv().kube.etcdUrl;
  const range = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: "AA==" }),
  });
  const revision = ((await range.json()) as { header: { revision: string } }).header.revision;
  const compacted = await fetch(`${etcdUrl}/v3/kv/compaction`, {
    method: "POST",
    body: JSON.stringify({ revision, physical: true }),
  });
  if (!compacted.ok) throw new Error(`etcd compaction failed: ${compacted.status} ${await compacted.text()}`);
  return Number(revision);
}
