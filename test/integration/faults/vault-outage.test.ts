// Issue 9, item 1: Vault stopped for 60 s under 200 synced objects of mixed kinds (VaultStaticSecret
// kv-v2, VaultPKISecret, VaultDynamicSecret from PostgreSQL). Nothing is lost: no destination
// Secret is deleted, emptied or overwritten with partial data; conditions say Vault is
// unreachable; retries back off, never beyond 60 s; everything is back in sync within 10 s of
// Vault's return — including what changed in Vault and in the resources meanwhile.
//
// How Vault is "stopped": the operator reaches Vault through a loopback TCP proxy (VaultConnection
// address), and the proxy stops listening and cuts every open connection — what a client sees of
// a Vault process that is not running (connection refused). The OpenBao dev server itself keeps
// running: its storage is in memory, so killing it would lose every mount and token, and the test
// writes the outage's Vault changes to it directly. A second test freezes the real process
// (SIGSTOP, then SIGCONT) — a Vault that hangs instead of refusing.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  applyObjects,
  condition,
  connectionValid,
  createFleet,
  decoded,
  type Fleet,
  fleet,
  isSynced,
  kvVersion,
  listResources,
  listSecrets,
  type SecretItem,
  vpsManifest,
  vssManifest,
  wholeness,
  writeKv,
} from "../../support/faults/fleet.ts";
import { failuresSince, logLines, retryStats } from "../../support/faults/operator-log.ts";
import {
  faultOperatorArgs,
  setupTenant,
  sleep,
  type Tenant,
  teardownTenant,
  waitForFleet,
} from "../../support/faults/setup.ts";
import { startTcpProxy, type TcpProxy } from "../../support/faults/tcp-proxy.ts";
import { freezeVault, restoreVault, thawVault } from "../../support/faults/vault-control.ts";
import { watchSecrets } from "../../support/faults/witness.ts";
import { getJson, type KeyportProcess, startKeyport, uniqueName } from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const outageMs = 60_000;
const recoveryBoundMs = 10_000;
const frozenBoundMs = 30_000;
/** --backoff-max-interval (60 s) bounds every retry delay, jitter included (src/runtime/rate-limiter.ts). */
const maxBackoffMs = 60_000;

let proxy: TcpProxy;
let tenant: Tenant | undefined;
let keyport: KeyportProcess | undefined;
let f: Fleet;

before(async () => {
  const vaultUrl = new URL(testEnv().vault.addr);
  proxy = await startTcpProxy({ host: vaultUrl.hostname, port: Number(vaultUrl.port) });
  tenant = await setupTenant("faults-vo", proxy.url);
  f = fleet({ namespace: tenant.namespace, tag: uniqueName("vo"), vss: 150, vps: 30, vds: 20 });
  await createFleet(f);
  keyport = await startKeyport({
    operatorNamespace: tenant.operatorNamespace,
    watchNamespaces: [tenant.operatorNamespace, tenant.namespace],
    args: faultOperatorArgs,
  });
  await waitForFleet(f, 200, 240_000);
});

after(async () => {
  thawVault();
  // The operator's own account, for a post-mortem (it logs no secret values).
  if (keyport !== undefined)
    writeFileSync(join(testEnv().runDir, "logs", "faults-vault-outage.keyport.log"), keyport.output());
  await proxy?.up();
  await restoreVault();
  await teardownTenant(tenant, keyport !== undefined);
  await keyport?.stop();
  await proxy?.close();
  await closeAgents();
});

function byName(items: readonly SecretItem[]): Map<string, SecretItem> {
  return new Map(items.map((s) => [s.metadata.name, s]));
}

