// npm run bench [-- --quick | --full] [--only template,sync,steady,latency,instant,pki]
//
// Starts its own test environment ("bench": kube-apiserver + etcd, OpenBao, PostgreSQL from
// tools/testenv), runs Keyport as separate processes against it, measures, writes
// bench/results/<stamp>.{json,md} and two SVG plots, prints a summary, and always stops
// everything it started — on success, on failure and on Ctrl-C.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../tools/testenv/config.ts";
import { down, readVersions, status, up } from "../tools/testenv/environment.ts";
import { closeAgents } from "../tools/testenv/http.ts";
import { runInstant } from "./instant.ts";
import { runLatency } from "./latency.ts";
import { stopAllChildren } from "./lib/children.ts";
import { adminClient, type Bench, setUp } from "./lib/context.ts";
import { elapsedSeconds, log } from "./lib/log.ts";
import { operatorFlags, startOperator } from "./lib/operator.ts";
import { round } from "./lib/stats.ts";
import { runLimit } from "./limit.ts";
import { memoryPoint, sampleMemory } from "./memory.ts";
import { runPki } from "./pki.ts";
import { type Results, summary, units, writeResults } from "./report.ts";
import { runRestart } from "./restart.ts";
import { runSteady } from "./steady.ts";
import { countAborted, maxDistinctKvPaths, prepareSync, removeKv, runSync } from "./sync.ts";
import { runTemplate } from "./template.ts";

const envName = "bench";

const profiles = {
  quick: {
    // Under three minutes on 2 cores: small N, short windows. Figures for reports come from --full.
    syncN: [100, 500],
    // The limit is a rate: measured with at most this many objects, in this many rounds (median).
    limitMaxN: 500,
    limitRounds: 2,
    steady: { staticSecrets: 100, pkiSecrets: 10, dynamicSecrets: 5, windowSeconds: 20 },
    latency: { changeTrials: 12, repairTrials: 10 },
    instant: { n: 200, windowSeconds: 10, changeTrials: 10 },
    pki: { perCombo: 20, renewalCertificates: 10, renewalWindowSeconds: 25 },
    template: { seconds: 2 },
  },
  full: {
    syncN: [100, 1000, 5000, 10000],
    limitMaxN: 2000,
    limitRounds: 3,
    steady: { staticSecrets: 1000, pkiSecrets: 100, dynamicSecrets: 50, windowSeconds: 300 },
    latency: { changeTrials: 150, repairTrials: 100 },
    instant: { n: 1000, windowSeconds: 120, changeTrials: 100 },
    pki: { perCombo: 200, renewalCertificates: 50, renewalWindowSeconds: 120 },
    template: { seconds: 5 },
  },
};

const phases = ["template", "sync", "steady", "latency", "instant", "pki"] as const;
type Phase = (typeof phases)[number];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    full: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string", default: join(repoRoot, "bench", "results") },
    diagnose: { type: "boolean", default: false },
    "operator-node-args": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  process.stdout.write(
    "npm run bench [-- --quick | --full] [--only template,sync,steady,latency,instant,pki] [--out DIR]\n" +
      "  --quick (default) under 3 minutes; --full the issue's N values (about 25 minutes on 2 quiet cores)\n" +
      "  --diagnose: operators write CPU profiles, and a heap snapshot after each sync run, to the logs folder\n" +
      "  --operator-node-args='--max-semi-space-size=2 …': extra Node flags for the operator processes (experiments)\n",
  );
  process.exit(0);
}
if (values.quick && values.full) {
  process.stderr.write("choose --quick or --full\n");
  process.exit(2);
}
const quick = !values.full;
const profile = quick ? profiles.quick : profiles.full;
const only = new Set<Phase>(
  values.only === undefined ? phases : (values.only.split(",").map((s) => s.trim()) as Phase[]),
);
for (const p of only) {
  if (!phases.includes(p)) {
    process.stderr.write(`unknown phase ${p}; phases: ${phases.join(", ")}\n`);
    process.exit(2);
  }
}

const started = new Date();
const stamp = started
  .toISOString()
  .replace(/\.\d+Z$/, "Z")
  .replace(/[-:]/g, "");
const outDir = values.out;
const logDir = join(outDir, `${stamp}-logs`);
mkdirSync(logDir, { recursive: true });

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

