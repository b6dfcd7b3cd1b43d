// 7. Restart: a new operator process over N objects that are already in sync. Seconds from spawn
// until every object was reconciled (and found in sync), and what that cost: API writes, Vault
// requests, logins, certificates — all of which should be zero but for one login per identity
// and one read per static secret.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ApiCounts,
  apiDelta,
  apiSnapshot,
  apiWrites,
  type Bench,
  collectionPath,
  list,
} from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { counterDelta, counters, type OperatorProcess, startOperator } from "./lib/operator.ts";
import { round } from "./lib/stats.ts";
import { ObjectWatch, type SecretObject } from "./lib/watch.ts";

export interface RestartResult {
  n: number;
  kind: string;
  secondsToReady: number;
  secondsToVerified: number;
  /** Storage writes of any kind seen by the apiserver (Secrets, status, finalizers, Events). */
  apiWrites: number;
  secretWrites: number;
  /** Secret changes seen by the bench's own watch (cross-check of secretWrites). */
  secretChangesSeen: number;
  vaultReads: number;
  vaultWrites: number;
  vaultLogins: number;
  identities: number;
  certificatesIssued: number;
  syncWritten: number;
  syncFailures: number;
  /** Status fields that differ after the restart, with how many objects they differ in. */
  statusFieldsChanged: Record<string, number>;
  apiRequests: ApiCounts;
}

type WithStatus = { metadata?: { namespace?: string; name?: string }; status?: Record<string, unknown> };

async function statuses(
  bench: Bench,
  kind: string,
  namespaces: readonly string[],
): Promise<Map<string, WithStatus>> {
  const out = new Map<string, WithStatus>();
  for (const ns of namespaces) {
    for (const o of await list<WithStatus>(bench, collectionPath(kind, ns))) {
      out.set(`${ns}/${o.metadata?.name}`, o);
    }
  }
  return out;
}

function changedFields(
  before: Map<string, WithStatus>,
  after: Map<string, WithStatus>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, a] of before) {
    const b = after.get(key);
    const fields = new Set([...Object.keys(a.status ?? {}), ...Object.keys(b?.status ?? {})]);
    for (const f of fields) {
      const x = a.status?.[f];
      const y = b?.status?.[f];
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      // One level deeper for objects (vaultClientMeta.id, …); lists (conditions) as a whole.
      const isMap = (v: unknown): v is Record<string, unknown> =>
        typeof v === "object" && v !== null && !Array.isArray(v);
      const subs =
        isMap(x) && isMap(y)
          ? [...new Set([...Object.keys(x), ...Object.keys(y)])]
              .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
              .map((k) => `${f}.${k}`)
          : [f];
      for (const sub of subs) out[sub] = (out[sub] ?? 0) + 1;
    }
  }
  return out;
}

export async function runRestart(
  bench: Bench,
  options: {
    label: string;
    namespaces: readonly string[];
    n: number;
    kind: "VaultStaticSecret" | "VaultPKISecret";
    timeoutMs: number;
  },
): Promise<{ result: RestartResult; operator: OperatorProcess }> {
  const queue = options.kind.toLowerCase();
  const watches = options.namespaces.map(
    (ns) => new ObjectWatch<SecretObject>(bench.kube, `/api/v1/namespaces/${ns}/secrets`),
  );
  for (const w of watches) await w.start();
  let changes = 0;
  for (const w of watches) w.on(() => changes++);
  const statusBefore = await statuses(bench, options.kind, options.namespaces);
  const before = await apiSnapshot(bench.env);
  const op = await startOperator(bench, { label: options.label, watchNamespaces: options.namespaces });
  try {
    const readyAt = await op.waitReady();
    const base = counters([]);
    let verifiedAt: number | undefined;
    let lastLog = performance.now();
    const deadline = performance.now() + options.timeoutMs;
    // The queue is FIFO and every key is added once when the controllers start; refreshes come back
    // no sooner than 0.8 × their interval, behind that backlog. So the first N reconciles are the N
    // objects (give or take the workers in flight), even when refreshes keep the queue from emptying.
    while (verifiedAt === undefined) {
      if (performance.now() > deadline) throw new Error(`restart (${options.label}): not verified in time`);
      let done = 0;
      try {
        done = counters(await op.metrics()).reconciles[queue] ?? 0;
      } catch {
        // metrics not up yet
      }
      if (done >= options.n) verifiedAt = performance.now();
      else {
        if (performance.now() - lastLog > 5000) {
          log(`  restart ${options.label}: ${done}/${options.n} reconciled`);
          lastLog = performance.now();
        }
        await sleep(200);
      }
    }
    // Anything a restart writes, it writes at once; give stragglers a moment.
    await sleep(3000);
    const after = await apiSnapshot(bench.env);
    const c = counterDelta(base, counters(await op.metrics()));
    const delta = apiDelta(before, after);
    const statusAfter = await statuses(bench, options.kind, options.namespaces);
    return {
      operator: op,
      result: {
        n: options.n,
        kind: options.kind,
        secondsToReady: round((readyAt - op.spawnedAt) / 1000, 2),
        secondsToVerified: round((verifiedAt - op.spawnedAt) / 1000, 2),
        apiWrites: apiWrites(delta),
        secretWrites: apiWrites(delta, (r) => r === "secrets"),
        secretChangesSeen: changes,
        vaultReads: c.vaultRead,
        vaultWrites: c.vaultWrite,
        vaultLogins: c.logins,
        identities: options.namespaces.length,
        certificatesIssued: c.certificatesIssued,
        syncWritten: c.syncWritten,
        syncFailures: c.syncFailures,
        statusFieldsChanged: changedFields(statusBefore, statusAfter),
        apiRequests: delta,
      },
    };
  } catch (error) {
    await op.stop();
    throw error;
  } finally {
    for (const w of watches) await w.stop();
  }
}
