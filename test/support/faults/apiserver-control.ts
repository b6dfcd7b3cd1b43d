// Restarting the environment's kube-apiserver (same flags, port and PKI: tools/testenv/kube.ts)
// and compacting etcd, for the suite that checks no update is missed across a watch outage.
import { startApiserver, stopApiserver } from "../../../tools/testenv/kube.ts";
import { isOurs, readRecords } from "../../../tools/testenv/processes.ts";
import { kubectl } from "../keyport.ts";
import { testEnv } from "../testenv.ts";

export { compactEtcd } from "../kube.ts";

/**
 * Moves etcd's revision on while the apiserver is away, as the other writers of a real control
 * plane (a second apiserver, its leases and events) do: a few writes to one key outside the
 * apiserver's /registry prefix, then the key is deleted. A restarted apiserver's watch cache then
 * starts past every resourceVersion the operator held, so its watches are answered 410 Gone.
 */
export async function advanceEtcdRevision(writes = 5): Promise<void> {
  const etcdUrl = testEnv().kube.etcdUrl;
  const key = Buffer.from("keyport-faults/revision").toString("base64");
  for (let i = 0; i < writes; i++) {
    const res = await fetch(`${etcdUrl}/v3/kv/put`, {
      method: "POST",
      body: JSON.stringify({ key, value: Buffer.from(String(i)).toString("base64") }),
    });
    if (!res.ok) throw new Error(`etcd put failed: ${res.status} ${await res.text()}`);
  }
  await fetch(`${etcdUrl}/v3/kv/deleterange`, { method: "POST", body: JSON.stringify({ key }) });
}

export function apiserverRunning(): boolean {
  return readRecords(testEnv().runDir).some((r) => r.name === "kube-apiserver" && isOurs(r));
}

export async function stopKubeApiserver(): Promise<void> {
  await stopApiserver(testEnv().runDir);
}

export async function startKubeApiserver(): Promise<void> {
  if (!apiserverRunning()) await startApiserver(testEnv().runDir);
}

/**
 * What a watch from `resourceVersion` gets now: "410" when the apiserver answers Gone (an ERROR
 * event with code 410, or the HTTP status), else the first line it sent.
 */
export function watchFrom(namespace: string, resourceVersion: string): string {
  const query = new URLSearchParams({ watch: "1", resourceVersion, timeoutSeconds: "1" });
  try {
    const out = kubectl(["get", "--raw", `/api/v1/namespaces/${namespace}/secrets?${query}`]);
    const first = out.split("\n")[0] ?? "";
    return /"code":\s*410/.test(first) ? "410" : first.slice(0, 200);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message);
    return /410|Gone|too old/i.test(stderr) ? "410" : stderr.slice(0, 200);
  }
}