const keyportVersion = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
).version;
const testenvVersions = readVersions();

const results: Results = {
  schema: 1,
  quick,
  startedAt: started.toISOString(),
  finishedAt: "",
  durationSeconds: 0,
  units,
  machine: {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    kernel: `Linux ${release()}`,
    loadAverageAtStart: loadavg().map((v) => round(v, 2)),
    loadAverageAtEnd: [],
    note: "Everything runs on this one machine: kube-apiserver, etcd, OpenBao, the operator and the bench itself share its cores, and on the reference machine other engineers' tests may run at the same time (see the load averages). Figures are what this machine delivered, not what a cluster would.",
  },
  versions: {
    node: process.version,
    keyport: keyportVersion,
    kubernetes: testenvVersions.K8S_VERSION ?? "",
    etcd: testenvVersions.ETCD_VERSION ?? "",
    openbao: testenvVersions.OPENBAO_VERSION ?? "",
    gitCommit: git(["rev-parse", "HEAD"]),
    srcDirty: git(["status", "--porcelain", "--", "src"]) !== "",
  },
  settings: {
    operatorFlags: { ...operatorFlags, watchNamespaces: "the operator namespace + the benchmark's own" },
    maxDistinctKvPaths,
    profile,
    harness:
      "Each benchmark starts its own `node src/cli/keyport.ts run` process with --watch-namespaces set to the operator namespace and its own namespaces, so objects left by earlier benchmarks neither load nor inflate it. The bench creates objects through the API with 50 requests in flight and observes results with its own list+watch, independent of the operator's caches. One Vault identity (kubernetes auth, ServiceAccount default) per namespace. VaultStaticSecret s-<i> reads kv-v2 secret p-<i mod 1000>, and each run deletes its secrets afterwards: OpenBao's dev-mode in-memory storage copies its whole tree on every transaction, so with tens of thousands of keys it serves only tens of kv-v2 reads per second, an artifact of the test server that would otherwise be measured instead of the operator.",
  },
  sync: [],
  limit: [],
  memory: { rssMiB1k: null, rssMiB10k: null, points: [] },
  restart: { secondsToVerified: null, n: null, runs: [] },
  errors: {},
};

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren();
    try {
      const stopped = await down(envName);
      if (stopped.length > 0) log(`environment "${envName}" stopped: ${stopped.join(", ")}`);
    } catch (error) {
      log(`could not stop environment "${envName}": ${(error as Error).message}`);
    }
  })();
  return cleaning;
}
let interrupted: string | undefined;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    interrupted = signal;
    log(`${signal}: stopping everything the bench started`);
    results.errors.bench = `interrupted by ${signal}; figures so far only`;
    void cleanup().finally(() => finish(130));
  });
}

/** Writes what was measured (also after an interruption), prints the summary, exits. */
function finish(code: number): never {
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = round(elapsedSeconds());
  results.machine.loadAverageAtEnd = loadavg().map((v) => round(v, 2));
  const files = writeResults(results, outDir, stamp);
  process.stdout.write(`${summary(results)}\n`);
  process.stdout.write(`\nwrote ${files.join(", ")} (operator logs in ${logDir})\n`);
  process.exit(code);
}

async function phase(name: string, fn: () => Promise<void>): Promise<void> {
  if (interrupted !== undefined) return;
  const t = performance.now();
  log(`${name}…`);
  try {
    await fn();
    log(`${name} done in ${Math.round((performance.now() - t) / 1000)} s`);
  } catch (error) {
    if (interrupted !== undefined) return;
    const message = (error as Error).message ?? String(error);
    results.errors[name] = message;
    log(`${name} FAILED: ${message}`);
  }
}

