// The operator under test: `node src/cli/keyport.ts run` as its own process, exactly as users run
// it, with leader election off and the client-side rate limit raised out of the way.
import { spawn } from "node:child_process";
import { openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { operatorNodeFlags } from "../../src/cli/node-flags.ts";
import { repoRoot } from "../../tools/testenv/config.ts";
import { freePort } from "../../tools/testenv/ports.ts";
import { exited, stopChild, track } from "./children.ts";
import type { Bench } from "./context.ts";
import { type ProcSample, procSample } from "./proc.ts";
import { parseProm, type Sample, sumOf } from "./prom.ts";

/** What the bench passes to every operator it starts (reported with the results). */
export const operatorFlags = {
  kubeClientQps: 5000,
  kubeClientBurst: 10000,
  maxConcurrentReconciles: 100,
  leaderElect: false,
  /** Keyport's default scan interval for `instantUpdates`, spelled out so reports can quote it. */
  instantUpdatesIntervalSeconds: 4,
};

export interface OperatorProcess {
  label: string;
  pid: number;
  /** performance.now() just before spawn. */
  spawnedAt: number;
  metricsUrl: string;
  healthUrl: string;
  metrics(): Promise<Sample[]>;
  ready(): Promise<boolean>;
  waitReady(timeoutMs?: number): Promise<number>;
  proc(): ProcSample;
  /** Needs --heapsnapshot-signal=SIGUSR2 (bench --diagnose); resolves with the file written. */
  heapSnapshot(): Promise<string>;
  stop(): Promise<void>;
}

async function getText(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 30_000 });
  return { status: res.statusCode, text: await res.body.text() };
}

