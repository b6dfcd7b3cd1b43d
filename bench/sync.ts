// 1. Sync throughput: N VaultStaticSecrets created at once (their kv-v2 secrets already in Vault)
// → seconds until every destination Secret holds the right data, seen through the bench's own
// watch on Secrets with the managed label.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { managedSecretSelector } from "../src/sync/ownership.ts";
import {
  type ApiCounts,
  apiDelta,
  apiSnapshot,
  apiVersion,
  type Bench,
  createAll,
  createNamespace,
  serverPids,
  writeKv,
} from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { counterDelta, counters, type OperatorProcess } from "./lib/operator.ts";
import { cpuShares, cpuSnapshot } from "./lib/proc.ts";
import { percentile, range, round } from "./lib/stats.ts";
import { allPass, decoded, ObjectWatch, type SecretObject } from "./lib/watch.ts";

export interface SyncResult {
  n: number;
  /** From the first create request until the last destination Secret held the right data. */
  seconds: number;
  perSecond: number;
  /** How long the bench took to create the N objects (part of `seconds`). */
  createSeconds: number;
  /** Seconds until half, and 90 %, of the Secrets were right. */
  p50Seconds: number;
  p90Seconds: number;
  /** The limit measured for this run (with `limitN` objects; capped for the largest N). */
  limitN?: number;
  limitPerSecond?: number;
  pipelinePerSecond?: number;
  percentOfLimit?: number;
  percentOfPipeline?: number;
  vaultReads: number;
  vaultLogins: number;
  syncFailures: number;
  /** Mean duration of one VaultStaticSecret reconcile during the run (operator's work-queue histogram). */
  meanReconcileMs: number;
  /** Percent of one core used during the run, per process (operator, servers, the bench itself). */
  cpuPercent: Record<string, number>;
  /** apiserver requests during the run, per object (every client; the bench's own creates included). */
  apiRequestsPerObject: Record<string, number>;
}

export interface SyncFixture {
  namespace: string;
  paths: string[];
  expected: Map<string, string>;
}

/** Namespace and kv-v2 secrets for N objects (`s-<i>` ↔ `kvv2/bench/<ns>/s-<i>`). */
export async function prepareSync(bench: Bench, namespace: string, n: number): Promise<SyncFixture> {
  await createNamespace(bench, namespace);
  const expected = new Map<string, string>();
  const entries = range(n).map((i) => {
    const password = randomBytes(12).toString("base64url");
    expected.set(`s-${i}`, password);
    return {
      path: `bench/${namespace}/s-${i}`,
      data: { username: `user-${i}`, password, host: "db.example.com", port: "5432" },
    };
  });
  await writeKv(bench.env, entries);
  return { namespace, paths: entries.map((e) => e.path), expected };
}

export function staticSecret(
  namespace: string,
  name: string,
  path: string,
  extra: Record<string, unknown> = {},
) {
  return {
    apiVersion,
    kind: "VaultStaticSecret",
    metadata: { name, namespace },
    spec: { type: "kv-v2", mount: "kvv2", path, destination: { name, create: true }, ...extra },
  };
}

function perObject(delta: ApiCounts, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(delta)
      .filter(([k]) => !k.startsWith("WATCH "))
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, round(v / n, 2)]),
  );
}

export async function runSync(bench: Bench, op: OperatorProcess, fixture: SyncFixture): Promise<SyncResult> {
  const { namespace, expected } = fixture;
  const n = expected.size;
  const watch = new ObjectWatch<SecretObject>(
    bench.kube,
    `/api/v1/namespaces/${namespace}/secrets`,
    managedSecretSelector,
  );
  await watch.start();
  try {
    const names = [...expected.keys()];
    const tracker = allPass(
      watch,
      names,
      (s) => decoded(s, "password") === expected.get(s.metadata?.name ?? ""),
      120_000 + n * 100,
      "destination Secrets",
    );
    const apiBefore = await apiSnapshot(bench.env);
    const before = counters(await op.metrics());
    const progress = setInterval(() => log(`  sync ${n}: ${n - tracker.pending()}/${n} in sync`), 5000);
    const pids = { ...serverPids(bench.env), operator: op.pid };
    const cpuBefore = cpuSnapshot(pids);
    const started = performance.now();
    let createSeconds: number;
    let done: Map<string, number>;
    try {
      createSeconds = await createAll(
        bench,
        names.map((name, i) => staticSecret(namespace, name, fixture.paths[i] as string)),
      );
      done = await tracker.done;
    } finally {
      clearInterval(progress);
    }
    const cpuAfter = cpuSnapshot(pids);
    const times = [...done.values()].map((t) => (t - started) / 1000);
    const seconds = Math.max(...times);
    await sleep(500);
    const c = counterDelta(before, counters(await op.metrics()));
    const delta = apiDelta(apiBefore, await apiSnapshot(bench.env));
    return {
      n,
      seconds: round(seconds, 2),
      perSecond: round(n / seconds),
      createSeconds: round(createSeconds, 2),
      p50Seconds: round(percentile(times, 50), 2),
      p90Seconds: round(percentile(times, 90), 2),
      vaultReads: c.vaultRead,
      vaultLogins: c.logins,
      syncFailures: c.syncFailures,
      meanReconcileMs: round(
        ((c.reconcileSeconds.vaultstaticsecret ?? 0) / Math.max(1, c.reconciles.vaultstaticsecret ?? 0)) *
          1000,
      ),
      cpuPercent: cpuShares(cpuBefore, cpuAfter),
      apiRequestsPerObject: perObject(delta, n),
    };
  } finally {
    await watch.stop();
  }
}
