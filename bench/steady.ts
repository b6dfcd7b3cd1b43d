// 3. Steady state: N VaultStaticSecrets (VSO's default cadence: no refreshAfter, so a re-read
// about once a minute) and some long-lived VaultPKISecrets, all synced, then left alone. What
// does that cost per second in Vault requests, API writes, CPU and memory?
import { setTimeout as sleep } from "node:timers/promises";
import { managedSecretSelector } from "../src/sync/ownership.ts";
import {
  type ApiCounts,
  apiDelta,
  apiReads,
  apiSnapshot,
  apiVersion,
  apiWrites,
  type Bench,
  collectionPath,
  createAll,
} from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { counterDelta, counters, sampleProcess, startOperator } from "./lib/operator.ts";
import { cpuPercent } from "./lib/proc.ts";
import { MiB, range, round } from "./lib/stats.ts";
import { auditMark, countByKind, requestsSince } from "./lib/vault-audit.ts";
import { allPass, decoded, ObjectWatch, type SecretObject } from "./lib/watch.ts";
import { pkiSecret } from "./pki-fixtures.ts";
import { prepareSync, staticSecret } from "./sync.ts";

export interface SteadyResult {
  staticSecrets: number;
  pkiSecrets: number;
  /** VaultDynamicSecrets (PostgreSQL, 1 h leases): nothing falls due in the window. */
  dynamicSecrets: number;
  windowSeconds: number;
  vaultCallsPerSecond: number;
  vaultReadsPerSecond: number;
  /** Static secrets re-read per minute, as a share of all static secrets (VSO's cadence: ~1/min). */
  kvReadsPerObjectPerMinute: number;
  /** Vault writes (PKI issue/sign; token renewals would count too) during the window. */
  pkiVaultCalls: number;
  certificatesIssued: number;
  /** Vault requests on sys/leases/* and database/* in the window (OpenBao's audit log). */
  leaseVaultCalls: number | null;
  /** Every request the operator's tokens made in the window, by kind (OpenBao's audit log). */
  vaultRequestsByKind: Record<string, number>;
  vaultLogins: number;
  apiWritesPerSecond: number;
  apiWrites: number;
  /** GET/LIST requests per second (every client; the bench itself only watches). */
  apiReadsPerSecond: number;
  /** Changes to Secrets and to the custom resources seen by the bench's watch (resourceVersion moves). */
  objectChangesSeen: number;
  cpuPercentOfOneCore: number;
  rssMiBMean: number;
  rssMiBMax: number;
  apiRequests: ApiCounts;
}

export async function runSteady(
  bench: Bench,
  options: { staticSecrets: number; pkiSecrets: number; dynamicSecrets: number; windowSeconds: number },
): Promise<SteadyResult> {
  const ns = "steady";
  const fixture = await prepareSync(bench, ns, options.staticSecrets);
  const op = await startOperator(bench, { label: "steady", watchNamespaces: [ns] });
  const secrets = new ObjectWatch<SecretObject>(
    bench.kube,
    collectionPath("Secret", ns),
    managedSecretSelector,
  );
  const vss = new ObjectWatch(bench.kube, collectionPath("VaultStaticSecret", ns));
  const vps = new ObjectWatch(bench.kube, collectionPath("VaultPKISecret", ns));
  try {
    await op.waitReady();
    for (const w of [secrets, vss, vps]) await w.start();
    const staticNames = [...fixture.expected.keys()];
    const pkiNames = range(options.pkiSecrets).map((i) => `cert-${i}`);
    const dynamicNames = range(options.dynamicSecrets).map((i) => `db-${i}`);
    const synced = allPass(
      secrets,
      [...staticNames, ...pkiNames, ...dynamicNames],
      (s) => {
        const name = s.metadata?.name ?? "";
        if (name.startsWith("cert-")) return decoded(s, "tls.crt") !== undefined;
        if (name.startsWith("db-")) return decoded(s, "username") !== undefined;
        return decoded(s, "password") === fixture.expected.get(name);
      },
      180_000 + options.staticSecrets * 60,
      "steady-state Secrets",
    );
    await createAll(bench, [
      ...staticNames.map((name, i) => staticSecret(ns, name, fixture.paths[i] as string)),
      ...pkiNames.map((name) => pkiSecret(ns, name, { mode: "issue", algorithm: "RSA", ttl: "24h" })),
      ...dynamicNames.map((name) => ({
        apiVersion,
        kind: "VaultDynamicSecret",
        metadata: { name, namespace: ns },
        spec: { mount: "database", path: "creds/app", destination: { name, create: true } },
      })),
    ]);
    await synced.done;
    log(
      `  steady: ${options.staticSecrets} + ${options.pkiSecrets} + ${options.dynamicSecrets} synced; settling, then ${options.windowSeconds} s alone`,
    );
    await sleep(5000);
    let changes = 0;
    const offs = [secrets, vss, vps].map((w) => w.on(() => changes++));
    const apiBefore = await apiSnapshot(bench.env);
    const auditFrom = auditMark(bench);
    const before = counters(await op.metrics());
    const sampler = sampleProcess(op, 2000);
    const started = performance.now();
    await sleep(options.windowSeconds * 1000);
    const samples = sampler.stop();
    const seconds = (performance.now() - started) / 1000;
    const c = counterDelta(before, counters(await op.metrics()));
    const delta = apiDelta(apiBefore, await apiSnapshot(bench.env));
    const vaultRequests = requestsSince(bench, auditFrom);
    for (const off of offs) off();
    const first = samples[0];
    const last = samples[samples.length - 1];
    const rss = samples.map((s) => s.rssBytes);
    const vaultCalls = c.vaultRead + c.vaultWrite + c.vaultLogin;
    const writes = apiWrites(delta);
    return {
      staticSecrets: options.staticSecrets,
      pkiSecrets: options.pkiSecrets,
      windowSeconds: round(seconds),
      vaultCallsPerSecond: round(vaultCalls / seconds, 2),
      vaultReadsPerSecond: round(c.vaultRead / seconds, 2),
      kvReadsPerObjectPerMinute: round(c.vaultRead / options.staticSecrets / (seconds / 60), 2),
      pkiVaultCalls: c.vaultWrite,
      certificatesIssued: c.certificatesIssued,
      dynamicSecrets: options.dynamicSecrets,
      leaseVaultCalls: vaultRequests.filter((r) => /^(sys\/leases\/|database\/)/.test(r.path)).length,
      vaultRequestsByKind: countByKind(vaultRequests),
      vaultLogins: c.logins,
      apiWritesPerSecond: round(writes / seconds, 3),
      apiWrites: writes,
      apiReadsPerSecond: round(apiReads(delta) / seconds, 2),
      objectChangesSeen: changes,
      cpuPercentOfOneCore: first && last ? round(cpuPercent(first, last), 2) : Number.NaN,
      rssMiBMean: round(rss.reduce((a, b) => a + b, 0) / rss.length / MiB),
      rssMiBMax: round(Math.max(...rss) / MiB),
      apiRequests: delta,
    };
  } finally {
    for (const w of [secrets, vss, vps]) await w.stop();
    await op.stop();
  }
}
