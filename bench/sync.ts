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
  collectionPath,
  createAll,
  createNamespace,
  list,
  serverPids,
  vault,
  writeKv,
} from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { counterDelta, counters, type OperatorProcess } from "./lib/operator.ts";
import { cpuShares, cpuSnapshot } from "./lib/proc.ts";
import { forEachLimit, percentile, range, round } from "./lib/stats.ts";
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
  /**
   * VaultStaticSecrets whose status said SecretSynced=False ("aborted") after the operator that
   * synced them was stopped with SIGTERM: reconciles cut short by shutdown reported as failures.
   */
  failedOnShutdown?: number;
  /** Mean duration of one VaultStaticSecret reconcile during the run (operator's work-queue histogram). */
  meanReconcileMs: number;
  /** Percent of one core used during the run, per process (operator, servers, the bench itself). */
  cpuPercent: Record<string, number>;
  /** apiserver requests during the run, per object (every client; the bench's own creates included). */
  apiRequestsPerObject: Record<string, number>;
}

export interface SyncFixture {
  namespace: string;
  /** The kv-v2 path each object `s-<i>` reads (index i). */
  paths: string[];
  /** Distinct kv-v2 secrets written for this fixture. */
  distinctPaths: string[];
  expected: Map<string, string>;
}

/**
 * At most this many distinct kv-v2 secrets per fixture; object s-<i> reads secret p-<i mod 1000>.
 * OpenBao's dev-mode storage (in memory) copies its whole tree for every transaction, so each kv-v2
 * read costs time in proportion to every key stored: at ~20,000 keys it served 15 reads/s (81 % of
 * its CPU in TransactionalInmemBackend.BeginTx, sys/pprof). Keeping the store small measures the
 * operator, not that artifact. Keyport does not cache or coalesce reads by path, so shared paths
 * cost it exactly what distinct ones would.
 */
export const maxDistinctKvPaths = 1000;

/** Namespace and kv-v2 secrets for N objects (`s-<i>` ↔ `kvv2/bench/<ns>/p-<i mod 1000>`). */
export async function prepareSync(bench: Bench, namespace: string, n: number): Promise<SyncFixture> {
  await createNamespace(bench, namespace);
  const entries = range(Math.min(n, maxDistinctKvPaths)).map((j) => ({
    path: `bench/${namespace}/p-${j}`,
    data: {
      username: `user-${j}`,
      password: randomBytes(12).toString("base64url"),
      host: "db.example.com",
      port: "5432",
    },
  }));
  await writeKv(bench.env, entries);
  const expected = new Map<string, string>();
  const paths: string[] = [];
  for (const i of range(n)) {
    const entry = entries[i % entries.length] as (typeof entries)[number];
    expected.set(`s-${i}`, entry.data.password);
    paths.push(entry.path);
  }
  return { namespace, paths, distinctPaths: entries.map((e) => e.path), expected };
}

/** Deletes the fixture's kv-v2 secrets (all versions and metadata), keeping Vault's store small. */
export async function removeKv(bench: Bench, fixture: SyncFixture): Promise<void> {
  await forEachLimit(fixture.distinctPaths, 32, async (path) => {
    await vault(bench.env, "DELETE", `kvv2/metadata/${path}`);
  });
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

interface ConditionView {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** Objects whose SecretSynced condition is False with an "aborted" message. */
export async function countAborted(bench: Bench, namespace: string): Promise<number> {
  const items = await list<ConditionView>(bench, collectionPath("VaultStaticSecret", namespace));
  return items.filter((o) =>
    (o.status?.conditions ?? []).some(
      (c) => c.type === "SecretSynced" && c.status === "False" && /abort/i.test(c.message ?? ""),
    ),
  ).length;
}
