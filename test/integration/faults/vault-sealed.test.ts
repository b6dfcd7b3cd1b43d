// Issue 9, item 2: Vault sealed (sys/seal with the root token), then unsealed with the dev
// server's unseal key — the same guarantees as a stopped Vault: no destination Secret deleted,
// emptied or partly written; conditions (and the VaultConnection) say Vault is sealed; retries
// back off, never beyond 60 s; back in sync within 10 s of the unseal, including resources
// changed meanwhile. Sealing keeps the dev server's in-memory data (tokens, leases, KV), exactly
// as sealing a real Vault keeps its storage. The fleet is smaller than item 1's 200 objects
// (55): the guarantees do not depend on the count, and the suite must fit CI's time.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  applyObjects,
  condition,
  createFleet,
  decoded,
  type Fleet,
  fleet,
  isSynced,
  kvVersion,
  listResources,
  listSecrets,
  vpsManifest,
  vssManifest,
  wholeness,
  writeKv,
} from "../../support/faults/fleet.ts";
import { logLines, retryStats } from "../../support/faults/operator-log.ts";
import {
  faultOperatorArgs,
  setupTenant,
  sleep,
  type Tenant,
  teardownTenant,
  waitForFleet,
} from "../../support/faults/setup.ts";
import { restoreVault, sealVault, unsealVault } from "../../support/faults/vault-control.ts";
import { watchSecrets } from "../../support/faults/witness.ts";
import { getJson, type KeyportProcess, startKeyport, uniqueName } from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const sealedMs = 30_000;
const recoveryBoundMs = 10_000;
/** --backoff-max-interval (60 s) bounds every retry delay, jitter included (src/runtime/rate-limiter.ts). */
const maxBackoffMs = 60_000;

let tenant: Tenant | undefined;
let keyport: KeyportProcess | undefined;
let f: Fleet;

before(async () => {
  tenant = await setupTenant("faults-vs", testEnv().vault.addr, { timeout: "5s" });
  f = fleet({ namespace: tenant.namespace, tag: uniqueName("vs"), vss: 40, vps: 10, vds: 5 });
  await createFleet(f);
  keyport = await startKeyport({
    operatorNamespace: tenant.operatorNamespace,
    watchNamespaces: [tenant.operatorNamespace, tenant.namespace],
    args: faultOperatorArgs,
  });
  await waitForFleet(f, 55, 180_000);
});

after(async () => {
  await restoreVault();
  await teardownTenant(tenant, keyport !== undefined);
  await keyport?.stop();
  await closeAgents();
});

interface ConnectionView {
  status?: {
    valid?: boolean;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

describe("Vault sealed", () => {
  test("sealed for 30 s, then unsealed: nothing lost, sealed said, back in sync within 10 s", async (t) => {
    assert.ok(keyport && tenant);
    const opNs = tenant.operatorNamespace;
    const baseline = await listSecrets(f.spec.namespace);
    const witness = watchSecrets(f.spec.namespace, baseline.resourceVersion);
    const changed = f.vss.slice(0, 10);
    const edited = f.vps.slice(0, 3);
    const added = ["s-900", "s-901", "s-902"];
    const serialsBefore = new Map(
      (await listResources(f.spec.namespace))
        .filter((r) => r.kind === "VaultPKISecret")
        .map((r) => [r.metadata.name, r.status?.serialNumber]),
    );
    // Written just before the seal: whether Keyport reads them before or after, they must land.
    await writeKv(f, changed, 2);
    await writeKv(f, added, 1);

    const sealed = Date.now();
    await sealVault();
    let unsealed: number;
    try {
      applyObjects([...added.map((n) => vssManifest(f, n)), ...edited.map((n) => vpsManifest(f, n, "23h"))]);
      const needVault = new Set([...f.vss.slice(10), ...added, ...edited]);
      await eventually(
        async () =>
          (await listResources(f.spec.namespace)).filter((r) => {
            const c = condition(r);
            return needVault.has(r.metadata.name) && c?.status === "False" && /sealed/i.test(c.message);
          }).length === needVault.size,
        {
          timeoutMs: sealedMs - 5_000,
          intervalMs: 1_000,
          message: "every Vault-bound object reports Vault sealed",
        },
      );
      t.diagnostic(
        `all ${needVault.size} Vault-bound objects said Vault is sealed ${Date.now() - sealed} ms in`,
      );
      const ping = await eventually(
        async () =>
          getJson<ConnectionView>("vaultconnection", opNs, "default")?.status?.conditions?.find(
            (c) => c.type === "VaultPing" && c.status === "False",
          ),
        { timeoutMs: sealedMs - 5_000, intervalMs: 1_000, message: "the VaultConnection reports the seal" },
      );
      t.diagnostic(`VaultConnection: ${ping.reason}: ${ping.message}`);
      assert.equal(ping.reason, "VaultSealed");
      await sleep(Math.max(0, sealed + sealedMs - Date.now()));
    } finally {
      await unsealVault();
      unsealed = Date.now();
    }
    t.diagnostic(`sealed for ${unsealed - sealed} ms`);

    await eventually(
      async () => {
        const secrets = new Map((await listSecrets(f.spec.namespace)).items.map((s) => [s.metadata.name, s]));
        const resources = await listResources(f.spec.namespace);
        return (
          resources.length === 58 &&
          resources.every(isSynced) &&
          edited.every((n) => {
            const r = resources.find((x) => x.metadata.name === n);
            return (
              r?.status?.serialNumber !== serialsBefore.get(n) &&
              decoded(secrets.get(n)).serial_number === r?.status?.serialNumber
            );
          }) &&
          changed.every((n) => kvVersion(n, decoded(secrets.get(n))) === 2) &&
          added.every((n) => kvVersion(n, decoded(secrets.get(n))) === 1)
        );
      },
      { timeoutMs: 60_000, intervalMs: 250, message: "everything back in sync after the unseal" },
    );
    const recoveredMs = Date.now() - unsealed;
    t.diagnostic(`back in sync ${recoveredMs} ms after the unseal (bound ${recoveryBoundMs} ms)`);
    await eventually(
      async () => getJson<ConnectionView>("vaultconnection", opNs, "default")?.status?.valid === true,
      { timeoutMs: 15_000, message: "the VaultConnection valid again" },
    );
    await sleep(1_000);
    witness.stop();
    assert.equal(
      witness.gap(),
      false,
      `the witness saw every Secret version (resumed ${witness.resumed()} times)`,
    );

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
    const expected = new Set([...changed, ...added, ...edited]);
    assert.deepEqual(
      [...writes.keys()].filter((n) => !expected.has(n)),
      [],
      "Secrets whose source did not change were not written",
    );
    for (const n of changed) assert.equal(writes.get(n), 1, `${n}: one write, old → new`);

    const stats = retryStats(logLines(keyport.output()), sealed, unsealed);
    t.diagnostic(
      `retries while sealed: ${stats.failures} failed reconciles over ${stats.keys} objects, at most ${stats.maxFailuresPerKey} per object, longest scheduled retry ${stats.maxRetryMs} ms`,
    );
    assert.ok(stats.failures > 0);
    assert.ok(stats.maxRetryMs <= maxBackoffMs, `longest retry ${stats.maxRetryMs} ms, beyond the 60 s cap`);
    assert.ok(stats.maxFailuresPerKey <= 8, "no object retried more than 8 times in 30 s");
    assert.ok(recoveredMs <= recoveryBoundMs, `back in sync after ${recoveredMs} ms`);
  });
});
