// Issue 9, item 9: at least 1,000 generated hostile resources (test/support/hostile/generate.ts:
// wrong types, huge strings, unicode, deep nesting, edge numbers, bad durations and regular
// expressions, template injection, hostile references), applied through the API with bounded
// concurrency. Each must be refused by the apiserver (CRD schema, CEL, size limits) or, once
// stored, reported by the operator as a condition. The operator never crashes (same PID, /healthz
// answers, no unhandled rejection in its log) and its memory stays bounded (RSS from /proc).
//
// KEYPORT_FUZZ_SEED (default 9) and KEYPORT_FUZZ_COUNT (default 1000) reproduce or enlarge a run.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { KubeApiError } from "../../../src/kube/errors.ts";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import { type Generated, generateHostile, ideas } from "../../support/hostile/generate.ts";
import { assertSurvived, crashSignals, rssKiB } from "../../support/hostile/operator-health.ts";
import { plurals, type StatusView } from "../../support/hostile/resources.ts";
import { kubernetesRole, prepare, scenario, start, teardown } from "../../support/hostile/scenario.ts";
import { recordSecretValues } from "../../support/hostile/secrecy.ts";
import { type KeyportProcess, kubectl, sleep, uniqueName, vault } from "../../support/keyport.ts";
import { adminClient } from "../../support/kube.ts";
import { applyAll, resource } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const seed = Number(process.env.KEYPORT_FUZZ_SEED ?? 9);
const count = Number(process.env.KEYPORT_FUZZ_COUNT ?? 1000);
const concurrency = 8;
/**
 * Memory bounds. The stored hostile resources (tens of MiB of huge strings and templates) sit in
 * the operator's caches for as long as they exist, and V8 returns memory to the system lazily: the
 * RSS may grow while they exist (at most 512 MiB over the settled operator, never past 1 GiB), and
 * once they are deleted the JavaScript heap must come back to within 128 MiB of where it started —
 * what is deleted is released, nothing leaks per resource.
 */
const rssGrowthLimitKiB = 512 * 1024;
const rssPeakLimitKiB = 1024 * 1024;
const heapReturnLimitBytes = 128 * 1024 * 1024;
let heapBefore = 0;

