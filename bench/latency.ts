// 4. Change latency: from a KV write in Vault to the destination Secret holding the new value
// (bounded by refreshAfter: Vault does not notify), and from a destination Secret deleted or
// edited to repaired (event-driven). Times are taken by the bench: t0 just before its request is
// sent, t1 when its own watch delivers the Secret with the right data.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { contentTypes } from "../src/kube/patch.ts";
import { managedSecretSelector } from "../src/sync/ownership.ts";
import { type Bench, collectionPath, createAll, createNamespace, vault, writeKv } from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { startOperator } from "./lib/operator.ts";
import { forEachLimit, range, type Summary, summarize } from "./lib/stats.ts";
import { allPass, decoded, ObjectWatch, type SecretObject } from "./lib/watch.ts";
import { staticSecret } from "./sync.ts";

export interface LatencyResult {
  refreshAfter: string;
  changeP50Ms: number;
  changeP99Ms: number;
  repairP50Ms: number;
  repairP99Ms: number;
  change: Summary;
  repairDelete: Summary;
  repairEdit: Summary;
  /** Raw samples (ms), for the distribution plot. */
  samples: { change: number[]; repairDelete: number[]; repairEdit: number[] };
}

const refreshAfter = "2s";

export async function runLatency(
  bench: Bench,
  options: { changeTrials: number; repairTrials: number },
): Promise<LatencyResult> {
  const ns = "latency";
  await createNamespace(bench, ns);
  const groups = {
    chg: 10,
    del: 5,
    edit: 5,
  };
  const names = Object.entries(groups).flatMap(([prefix, count]) =>
    range(count).map((i) => `${prefix}-${i}`),
  );
  const current = new Map<string, string>();
  for (const name of names) current.set(name, randomBytes(9).toString("base64url"));
  const path = (name: string) => `bench/${ns}/${name}`;
  await writeKv(
    bench.env,
    names.map((name) => ({
      path: path(name),
      data: { username: name, password: current.get(name) as string },
    })),
  );
  const op = await startOperator(bench, { label: "latency", watchNamespaces: [ns] });
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
      120_000,
      "latency Secrets",
    );
    await createAll(
      bench,
      names.map((name) =>
        staticSecret(ns, name, path(name), name.startsWith("chg-") ? { refreshAfter } : {}),
      ),
    );
    await synced.done;

    // Vault → Secret: each changing object has its own worker; writes land at random phases of
    // the refresh cycle.
    log(`  latency: ${options.changeTrials} Vault writes (refreshAfter ${refreshAfter})`);
    const change: number[] = [];
    const perWorker = Math.ceil(options.changeTrials / groups.chg);
    await forEachLimit(range(groups.chg), groups.chg, async (w) => {
      const name = `chg-${w}`;
      for (let t = 0; t < perWorker && change.length < options.changeTrials; t++) {
        await sleep(Math.random() * 2500);
        const value = randomBytes(9).toString("base64url");
        const seen = watch.until(
          (e) =>
            e.type !== "DELETED" &&
            e.object.metadata?.name === name &&
            decoded(e.object, "password") === value,
          30_000,
          `${name} to follow Vault`,
        );
        const t0 = performance.now();
        await vault(bench.env, "POST", `kvv2/data/${path(name)}`, {
          data: { username: name, password: value },
        });
        current.set(name, value);
        change.push((await seen).at - t0);
      }
    });

    log(
      `  latency: ${options.repairTrials} deletions and ${options.repairTrials} edits of destination Secrets`,
    );
    const repairDelete: number[] = [];
    for (let t = 0; t < options.repairTrials; t++) {
      const name = `del-${t % groups.del}`;
      const oldUid = watch.objects.get(name)?.metadata?.uid;
      const back = watch.until(
        (e) =>
          e.type !== "DELETED" &&
          e.object.metadata?.name === name &&
          e.object.metadata?.uid !== oldUid &&
          decoded(e.object, "password") === current.get(name),
        30_000,
        `${name} to be recreated`,
      );
      const t0 = performance.now();
      await bench.kube.delete(`${collectionPath("Secret", ns)}/${name}`);
      repairDelete.push((await back).at - t0);
      await sleep(100 + Math.random() * 200);
    }

    const repairEdit: number[] = [];
    for (let t = 0; t < options.repairTrials; t++) {
      const name = `edit-${t % groups.edit}`;
      const tampered = `tampered-${t}`;
      let sawTampered = false;
      const back = watch.until(
        (e) => {
          if (e.type === "DELETED" || e.object.metadata?.name !== name) return false;
          const password = decoded(e.object, "password");
          if (password === tampered) sawTampered = true;
          return sawTampered && password === current.get(name);
        },
        30_000,
        `${name} to be repaired`,
      );
      const t0 = performance.now();
      await bench.kube.patch(
        `${collectionPath("Secret", ns)}/${name}`,
        { data: { password: Buffer.from(tampered).toString("base64") } },
        contentTypes.mergePatch,
      );
      repairEdit.push((await back).at - t0);
      await sleep(100 + Math.random() * 200);
    }

    const c = summarize(change);
    const d = summarize(repairDelete);
    const e = summarize(repairEdit);
    const repairs = summarize([...repairDelete, ...repairEdit]);
    return {
      refreshAfter,
      changeP50Ms: c.p50,
      changeP99Ms: c.p99,
      repairP50Ms: repairs.p50,
      repairP99Ms: repairs.p99,
      change: c,
      repairDelete: d,
      repairEdit: e,
      samples: {
        change: change.map(Math.round),
        repairDelete: repairDelete.map(Math.round),
        repairEdit: repairEdit.map(Math.round),
      },
    };
  } finally {
    await watch.stop();
    await op.stop();
  }
}