export async function startOperator(
  bench: Bench,
  options: { label: string; watchNamespaces: readonly string[] },
): Promise<OperatorProcess> {
  const health = await freePort();
  const metrics = await freePort();
  const args = [
    join(repoRoot, "src/cli/keyport.ts"),
    "run",
    `--kubeconfig=${bench.env.kube.kubeconfig}`,
    `--operator-namespace=${bench.operatorNamespace}`,
    `--leader-elect=${operatorFlags.leaderElect}`,
    `--kube-client-qps=${operatorFlags.kubeClientQps}`,
    `--kube-client-burst=${operatorFlags.kubeClientBurst}`,
    `--max-concurrent-reconciles=${operatorFlags.maxConcurrentReconciles}`,
    `--instant-updates-interval=${operatorFlags.instantUpdatesIntervalSeconds}s`,
    `--health-probe-bind-address=127.0.0.1:${health}`,
    `--metrics-bind-address=127.0.0.1:${metrics}`,
    `--watch-namespaces=${[bench.operatorNamespace, ...options.watchNamespaces].join(",")}`,
  ];
  const logFile = join(bench.logDir, `keyport-${options.label}.log`);
  const out = openSync(logFile, "a");
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...operatorNodeFlags, ...bench.operatorNodeArgs, ...args], {
    stdio: ["ignore", out, out],
    env: process.env,
    // Heap snapshots are written to the working directory.
    cwd: bench.logDir,
  });
  if (child.pid === undefined) throw new Error("could not start keyport");
  track(child);
  const pid = child.pid;
  const healthUrl = `http://127.0.0.1:${health}`;
  const metricsUrl = `http://127.0.0.1:${metrics}`;
  const dead = () => child.exitCode !== null || child.signalCode !== null;
  const op: OperatorProcess = {
    label: options.label,
    pid,
    spawnedAt,
    metricsUrl,
    healthUrl,
    metrics: async () => parseProm((await getText(`${metricsUrl}/metrics`)).text),
    ready: async () => {
      try {
        return (await getText(`${healthUrl}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    waitReady: async (timeoutMs = 60_000) => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (dead()) throw new Error(`keyport (${options.label}) exited; see ${logFile}`);
        if (await op.ready()) return performance.now();
        await sleep(50);
      }
      throw new Error(`keyport (${options.label}) not ready in ${timeoutMs} ms; see ${logFile}`);
    },
    proc: () => procSample(pid),
    heapSnapshot: async () => {
      const mine = () =>
        readdirSync(bench.logDir).filter((f) => f.includes(`.${pid}.`) && f.endsWith(".heapsnapshot"));
      const known = new Set(mine());
      child.kill("SIGUSR2");
      const deadline = performance.now() + 300_000;
      let last = -1;
      while (performance.now() < deadline) {
        await sleep(1000);
        const file = mine().find((f) => !known.has(f));
        if (file === undefined) continue;
        const size = statSync(join(bench.logDir, file)).size;
        if (size > 0 && size === last) return join(bench.logDir, file);
        last = size;
      }
      throw new Error("no heap snapshot written");
    },
    stop: async () => {
      await stopChild(child, 35_000);
      await exited(child);
    },
  };
  return op;
}

/** The operator's own counters, summed the way the report needs them. */
export interface OperatorCounters {
  vaultRead: number;
  vaultWrite: number;
  vaultLogin: number;
  vaultErrors: number;
  logins: number;
  syncWritten: number;
  syncUnchanged: number;
  syncFailures: number;
  certificatesIssued: number;
  certificateErrors: number;
  kubeApiErrors: number;
  reconciles: Record<string, number>;
  /** Seconds spent reconciling, per queue (workqueue_work_duration_seconds_sum). */
  reconcileSeconds: Record<string, number>;
  queueDepth: Record<string, number>;
}

export function counters(samples: readonly Sample[]): OperatorCounters {
  const byQueue = (metric: string) => {
    const out: Record<string, number> = {};
    for (const s of samples) {
      if (s.name === metric && s.labels.name !== undefined)
        out[s.labels.name] = (out[s.labels.name] ?? 0) + s.value;
    }
    return out;
  };
  return {
    vaultRead: sumOf(samples, "vso_client_operations_total", { operation: "read" }),
    vaultWrite: sumOf(samples, "vso_client_operations_total", { operation: "write" }),
    vaultLogin: sumOf(samples, "vso_client_operations_total", { operation: "login" }),
    vaultErrors: sumOf(samples, "vso_client_operations_errors_total"),
    logins: sumOf(samples, "keyport_vault_logins_total"),
    syncWritten: sumOf(samples, "keyport_sync_operations_total", { result: "written" }),
    syncUnchanged: sumOf(samples, "keyport_sync_operations_total", { result: "unchanged" }),
    syncFailures: sumOf(samples, "keyport_sync_failures_total"),
    certificatesIssued: sumOf(samples, "keyport_certificate_issuances_total"),
    certificateErrors: sumOf(samples, "keyport_certificate_issuance_errors_total"),
    kubeApiErrors: sumOf(samples, "keyport_kube_api_errors_total"),
    reconciles: byQueue("workqueue_work_duration_seconds_count"),
    reconcileSeconds: byQueue("workqueue_work_duration_seconds_sum"),
    queueDepth: byQueue("workqueue_depth"),
  };
}

export function counterDelta(a: OperatorCounters, b: OperatorCounters): OperatorCounters {
  const sub = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(Object.keys(y).map((k) => [k, (y[k] ?? 0) - (x[k] ?? 0)]));
  return {
    vaultRead: b.vaultRead - a.vaultRead,
    vaultWrite: b.vaultWrite - a.vaultWrite,
    vaultLogin: b.vaultLogin - a.vaultLogin,
    vaultErrors: b.vaultErrors - a.vaultErrors,
    logins: b.logins - a.logins,
    syncWritten: b.syncWritten - a.syncWritten,
    syncUnchanged: b.syncUnchanged - a.syncUnchanged,
    syncFailures: b.syncFailures - a.syncFailures,
    certificatesIssued: b.certificatesIssued - a.certificatesIssued,
    certificateErrors: b.certificateErrors - a.certificateErrors,
    kubeApiErrors: b.kubeApiErrors - a.kubeApiErrors,
    reconciles: sub(a.reconciles, b.reconciles),
    reconcileSeconds: sub(a.reconcileSeconds, b.reconcileSeconds),
    queueDepth: b.queueDepth,
  };
}

/** Samples RSS and CPU every `everyMs` until stopped; returns the samples. */
export function sampleProcess(op: OperatorProcess, everyMs: number): { stop(): ProcSample[] } {
  const samples: ProcSample[] = [];
  const take = () => {
    try {
      samples.push(op.proc());
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