async function heapUsed(): Promise<number> {
  const text = await keyport.metrics();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

function deleteAll(): Promise<unknown> {
  kubectl(["-n", ns, "delete", Object.values(plurals).join(","), "--all", "--wait=false"]);
  return eventually(
    () => kubectl(["-n", ns, "get", Object.values(plurals).join(","), "-o", "name"]).trim() === "",
    { timeoutMs: 120_000, intervalMs: 1_000, message: "every fuzz resource deleted" },
  );
}

const s = scenario("fuzz", 1);
const ns = s.namespaces[0] as string;
const kv = uniqueName("hostile-fuzz");
const role = uniqueName("hostile-fuzz");
let keyport: KeyportProcess;
let client: KubeClient;
let pid: number | undefined;
let rssBefore = 0;
let rssPeak = 0;

type Outcome =
  | { kind: "rejected"; status: number; reason: string }
  | { kind: "accepted" }
  | { kind: "error"; message: string };

const outcomes = new Map<number, Outcome>();
let generated: Generated[] = [];

async function applyOne(g: Generated): Promise<Outcome> {
  const path = `/apis/secrets.hashicorp.com/v1beta1/namespaces/${ns}/${plurals[g.kind].split(".")[0]}`;
  try {
    await client.post(path, {
      apiVersion: "secrets.hashicorp.com/v1beta1",
      kind: g.kind,
      metadata: { ...g.metadata, name: g.name, namespace: ns },
      spec: g.spec,
    });
    return { kind: "accepted" };
  } catch (error) {
    if (error instanceof KubeApiError && error.status >= 400 && error.status < 500) {
      return { kind: "rejected", status: error.status, reason: error.reason };
    }
    return { kind: "error", message: (error as Error).message.slice(0, 300) };
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function bounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** Stored resources of one kind in the fuzz namespace, by name. */
async function stored(kind: keyof typeof plurals): Promise<Map<string, StatusView>> {
  const list = await client.get<{ items: Array<StatusView & { metadata: { name: string } }> }>(
    `/apis/secrets.hashicorp.com/v1beta1/namespaces/${ns}/${plurals[kind].split(".")[0]}`,
  );
  return new Map(list.items.map((i) => [i.metadata.name, i]));
}

/** A stored resource the operator has reported on: a condition, or a SecretTransformation's verdict. */
function reported(view: StatusView | undefined): boolean {
  return (view?.status?.conditions?.length ?? 0) > 0 || typeof view?.status?.valid === "boolean";
}

function sampleRss(): void {
  if (pid !== undefined) rssPeak = Math.max(rssPeak, rssKiB(pid));
}

before(async () => {
  prepare(s);
  s.vaultCleanup.push(`kvv2/metadata/${kv}`);
  await kubernetesRole(s, role, [ns], { policies: ["keyport"] });
  const value = `fuzz-${uniqueName("v")}-${Math.random().toString(36).slice(2)}`;
  recordSecretValues(testEnv().runDir, [{ value, origin: "fuzz.test.ts KV value" }]);
  await vault("POST", `kvv2/data/${kv}/fuzz`, { data: { value, other: "x" } });
  applyAll(
    resource("VaultConnection", ns, "vault", { address: testEnv().vault.addr }),
    resource("VaultAuth", ns, "auth", {
      vaultConnectionRef: "vault",
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
  );
  client = adminClient();
  keyport = await start(s);
  pid = keyport.child.pid;
  await sleep(2_000);
  rssBefore = rssKiB(pid as number);
  rssPeak = rssBefore;
  heapBefore = await heapUsed();
  generated = generateHostile(seed, count, {
    vaultAddress: testEnv().vault.addr,
    kvMount: "kvv2",
    kvPath: `${kv}/fuzz`,
    pkiMount: "pki_int",
    pkiRole: "example-dot-com",
    databaseMount: "database",
    databaseRole: "app",
    vaultAuth: "auth",
    kubernetesRole: role,
  });
});

after(async () => {
  // Deleting through the operator (it removes its finalizers, revokes leases and certificates)
  // is part of the test: a hostile resource must not block its own deletion.
  try {
    await deleteAll();
  } catch (error) {
    process.stderr.write(`fuzz cleanup: ${(error as Error).message}\n`);
  }
  await teardown(s);
  await client?.close();
  await closeAgents();
});

describe(`${count} hostile resources (seed ${seed})`, () => {
  test("each is refused by the apiserver or stored", async (t) => {
    const sampler = setInterval(sampleRss, 1_000);
    const started = Date.now();
    try {
      await bounded(generated, concurrency, async (g) => {
        outcomes.set(g.index, await applyOne(g));
      });
    } finally {
      clearInterval(sampler);
    }
    const errors = generated.filter((g) => outcomes.get(g.index)?.kind === "error");
    const rejected = generated.filter((g) => outcomes.get(g.index)?.kind === "rejected");
    t.diagnostic(
      `${generated.length} applied in ${Date.now() - started} ms: ${rejected.length} refused by the apiserver, ${generated.length - rejected.length - errors.length} stored`,
    );
    for (const idea of ideas) {
      const mine = generated.filter((g) => g.ideas[0] === idea.name);
      const refused = mine.filter((g) => outcomes.get(g.index)?.kind === "rejected").length;
      t.diagnostic(
        `  ${idea.name}: ${mine.length} generated, ${refused} refused, ${mine.length - refused} stored`,
      );
    }
    const statuses = new Map<string, number>();
    for (const g of rejected) {
      const o = outcomes.get(g.index) as { status: number; reason: string };
      statuses.set(`${o.status} ${o.reason}`, (statuses.get(`${o.status} ${o.reason}`) ?? 0) + 1);
    }
    t.diagnostic(`  refusals: ${[...statuses].map(([k, v]) => `${k} ×${v}`).join(", ")}`);
    assert.ok(generated.length >= 1000 || count < 1000, "at least 1,000 resources");
    assert.deepEqual(
      errors.map((g) => `${g.description}: ${(outcomes.get(g.index) as { message: string }).message}`),
      [],
      "every request got an answer from the apiserver (no 5xx, no dropped connection)",
    );
  });

  test("every stored one is reported on by the operator", async (t) => {
    const accepted = generated.filter((g) => outcomes.get(g.index)?.kind === "accepted");
    const sampler = setInterval(sampleRss, 1_000);
    let missing: Generated[] = [];
    const started = Date.now();
    try {
      await eventually(
        async () => {
          const byKind = new Map<string, Map<string, StatusView>>();
          for (const kind of new Set(accepted.map((g) => g.kind))) byKind.set(kind, await stored(kind));
          missing = accepted.filter((g) => !reported(byKind.get(g.kind)?.get(g.name)));
          return missing.length === 0;
        },
        { timeoutMs: 180_000, intervalMs: 2_000, message: "a condition on every stored resource" },
      );
    } catch (error) {
      (error as Error).message += `; ${missing.length} without a report, e.g. ${missing
        .slice(0, 5)
        .map((g) => g.description)
        .join(" | ")}`;
      throw error;
    } finally {
      clearInterval(sampler);
    }
    let healthy = 0;
    let failed = 0;
    const reasons = new Map<string, number>();
    for (const kind of new Set(accepted.map((g) => g.kind))) {
      for (const [, view] of await stored(kind)) {
        const bad = view.status?.conditions?.find((c) => c.status === "False");
        if (bad !== undefined || view.status?.valid === false) {
          failed++;
          const reason = bad?.reason ?? "invalid";
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        } else {
          healthy++;
        }
      }
    }
    t.diagnostic(
      `${accepted.length} stored, all reported within ${Date.now() - started} ms: ${failed} with a False condition, ${healthy} working`,
    );
    t.diagnostic(`  reasons: ${[...reasons].map(([k, v]) => `${k} ×${v}`).join(", ")}`);
  });

  test("the operator never crashed, answers /healthz, and its memory stayed bounded", async (t) => {
    await sleep(5_000);
    sampleRss();
    const rssAfter = rssKiB(pid as number);
    t.diagnostic(
      `RSS ${Math.round(rssBefore / 1024)} MiB settled, ${Math.round(rssPeak / 1024)} MiB at the peak, ${Math.round(rssAfter / 1024)} MiB after`,
    );
    await assertSurvived(keyport, pid);
    assert.deepEqual(crashSignals(keyport.output()), []);
    assert.ok(
      rssAfter - rssBefore < rssGrowthLimitKiB,
      `settled RSS grew by ${Math.round((rssAfter - rssBefore) / 1024)} MiB (limit ${rssGrowthLimitKiB / 1024} MiB)`,
    );
    assert.ok(rssPeak < rssPeakLimitKiB, `RSS peaked at ${Math.round(rssPeak / 1024)} MiB (limit 1 GiB)`);
    const logBytes = Buffer.byteLength(keyport.output());
    t.diagnostic(`operator log: ${Math.round(logBytes / 1024)} KiB`);
  });

  test("deleted, every hostile resource goes (finalizers removed by the operator) and its memory is released", async (t) => {
    const started = Date.now();
    await deleteAll();
    t.diagnostic(`all deleted through the operator in ${Date.now() - started} ms`);
    let heap = Number.NaN;
    await eventually(
      async () => {
        heap = await heapUsed();
        return heap - heapBefore < heapReturnLimitBytes;
      },
      { timeoutMs: 90_000, intervalMs: 3_000, message: "the heap back near its settled size" },
    ).catch((error: Error) => {
      error.message += `; heap ${Math.round(heapBefore / 2 ** 20)} MiB before, ${Math.round(heap / 2 ** 20)} MiB now`;
      throw error;
    });
    t.diagnostic(
      `heap used ${Math.round(heapBefore / 2 ** 20)} MiB settled, ${Math.round(heap / 2 ** 20)} MiB after deletion`,
    );
    await assertSurvived(keyport, pid);
  });
});
