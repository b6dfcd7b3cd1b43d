// Issue 11: how fast Keyport learns that a KV v2 secret changed with `instantUpdates: true` on a
// server without event notifications, and what that costs Vault. N VaultStaticSecrets under one
// folder, one identity; Vault requests are counted by OpenBao's own file audit device (every request
// the operator's token makes, by path), not by the operator's metrics. The baseline is VSO's
// polling: one full read per secret per minute.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { managedSecretSelector } from "../src/sync/ownership.ts";
import { type Bench, collectionPath, createAll, createNamespace, vault, writeKv } from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { operatorFlags, startOperator } from "./lib/operator.ts";
import { forEachLimit, range, round, type Summary, summarize } from "./lib/stats.ts";
import { auditMark, countByKind, requestsSince } from "./lib/vault-audit.ts";
import { allPass, decoded, ObjectWatch, type SecretObject } from "./lib/watch.ts";
import { staticSecret } from "./sync.ts";

export interface InstantResult {
  n: number;
  /** The operator's --instant-updates-interval. */
  scanIntervalSeconds: number;
  windowSeconds: number;
  /** Every request the operator's tokens made in the quiet window, per second (audit device). */
  vaultRequestsPerSecond: number;
  /** The same, by operation and path shape (`list kvv2/detailed-metadata/…`). */
  requestsByKind: Record<string, number>;
  /** VSO without events: one read per secret per minute. */
  pollingRequestsPerSecond: number;
  /** pollingRequestsPerSecond / vaultRequestsPerSecond. */
  fewerRequestsFactor: number;
  changeP50Ms: number;
  changeP99Ms: number;
  change: Summary;
  samples: number[];
}

export async function runInstant(
  bench: Bench,
  options: { n: number; windowSeconds: number; changeTrials: number },
): Promise<InstantResult> {
  const ns = "instant";
  const { n } = options;
  await createNamespace(bench, ns);
  const folder = `bench/${ns}/apps`;
  const current = new Map<string, string>();
  const names = range(n).map((i) => `i-${i}`);
  for (const name of names) current.set(name, randomBytes(9).toString("base64url"));
  await writeKv(
    bench.env,
    names.map((name) => ({ path: `${folder}/${name}`, data: { password: current.get(name) as string } })),
  );
  const op = await startOperator(bench, { label: "instant", watchNamespaces: [ns] });
  const watch = new ObjectWatch<SecretObject>(
    bench.kube,
    collectionPath("Secret", ns),
    managedSecretSelector,
  );
  try {
    await op.waitReady();
    await watch.start();
    const synced = allPass(
      watch,
      names,
      (s) => decoded(s, "password") === current.get(s.metadata?.name ?? ""),
      300_000,
      "instant-update Secrets",
    );
    await createAll(
      bench,
      names.map((name) =>
        staticSecret(ns, name, `${folder}/${name}`, { syncConfig: { instantUpdates: true } }),
      ),
    );
    await synced.done;
    log(`  instant: ${n} objects synced; ${options.windowSeconds} s quiet window`);
    // Let the first scans settle, then count a window with nothing changing.
    await sleep(5_000);
    const mark = auditMark(bench);
    const t0 = performance.now();
    await sleep(options.windowSeconds * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const quiet = requestsSince(bench, mark);
    const requestsByKind = countByKind(quiet);

    log(`  instant: ${options.changeTrials} KV writes`);
    const samples: number[] = [];
    // A few writers at random phases of the scan cycle, each on its own secrets.
    const writers = 5;
    await forEachLimit(range(writers), writers, async (w) => {
      for (let t = w; t < options.changeTrials; t += writers) {
        await sleep(Math.random() * 3_000);
        const name = `i-${(t * 7919) % n}`;
        const value = randomBytes(9).toString("base64url");
        const seen = watch.until(
          (e) =>
            e.type !== "DELETED" &&
            e.object.metadata?.name === name &&
            decoded(e.object, "password") === value,
          60_000,
          `${name} to follow Vault`,
        );
        const started = performance.now();
        await vault(bench.env, "POST", `kvv2/data/${folder}/${name}`, { data: { password: value } });
        current.set(name, value);
        samples.push((await seen).at - started);
      }
    });
    const change = summarize(samples);
    const perSecond = quiet.length / seconds;
    const polling = n / 60;
    return {
      n,
      scanIntervalSeconds: operatorFlags.instantUpdatesIntervalSeconds,
      windowSeconds: round(seconds, 1),
      vaultRequestsPerSecond: round(perSecond, 3),
      requestsByKind,
      pollingRequestsPerSecond: round(polling, 2),
      fewerRequestsFactor: perSecond === 0 ? Number.POSITIVE_INFINITY : round(polling / perSecond, 1),
      changeP50Ms: round(change.p50, 0),
      changeP99Ms: round(change.p99, 0),
      change,
      samples: samples.map((s) => round(s, 1)),
    };
  } finally {
    await watch.stop();
    await op.stop();
  }
}
