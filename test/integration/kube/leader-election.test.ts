// Two electors in one process compete for a real Lease.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { LeaderElector, type LeaderElectorOptions, type Lease } from "../../../src/kube/leader-election.ts";
import { getObject, updateWithRetry } from "../../../src/kube/patch.ts";
import { leases } from "../../../src/kube/resource.ts";
import { eventually } from "../../support/eventually.ts";
import { adminClient, freshNamespace } from "../../support/kube.ts";

let admin: KubeClient;
let namespace: string;

before(async () => {
  admin = adminClient();
  namespace = await freshNamespace(admin, "leader");
});

after(() => admin.close());

/** A candidate with short timings, recording its terms. */
function candidate(identity: string, lease: string, options: Partial<LeaderElectorOptions> = {}) {
  const log: string[] = [];
  let signal: AbortSignal | undefined;
  const client = adminClient();
  const elector = new LeaderElector({
    client,
    namespace,
    name: lease,
    identity,
    leaseDurationMs: 4_000,
    renewDeadlineMs: 3_000,
    retryPeriodMs: 500,
    onStartedLeading: (s) => {
      signal = s;
      log.push("started");
    },
    onStoppedLeading: () => {
      log.push("stopped");
    },
    ...options,
  });
  return {
    elector,
    log,
    signal: () => signal,
    close: async () => {
      await elector.stop();
      await client.close();
    },
  };
}

async function holder(name: string): Promise<Lease["spec"]> {
  return (await getObject<Lease>(admin, leases, { namespace, name }))?.spec;
}

describe("LeaderElector", () => {
  test("one of two candidates leads; when it stops, it releases and the other takes over", async () => {
    const a = candidate("replica-a", "handover");
    const b = candidate("replica-b", "handover");
    try {
      a.elector.start();
      await eventually(() => a.elector.isLeader(), { message: "a to lead" });
      b.elector.start();
      await eventually(() => b.elector.leaderKnown(), { message: "b to see the leader" });
      assert.equal(b.elector.leader, "replica-a");
      assert.equal(b.elector.isLeader(), false);
      assert.equal(a.elector.leaderKnown(), true);
      const before = await holder("handover");
      assert.equal(before?.holderIdentity, "replica-a");
      assert.equal(before?.leaseDurationSeconds, 4);
      assert.match(before?.renewTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, "MicroTime format");

      await a.elector.stop();
      assert.deepEqual(a.log, ["started", "stopped"]);
      assert.equal(a.signal()?.aborted, true, "the term's signal aborts when leadership ends");
      assert.equal(a.elector.isLeader(), false);

      await eventually(() => b.elector.isLeader(), { message: "b to take over", timeoutMs: 4_000 * 3 });
      const after = await holder("handover");
      assert.equal(after?.holderIdentity, "replica-b");
      assert.equal(after?.leaseTransitions, (before?.leaseTransitions ?? 0) + 1);
      assert.deepEqual(b.log, ["started"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a leader that vanishes without releasing is replaced only after its lease expires", async () => {
    const a = candidate("crashing-a", "expiry", { releaseOnStop: false });
    const b = candidate("standby-b", "expiry");
    try {
      a.elector.start();
      await eventually(() => a.elector.isLeader(), { message: "a to lead" });
      b.elector.start();
      await eventually(() => b.elector.leader === "crashing-a", { message: "b to see a" });
      await a.elector.stop();
      const stillHeld = await holder("expiry");
      assert.equal(stillHeld?.holderIdentity, "crashing-a", "no release: the lease is still held");
      assert.equal(b.elector.isLeader(), false, "a valid lease is never taken over");
      await eventually(() => b.elector.isLeader(), {
        message: "b to take over after expiry",
        timeoutMs: 4_000 * 4,
      });
      assert.equal((await holder("expiry"))?.holderIdentity, "standby-b");
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a leader whose lease is taken steps down at once, then campaigns for a new term", async () => {
    const a = candidate("usurped", "usurped");
    try {
      a.elector.start();
      await eventually(() => a.elector.isLeader(), { message: "a to lead" });
      const firstTerm = a.signal();
      await updateWithRetry<Lease>(admin, leases, { namespace, name: "usurped" }, (lease) => ({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "intruder",
          renewTime: new Date().toISOString().replace("Z", "000Z"),
        },
      }));
      await eventually(() => a.log.includes("stopped"), { message: "a to step down" });
      assert.equal(firstTerm?.aborted, true);
      assert.equal(a.elector.leader, "intruder");
      // The intruder never renews, so its lease expires and a leads again, in a new term.
      await eventually(() => a.elector.isLeader(), { message: "a to lead again", timeoutMs: 4_000 * 4 });
      assert.deepEqual(a.log, ["started", "stopped", "started"]);
      assert.notEqual(a.signal(), firstTerm);
      assert.equal(a.signal()?.aborted, false);
    } finally {
      await a.close();
    }
  });

  test("a released lease is left with no holder and a one-second duration", async () => {
    const a = candidate("solo", "released");
    try {
      a.elector.start();
      await eventually(() => a.elector.isLeader(), { message: "a to lead" });
      await a.elector.stop();
      const spec = await holder("released");
      assert.equal(spec?.holderIdentity ?? "", "");
      assert.equal(spec?.leaseDurationSeconds, 1);
    } finally {
      await a.close();
    }
  });
});
