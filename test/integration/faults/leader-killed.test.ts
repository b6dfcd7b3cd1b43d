// Issue 9, item 5: two replicas with leader election; the leader is killed with SIGKILL. The
// other takes over within the lease duration (plus the polling that noticing an expired Lease
// takes), and no object is written by both.
//
// Who wrote what is taken from the apiserver's audit log, not from the replicas' own logs: each
// replica runs as its own ServiceAccount, and the audit policy of the test environment records
// every write by a ServiceAccount to Secrets, Keyport's resources and Leases. A fleet of 40
// VaultStaticSecrets, 5 VaultPKISecrets and 3 VaultDynamicSecrets is synced by the first leader;
// after the kill the new leader re-syncs all of it (writing nothing, since nothing changed) and
// syncs 5 new resources.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  applyObjects,
  createFleet,
  type Fleet,
  fleet,
  vssManifest,
  writeKv,
} from "../../support/faults/fleet.ts";
import {
  type AuditWrite,
  auditWrites,
  type Identities,
  replicaIdentities,
} from "../../support/faults/identities.ts";
import { logLines } from "../../support/faults/operator-log.ts";
import {
  faultOperatorArgs,
  setupTenant,
  sleep,
  type Tenant,
  teardownTenant,
  waitForFleet,
} from "../../support/faults/setup.ts";
import { getJson, type KeyportProcess, startKeyport, uniqueName } from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

/** The elector's defaults (src/kube/leader-election.ts). */
const leaseDurationMs = 15_000;
const retryPeriodMs = 2_000;
/** A standby polls every retryPeriod plus up to 1.2 × retryPeriod of jitter. */
const maxPollMs = retryPeriodMs * 2.2;
const leaseName = "keyport.secrets.hashicorp.com";

let tenant: Tenant | undefined;
let identities: Identities | undefined;
let f: Fleet;
const replicas = new Map<string, KeyportProcess>();

function leading(p: KeyportProcess): boolean {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return false;
  const terms = logLines(p.output()).filter(
    (l) => l.msg === "leading: controllers started" || l.msg === "controllers stopped",
  );
  return terms.at(-1)?.msg === "leading: controllers started";
}

before(async () => {
  tenant = await setupTenant("faults-lk", testEnv().vault.addr);
  identities = replicaIdentities(tenant.operatorNamespace, ["replica-a", "replica-b"]);
  f = fleet({ namespace: tenant.namespace, tag: uniqueName("lk"), vss: 40, vps: 5, vds: 3 });
  await createFleet(f);
  for (const identity of identities.replicas) {
    replicas.set(
      identity.name,
      await startKeyport({
        operatorNamespace: tenant.operatorNamespace,
        watchNamespaces: [tenant.operatorNamespace, tenant.namespace],
        leaderElect: true,
        args: [...faultOperatorArgs, `--kubeconfig=${identity.kubeconfig}`],
      }),
    );
  }
  await waitForFleet(f, 48, 180_000);
});

after(async () => {
  const survivor = [...replicas.values()].find(
    (p) => p.child.exitCode === null && p.child.signalCode === null,
  );
  await teardownTenant(tenant, survivor !== undefined);
  await Promise.all([...replicas.values()].map((p) => p.stop()));
  identities?.remove();
  await closeAgents();
});

interface LeaseView {
  spec?: { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
}

describe("leader killed", () => {
  test("SIGKILL of the leader: the standby takes over within the lease duration; no object written by both", async (t) => {
    assert.ok(tenant && identities);
    const [a, b] = identities.replicas;
    assert.ok(a && b);
    const leaderName = await eventually(
      () => {
        const now = [...replicas].filter(([, p]) => leading(p)).map(([n]) => n);
        return now.length === 1 ? now[0] : undefined;
      },
      { message: "exactly one leader" },
    );
    const leader = identities.replicas.find((r) => r.name === leaderName) ?? a;
    const standby = leader === a ? b : a;
    const leaderProcess = replicas.get(leader.name);
    const standbyProcess = replicas.get(standby.name);
    assert.ok(leaderProcess && standbyProcess);
    // Steady state: a few renewals later, then the kill.
    await sleep(2 * maxPollMs);
    const lastRenewal = getJson<LeaseView>("lease", tenant.operatorNamespace, leaseName)?.spec;
    await leaderProcess.kill();
    const killed = Date.now();
    await eventually(() => leading(standbyProcess), {
      timeoutMs: leaseDurationMs + 20_000,
      intervalMs: 100,
      message: "the standby leads",
    });
    const tookMs = Date.now() - killed;
    const lease = getJson<LeaseView>("lease", tenant.operatorNamespace, leaseName)?.spec;
    const sinceRenewalMs = Date.parse(lease?.acquireTime ?? "") - Date.parse(lastRenewal?.renewTime ?? "");
    t.diagnostic(
      `${standby.name} leads ${tookMs} ms after ${leader.name} was killed; its acquireTime is ${sinceRenewalMs} ms after the last renewal seen before the kill (lease ${leaseDurationMs} ms)`,
    );
    // Nobody releases a killed leader's Lease: the standby may take it once it has seen no
    // renewal for the lease duration, and notices at its next poll.
    const bound = leaseDurationMs + 2 * maxPollMs + 1_000;
    assert.ok(tookMs < bound, `takeover took ${tookMs} ms, more than ${bound} ms`);
    assert.ok(lease?.holderIdentity && lease.holderIdentity !== lastRenewal?.holderIdentity, "a new holder");

    // The new leader re-syncs everything, then syncs new work.
    const added = ["s-900", "s-901", "s-902", "s-903", "s-904"];
    await writeKv(f, added, 1);
    applyObjects(added.map((n) => vssManifest(f, n)));
    await waitForFleet(f, 53, 60_000);
    await sleep(3_000);

    // Every successful write to the application namespace, by replica.
    const writes = auditWrites().filter(
      (w) => w.namespace === f.spec.namespace && (w.username === a.username || w.username === b.username),
    );
    const writers = new Map<string, Set<string>>();
    for (const w of writes) {
      const key = `${w.resource}/${w.name || "(created)"}`;
      writers.set(key, (writers.get(key) ?? new Set()).add(w.username));
    }
    const both = [...writers].filter(([, who]) => who.size > 1).map(([key]) => key);
    const count = (who: string, filter: (w: AuditWrite) => boolean = () => true) =>
      writes.filter((w) => w.username === who && filter(w)).length;
    t.diagnostic(
      `audit: ${count(leader.username)} writes by ${leader.name} (${count(leader.username, (w) => w.at > killed)} completing after its kill), ${count(standby.username)} by ${standby.name} (${count(standby.username, (w) => w.at < killed)} before the kill); ${writers.size} objects written, ${both.length} by both`,
    );
    assert.ok(count(leader.username) > 0, "the audit log shows the first leader's writes");
    assert.deepEqual(both, [], "no object was written by both replicas");
    assert.equal(
      count(standby.username, (w) => w.at < killed),
      0,
      "the standby wrote nothing while it stood by",
    );
    const addedWriters = added.flatMap((n) => [...(writers.get(`vaultstaticsecrets/${n}`) ?? [])]);
    assert.ok(
      addedWriters.length > 0 && addedWriters.every((u) => u === standby.username),
      "the new resources were synced by the new leader alone",
    );
  });
});
