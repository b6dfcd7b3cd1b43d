// 2. The physical limit: a separate Node process (limit-worker.ts) with the operator's libraries
// and concurrency reads the same kv-v2 secrets and creates the same Secrets, with nothing else of
// ours running. The lower of the two rates is what an operator could at best reach here.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { exited, track } from "./lib/children.ts";
import { type Bench, createNamespace } from "./lib/context.ts";
import { operatorFlags } from "./lib/operator.ts";
import { median, range, round } from "./lib/stats.ts";
import type { LimitConfig, LimitOutput } from "./limit-worker.ts";

export interface LimitResult {
  n: number;
  concurrency: number;
  /** Each rate is the median over this many rounds (the machine is shared; single rounds vary). */
  rounds: number;
  vaultReadsPerSecond: number;
  secretCreatesPerSecond: number;
  /** read → render → HMAC → create, per object, all in one process. */
  pipelinePerSecond: number;
  /** The lower of the Vault and Kubernetes rates. */
  limitPerSecond: number;
  limitedBy: "vault" | "kubernetes";
  /** Every round's rates: [Vault reads/s, Secret creates/s, pipeline/s]. */
  perRound: [number, number, number][];
}

export async function runLimit(
  bench: Bench,
  label: string,
  paths: readonly string[],
  rounds: number,
): Promise<LimitResult> {
  const createNs = range(rounds).map((r) => `limit-${label}-create-${r}`);
  const pipelineNs = range(rounds).map((r) => `limit-${label}-pipeline-${r}`);
  const loginNs = `limit-${label}-login`;
  for (const ns of [...createNs, ...pipelineNs, loginNs]) await createNamespace(bench, ns);
  const config: LimitConfig = {
    kubeconfig: bench.env.kube.kubeconfig,
    vaultAddr: bench.env.vault.addr,
    role: bench.vaultRole,
    loginNamespace: loginNs,
    paths: [...paths],
    createNamespaces: createNs,
    pipelineNamespaces: pipelineNs,
    concurrency: operatorFlags.maxConcurrentReconciles,
  };
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, "limit-worker.ts"), JSON.stringify(config)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  track(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  await exited(child);
  if (child.exitCode !== 0)
    throw new Error(`limit worker failed (${child.exitCode}): ${stderr.slice(-2000)}`);
  const out = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as LimitOutput;
  const perRound = out.rounds.map(
    (r) => [out.n / r.vaultReadSeconds, out.n / r.kubeCreateSeconds, out.n / r.pipelineSeconds] as const,
  );
  const vault = median(perRound.map((r) => r[0]));
  const kube = median(perRound.map((r) => r[1]));
  return {
    n: out.n,
    concurrency: out.concurrency,
    rounds: perRound.length,
    vaultReadsPerSecond: round(vault),
    secretCreatesPerSecond: round(kube),
    pipelinePerSecond: round(median(perRound.map((r) => r[2]))),
    limitPerSecond: round(Math.min(vault, kube)),
    limitedBy: vault < kube ? "vault" : "kubernetes",
    perRound: perRound.map((r) => [round(r[0]), round(r[1]), round(r[2])]),
  };
}