describe("Vault stopped", () => {
  test("60 s without Vault under 200 objects: nothing lost, unreachable said, back in sync within 10 s", async (t) => {
    assert.ok(keyport);
    const baseline = await listSecrets(f.spec.namespace);
    const before = byName(baseline.items);
    const witness = watchSecrets(f.spec.namespace, baseline.resourceVersion);
    const changed = f.vss.slice(0, 30);
    const edited = f.vps.slice(0, 5);
    const added = ["s-900", "s-901", "s-902", "s-903", "s-904"];
    const serialsBefore = new Map(
      (await listResources(f.spec.namespace))
        .filter((r) => r.kind === "VaultPKISecret")
        .map((r) => [r.metadata.name, r.status?.serialNumber]),
    );

    const down = Date.now();
    await proxy.down();
    try {
      // Meanwhile, in Vault (directly, not through the proxy) and in the resources.
      await writeKv(f, changed, 2);
      await writeKv(f, added, 1);
      applyObjects([...added.map((n) => vssManifest(f, n)), ...edited.map((n) => vpsManifest(f, n, "23h"))]);

      // Every object that needs Vault says why it cannot sync.
      const needVault = new Set([...f.vss, ...added, ...edited]);
      const unreachable = await eventually(
        async () => {
          const failing = (await listResources(f.spec.namespace)).filter((r) => {
            const c = condition(r);
            return (
              needVault.has(r.metadata.name) &&
              c?.status === "False" &&
              /VaultUnreachable|ECONNREFUSED/.test(c.message)
            );
          });
          return failing.length === needVault.size ? failing : undefined;
        },
        {
          timeoutMs: outageMs - 10_000,
          intervalMs: 1_000,
          message: "every Vault-bound object reports Vault unreachable",
        },
      );
      const sample = condition(unreachable[0] as never);
      t.diagnostic(
        `all ${needVault.size} Vault-bound objects said Vault is unreachable ${Date.now() - down} ms into the outage (e.g. ${sample?.reason}: ${sample?.message})`,
      );
      const ping = await eventually(
        async () =>
          getJson<{ status?: { conditions?: Array<{ type: string; status: string; reason: string }> } }>(
            "vaultconnection",
            tenant?.operatorNamespace ?? "",
            "default",
          )?.status?.conditions?.find((c) => c.type === "VaultPing" && c.status === "False"),
        { timeoutMs: 10_000, intervalMs: 500, message: "the VaultConnection reports the outage" },
      );
      t.diagnostic(`VaultConnection: VaultPing False, ${ping.reason}`);
      assert.equal(ping.reason, "VaultUnreachable");
      await sleep(Math.max(0, down + outageMs - Date.now()));
    } finally {
      await proxy.up();
    }
    const back = Date.now();
    t.diagnostic(`Vault unreachable for ${back - down} ms (${proxy.connectionsCut} open connections cut)`);

    // Back in sync: the outage's changes applied, every resource synced at its generation.
    let healed: number | undefined;
    const timeline: string[] = [];
    await eventually(
      async () => {
        if (healed === undefined && (await connectionValid(tenant?.operatorNamespace ?? "")))
          healed = Date.now();
        const secrets = byName((await listSecrets(f.spec.namespace)).items);
        const resources = await listResources(f.spec.namespace);
        const vpsNew = edited.every((n) => {
          const r = resources.find((x) => x.metadata.name === n);
          const s = decoded(secrets.get(n));
          return (
            r !== undefined &&
            isSynced(r) &&
            r.status?.serialNumber !== serialsBefore.get(n) &&
            s.serial_number === r.status?.serialNumber
          );
        });
        timeline.push(`+${Date.now() - back}ms ${resources.filter(isSynced).length}/${resources.length}`);
        return (
          resources.length === 205 &&
          resources.every(isSynced) &&
          vpsNew &&
          changed.every((n) => kvVersion(n, decoded(secrets.get(n))) === 2) &&
          added.every((n) => kvVersion(n, decoded(secrets.get(n))) === 1)
        );
      },
      { timeoutMs: 60_000, intervalMs: 500, message: "everything back in sync" },
    );
    const recoveredMs = Date.now() - back;
    t.diagnostic(
      `back in sync ${recoveredMs} ms after Vault returned (bound ${recoveryBoundMs} ms); VaultConnection healthy again after ${healed === undefined ? "?" : healed - back} ms; failures after the return: ${failuresSince(logLines(keyport.output()), back)}`,
    );
    await sleep(1_000);
    witness.stop();
    assert.equal(
      witness.gap(),
      false,
      `the witness saw every Secret version (resumed ${witness.resumed()} times)`,
    );

    // Nothing lost: no Secret deleted or emptied, every version ever written whole, and only the
    // changed ones written at all.
    const problems: string[] = [];
    const writes = new Map<string, number>();
    for (const e of witness.events) {
      if (e.type === "DELETED") problems.push(`${e.name} deleted`);
      if (e.type !== "ADDED" && e.type !== "MODIFIED") continue;
      writes.set(e.name, (writes.get(e.name) ?? 0) + 1);
      const whole = wholeness(f, e.name, e.data);
      if (whole !== undefined) problems.push(`${e.name}@${e.resourceVersion}: ${whole}`);
    }
    assert.deepEqual(problems, [], "no destination Secret was deleted, emptied or partly written");
    const expectedWriters = new Set([...changed, ...added, ...edited]);
    const unexpected = [...writes.keys()].filter((n) => !expectedWriters.has(n));
    assert.deepEqual(unexpected, [], "Secrets whose source did not change were not written");
    for (const n of changed) assert.equal(writes.get(n), 1, `${n}: one write, old → new`);
    const after = byName((await listSecrets(f.spec.namespace)).items);
    for (const [name, s] of before) {
      if (expectedWriters.has(name)) continue;
      assert.equal(
        after.get(name)?.metadata.resourceVersion,
        s.metadata.resourceVersion,
        `${name} untouched`,
      );
    }

    // Retries backed off, never beyond 60 s, and nothing spun.
    t.diagnostic(`synced over time after Vault returned: ${timeline.join(", ")}`);
    const stats = retryStats(logLines(keyport.output()), down, back);
    t.diagnostic(
      `retries during the outage: ${stats.failures} failed reconciles over ${stats.keys} objects, at most ${stats.maxFailuresPerKey} per object, longest scheduled retry ${stats.maxRetryMs} ms`,
    );
    assert.ok(stats.failures > 0, "the outage was noticed");
    assert.ok(stats.maxRetryMs <= maxBackoffMs, `longest retry ${stats.maxRetryMs} ms, beyond the 60 s cap`);
    assert.ok(stats.maxRetryMs > 7_500, "retries backed off beyond the first interval");
    assert.ok(stats.maxFailuresPerKey <= 10, `no object retried more than 10 times in 60 s`);
    assert.ok(recoveredMs <= recoveryBoundMs, `back in sync after ${recoveredMs} ms`);
  });

  test("Vault frozen (SIGSTOP) for 15 s: requests wait or time out, nothing lost, back in sync after SIGCONT", async (t) => {
    assert.ok(keyport && tenant);
    const ns = f.spec.namespace;
    // The fleet's connection keeps Vault's default 60 s timeout: its requests simply wait out the
    // freeze. Three new objects use a second connection (straight to Vault) with a 5 s timeout,
    // so a hung Vault shows as Timeout for them.
    applyObjects([
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultConnection",
        metadata: { name: "hung", namespace: ns },
        spec: { address: testEnv().vault.addr, timeout: "5s" },
      },
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultAuth",
        metadata: { name: "hung", namespace: ns },
        spec: {
          vaultConnectionRef: "hung",
          method: "kubernetes",
          mount: "kubernetes",
          kubernetes: { role: tenant.role, serviceAccount: "default", audiences: ["vault"] },
        },
      },
    ]);
    await eventually(async () => connectionValid(ns, "hung"), { message: "the 5 s connection is healthy" });
    const baseline = await listSecrets(ns);
    const witness = watchSecrets(ns, baseline.resourceVersion);
    const added = ["s-910", "s-911", "s-912"];
    await writeKv(f, added, 1);
    const frozen = Date.now();
    freezeVault();
    let thawed: number;
    try {
      applyObjects(
        added.map((n) => {
          const m = vssManifest(f, n) as { spec: Record<string, unknown> };
          return { ...m, spec: { ...m.spec, vaultAuthRef: "hung" } };
        }),
      );
      // The new objects time out against the hung Vault and say so.
      await eventually(
        async () =>
          (await listResources(f.spec.namespace)).some((r) => {
            const c = condition(r);
            return c?.status === "False" && /Timeout/.test(c.message);
          }),
        { timeoutMs: 14_000, intervalMs: 1_000, message: "a timeout reported" },
      );
      await sleep(Math.max(0, frozen + 15_000 - Date.now()));
    } finally {
      thawVault();
      thawed = Date.now();
    }
    let healed: number | undefined;
    await eventually(
      async () => {
        if (healed === undefined && (await connectionValid(ns, "hung"))) healed = Date.now();
        const resources = await listResources(f.spec.namespace);
        const secrets = byName((await listSecrets(f.spec.namespace)).items);
        return (
          resources.length === 208 &&
          resources.every(isSynced) &&
          added.every((n) => kvVersion(n, decoded(secrets.get(n))) === 1)
        );
      },
      { timeoutMs: 60_000, intervalMs: 500, message: "everything back in sync after SIGCONT" },
    );
    const recoveredMs = Date.now() - thawed;
    t.diagnostic(
      `frozen ${thawed - frozen} ms; back in sync ${recoveredMs} ms after SIGCONT; the 5 s VaultConnection healthy again after ${healed === undefined ? "?" : healed - thawed} ms; failures after SIGCONT: ${failuresSince(logLines(keyport.output()), thawed)}`,
    );
    await sleep(1_000);
    witness.stop();
    assert.equal(
      witness.gap(),
      false,
      `the witness saw every Secret version (resumed ${witness.resumed()} times)`,
    );
    const problems = witness.events
      .filter((e) => e.type === "DELETED" || wholeness(f, e.name, e.data) !== undefined)
      .map((e) => `${e.type} ${e.name}`);
    assert.deepEqual(problems, []);
    const written = new Set(witness.events.map((e) => e.name));
    assert.deepEqual(
      [...written].filter((n) => !added.includes(n)),
      [],
      "only the new objects' Secrets were written",
    );
    // Not one of the issue's bounds (a hung Vault is beyond item 1's stopped one). It is noticed
    // through the 5 s request timeout and healed at the connection's next ~5 s re-check; a thawed
    // Vault first works off what queued up while it was stopped, and requests that time out
    // meanwhile back off again — hence a looser bound.
    assert.ok(recoveredMs <= frozenBoundMs, `back in sync after ${recoveredMs} ms`);
  });
});
