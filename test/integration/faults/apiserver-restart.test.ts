// Issue 9, item 3: the kube-apiserver restarted, and etcd compacted so that watches get 410 Gone.
// No update is missed: what changed in Vault while the apiserver was down, and what changed in the
// resources and Secrets before Keyport's watches came back (edited specs, deleted destinations,
// new resources, all behind a compaction), is applied afterwards.
//
// The operator runs without leader election here on purpose: an apiserver outage longer than the
// renew deadline makes a leader step down, and a new term reconciles every object anyway — which
// would hide a missed watch event instead of exposing it. Only the reflectors' relist after 410
// can bring these changes in.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  advanceEtcdRevision,
  compactEtcd,
  startKubeApiserver,
  stopKubeApiserver,
  watchFrom,
} from "../../support/faults/apiserver-control.ts";
import {
  applyObjects,
  createFleet,
  decoded,
  type Fleet,
  fleet,
  isSynced,
  kvData,
  kvVersion,
  listResources,
  listSecrets,
  vpsManifest,
  vssManifest,
  wholeness,
  writeKv,
} from "../../support/faults/fleet.ts";
import { logLines } from "../../support/faults/operator-log.ts";
import {
  faultOperatorArgs,
  setupTenant,
  sleep,
  type Tenant,
  teardownTenant,
  waitForFleet,
} from "../../support/faults/setup.ts";
import { type KeyportProcess, kubectl, startKeyport, uniqueName, vault } from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const outageMs = 10_000;

let tenant: Tenant | undefined;
let keyport: KeyportProcess | undefined;
let f: Fleet;

before(async () => {
  tenant = await setupTenant("faults-ar", testEnv().vault.addr);
  f = fleet({
    namespace: tenant.namespace,
    tag: uniqueName("ar"),
    vss: 20,
    vps: 3,
    vds: 0,
    refreshAfter: "5s",
  });
  await createFleet(f);
  keyport = await startKeyport({
    operatorNamespace: tenant.operatorNamespace,
    watchNamespaces: [tenant.operatorNamespace, tenant.namespace],
    leaderElect: false,
    args: faultOperatorArgs,
  });
  await waitForFleet(f, 23, 120_000);
});

after(async () => {
  await startKubeApiserver();
  await teardownTenant(tenant, keyport !== undefined);
  await keyport?.stop();
  await closeAgents();
});

describe("kube-apiserver restarted, etcd compacted", () => {
  test("changes made during the outage and behind a 410 Gone are all applied", async (t) => {
    assert.ok(keyport);
    const ns = f.spec.namespace;
    const before = await listSecrets(ns);
    const changedInVault = f.vss.slice(0, 5);
    const edited = f.vss.slice(5, 8);
    const deleted = f.vss.slice(8, 10);
    const added = ["s-900", "s-901"];
    const reissued = f.vps[0] ?? "";
    const serialBefore = (await listResources(ns)).find((r) => r.metadata.name === reissued)?.status
      ?.serialNumber;
    const moved = (n: string) => `${f.kvPath(n)}-moved`;
    for (const n of edited)
      await vault("POST", `${testEnv().fixtures.kvV2Mount}/data/${moved(n)}`, { data: kvData(n, 7) });
    await writeKv(f, added, 1);

    const stopping = Date.now();
    let restarted: number;
    await stopKubeApiserver();
    const stopped = Date.now();
    try {
      // While the apiserver is down: Vault changes, which Keyport reads and cannot write; and
      // etcd moves on, as it does under any control plane with more than one writer.
      await writeKv(f, changedInVault, 2);
      await advanceEtcdRevision();
      await sleep(Math.max(0, stopped + outageMs - Date.now()));
    } finally {
      await startKubeApiserver();
      restarted = Date.now();
    }
    t.diagnostic(
      `kube-apiserver: SIGTERM took ${stopped - stopping} ms, then down ${restarted - stopped} ms until ready again (same flags, port, PKI)`,
    );

    // Before Keyport's watches are back (they back off while the apiserver is away): resources
    // edited and added, destinations deleted — then etcd compacted past all of it.
    applyObjects([
      ...edited.map((n) => {
        const m = vssManifest(f, n) as { spec: Record<string, unknown> };
        return { ...m, spec: { ...m.spec, path: moved(n) } };
      }),
      ...added.map((n) => vssManifest(f, n)),
      vpsManifest(f, reissued, "23h"),
    ]);
    kubectl(["-n", ns, "delete", "secret", ...deleted]);
    const revision = await compactEtcd();
    const gone = watchFrom(ns, before.resourceVersion);
    t.diagnostic(
      `etcd compacted at revision ${revision}; a watch from the pre-outage version ${before.resourceVersion} gets: ${gone}`,
    );
    assert.equal(gone, "410", "watches from before the outage are answered 410 Gone");

    await eventually(
      async () => {
        const secrets = new Map((await listSecrets(ns)).items.map((s) => [s.metadata.name, decoded(s)]));
        const resources = await listResources(ns);
        const vps = resources.find((r) => r.metadata.name === reissued);
        return (
          resources.length === 25 &&
          resources.every(isSynced) &&
          changedInVault.every((n) => kvVersion(n, secrets.get(n) ?? {}) === 2) &&
          edited.every((n) => kvVersion(n, secrets.get(n) ?? {}) === 7) &&
          deleted.every((n) => kvVersion(n, secrets.get(n) ?? {}) === 1) &&
          added.every((n) => kvVersion(n, secrets.get(n) ?? {}) === 1) &&
          vps?.status?.serialNumber !== serialBefore &&
          secrets.get(reissued)?.serial_number === vps?.status?.serialNumber
        );
      },
      { timeoutMs: 90_000, intervalMs: 500, message: "every change made during the outage applied" },
    );
    const convergedMs = Date.now() - restarted;
    t.diagnostic(`every change applied ${convergedMs} ms after the apiserver was ready again`);

    const broken = (await listSecrets(ns)).items
      .map((s) => [s.metadata.name, wholeness(f, s.metadata.name, decoded(s))] as const)
      .filter(([, problem]) => problem !== undefined);
    assert.deepEqual(broken, [], "every destination Secret whole");
    const watchFailures = logLines(keyport.output()).filter(
      (l) => l.msg.endsWith("watch failed") && l.time >= stopped,
    ).length;
    t.diagnostic(`the operator logged ${watchFailures} failed watch attempts while the apiserver was away`);
    assert.ok(keyport.child.exitCode === null, "the operator kept running");
  });
});