async function syncRuns(bench: Bench): Promise<void> {
  for (const n of profile.syncN) {
    await phase(`sync N=${n}`, async () => {
      const ns = `sync-${n}`;
      const fixture = await prepareSync(bench, ns, n);
      const op = await startOperator(bench, { label: `sync-${n}`, watchNamespaces: [ns] });
      let result: Awaited<ReturnType<typeof runSync>>;
      try {
        await op.waitReady();
        const baseline = await sampleMemory(op, 3000, 3);
        result = await runSync(bench, op, fixture);
        log(`  sync N=${n}: ${result.seconds} s (${result.perSecond}/s); sampling memory`);
        const loaded = await sampleMemory(op, 5000, 5);
        const point = memoryPoint(n, baseline, loaded);
        results.memory.points.push(point);
        if (n === 1000) results.memory.rssMiB1k = point.rssMiB;
        if (n === 10000) results.memory.rssMiB10k = point.rssMiB;
        if (values.diagnose) log(`  heap snapshot: ${await op.heapSnapshot()}`);
      } finally {
        await op.stop();
      }
      result.failedOnShutdown = await countAborted(bench, ns);
      // The limit, with the operator stopped; measured once with up to limitMaxN objects.
      const limitN = Math.min(n, profile.limitMaxN);
      let limit = results.limit.find((l) => l.n === limitN);
      if (limit === undefined) {
        log(
          `  limit: ${limitN} kv-v2 reads, Secret creates, and both, at concurrency ${operatorFlags.maxConcurrentReconciles}`,
        );
        limit = await runLimit(bench, String(limitN), fixture.paths.slice(0, limitN), profile.limitRounds);
        results.limit.push(limit);
      }
      result.limitN = limit.n;
      result.limitPerSecond = limit.limitPerSecond;
      result.pipelinePerSecond = limit.pipelinePerSecond;
      result.percentOfLimit = round((result.perSecond / limit.limitPerSecond) * 100);
      result.percentOfPipeline = round((result.perSecond / limit.pipelinePerSecond) * 100);
      results.sync.push(result);
      log(`  restart over ${n} synced objects`);
      const restart = await runRestart(bench, {
        label: `restart-${n}`,
        namespaces: [ns],
        n,
        kind: "VaultStaticSecret",
        timeoutMs: 120_000 + n * 100,
      });
      await restart.operator.stop();
      results.restart.runs.push(restart.result);
      results.restart.secondsToVerified = restart.result.secondsToVerified;
      results.restart.n = n;
      await removeKv(bench, fixture);
    });
  }
}

async function main(): Promise<number> {
  log(`Keyport bench, ${quick ? "quick" : "full"} run; results in ${outDir}/${stamp}.*`);
  if (only.has("template")) {
    // In process, before the servers start: the quietest moment of the run.
    await phase("template", async () => {
      results.template = runTemplate(profile.template);
    });
  }
  const needsEnv = [...only].some((p) => p !== "template");
  if (needsEnv) {
    if (status(envName).running.length > 0) {
      log(`a previous "${envName}" environment is still running: stopping it`);
      await down(envName);
    }
    log(`starting environment "${envName}" (tools/testenv)`);
    const env = await up({ name: envName, log: (line) => log(`  testenv: ${line}`) });
    log(`environment ready in ${env.startSeconds} s`);
    const bench: Bench = {
      env,
      kube: adminClient(env),
      operatorNamespace: "keyport-bench",
      vaultRole: "bench",
      logDir,
      quick,
      operatorNodeArgs: [
        ...(values.diagnose
          ? ["--cpu-prof", `--cpu-prof-dir=${logDir}`, "--heapsnapshot-signal=SIGUSR2"]
          : []),
        ...(values["operator-node-args"]?.split(/\s+/).filter((a) => a !== "") ?? []),
      ],
    };
    await setUp(bench);
    if (only.has("sync")) await syncRuns(bench);
    if (only.has("steady")) {
      await phase("steady", async () => {
        results.steady = await runSteady(bench, profile.steady);
      });
    }
    if (only.has("latency")) {
      await phase("latency", async () => {
        results.latency = await runLatency(bench, profile.latency);
      });
    }
    if (only.has("instant")) {
      await phase("instant", async () => {
        results.instant = await runInstant(bench, profile.instant);
      });
    }
    if (only.has("pki")) {
      await phase("pki", async () => {
        results.pki = await runPki(bench, profile.pki);
      });
    }
    await bench.kube.close();
  }
  return Object.keys(results.errors).length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  if (interrupted === undefined) {
    results.errors.bench = (error as Error).stack ?? String(error);
    log(`bench failed: ${(error as Error).message}`);
  }
} finally {
  await cleanup();
  await closeAgents();
}
if (interrupted === undefined) finish(code);
