// Two (then three) operator processes with --leader-elect=true on one operator namespace: one
// leads and reconciles, the others stand by. A stopped leader hands the Lease over at once; a
// killed one is replaced once its Lease expires. Every handover re-syncs without writing: a
// watch on the destination Secret sees one write per distinct data, never two.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  getJson,
  installCrds,
  type KeyportProcess,
  kubernetesRole,
  type SecretView,
  sleep,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { applyAll, resource, type SecretWatch, watchSecret } from "../../support/operator.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("le");
const role = uniqueName("le");
const leaseName = "keyport.secrets.hashicorp.com";
/** The elector's defaults (src/kube/leader-election.ts): what the bounds below are made of. */
const leaseDurationMs = 15_000;
const retryPeriodMs = 2_000;
/** A standby retries every retryPeriod + up to 1.2 × retryPeriod (client-go's jitter factor). */
const maxRetryMs = retryPeriodMs * (1 + 1.2);

const replicas: KeyportProcess[] = [];
let watch: SecretWatch;

function start(): Promise<KeyportProcess> {
  return startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app], leaderElect: true }).then(
    (p) => {
      replicas.push(p);
      return p;
    },
  );
}

function messages(p: KeyportProcess): string[] {
  const out: string[] = [];
  for (const line of p.output().split("\n")) {
    try {
      const msg = (JSON.parse(line) as { msg?: unknown }).msg;
      if (typeof msg === "string") out.push(msg);
    } catch {
      // Not a log line.
    }
  }
  return out;
}

/** Leading now, by its own log: its last term started and has not stopped. */
function leading(p: KeyportProcess): boolean {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return false;
  const terms = messages(p).filter(
    (m) => m === "leading: controllers started" || m === "controllers stopped",
  );
  return terms.at(-1) === "leading: controllers started";
}

function leaders(): KeyportProcess[] {
  return replicas.filter(leading);
}

interface LeaseView {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

function lease(): LeaseView["spec"] {
  return getJson<LeaseView>("lease", opNs, leaseName)?.spec;
}

/** Sum of keyport_sync_operations_total over all labels: reconciles that reached a sync. */
async function syncOperations(p: KeyportProcess): Promise<number> {
  let total = 0;
  for (const line of (await p.metrics()).split("\n")) {
    if (line.startsWith("keyport_sync_operations_total{"))
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

async function setValue(value: string): Promise<void> {
  await vault("POST", `kvv2/data/leader-election/${app}`, { data: { value } });
}

function resourceVersion(): string | undefined {
  return getJson<SecretView>("secret", app, "app")?.metadata.resourceVersion;
}

/** The new leader re-syncs every object when its term starts; with nothing changed, it writes nothing. */
async function resyncsWithoutWriting(leader: KeyportProcess, expected: string): Promise<void> {
  const before = resourceVersion();
  await eventually(async () => (await syncOperations(leader)) > 0, {
    timeoutMs: 30_000,
    message: "the new leader's first sync",
  });
  // refreshAfter is 1s: let it refresh a few times more.
  await sleep(2500);
  const secret = await waitForSecret(app, "app", (d) => d.value === expected);
  assert.equal(secret.metadata.resourceVersion, before, "the handover wrote nothing");
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  await setValue("one");
  watch = watchSecret(app, "app");
});

after(async () => {
  watch?.stop();
  await Promise.all(replicas.map((p) => p.stop()));
  await closeAgents();
});

describe("leader election", () => {
  let first: KeyportProcess;
  let second: KeyportProcess;
  let third: KeyportProcess;

  test("of two replicas exactly one leads, holds the Lease, and alone syncs", async () => {
    await start();
    await start();
    const [leader] = await eventually(() => (leaders().length === 1 ? leaders() : undefined), {
      message: "exactly one leader",
    });
    assert.ok(leader);
    first = leader;
    second = replicas.find((p) => p !== first) as KeyportProcess;
    const holder = lease()?.holderIdentity;
    assert.ok(holder, "the Lease has a holder");
    assert.equal(lease()?.leaseDurationSeconds, leaseDurationMs / 1000);

    applyAll(
      resource("VaultStaticSecret", app, "app", {
        type: "kv-v2",
        mount: "kvv2",
        path: `leader-election/${app}`,
        refreshAfter: "1s",
        destination: { name: "app", create: true },
      }),
    );
    await waitForSecret(app, "app", (d) => d.value === "one", 60_000);
    // A few renewals later: still one leader, the same one, and the standby has synced nothing.
    await sleep(2 * maxRetryMs);
    assert.deepEqual(leaders(), [first]);
    assert.equal(lease()?.holderIdentity, holder);
    assert.ok((await syncOperations(first)) > 0);
    assert.equal(await syncOperations(second), 0, "the standby reconciles nothing");
  });

  test("SIGTERM: the leader releases the Lease and the standby takes over within the lease duration", async (t) => {
    const holder = lease()?.holderIdentity;
    const transitions = lease()?.leaseTransitions ?? 0;
    const stopped = Date.now();
    await first.stop();
    assert.ok(messages(first).includes("controllers stopped"), "the old leader stopped its controllers");
    await eventually(() => leading(second), { timeoutMs: leaseDurationMs, message: "the standby leads" });
    const tookMs = Date.now() - stopped;
    t.diagnostic(`handover took ${tookMs} ms`);
    assert.ok(tookMs < leaseDurationMs, `handover took ${tookMs} ms`);
    const now = lease();
    assert.ok(now?.holderIdentity && now.holderIdentity !== holder, "a new holder");
    assert.ok((now?.leaseTransitions ?? 0) > transitions);

    await resyncsWithoutWriting(second, "one");
    await setValue("two");
    await waitForSecret(app, "app", (d) => d.value === "two", 30_000);
  });

  test("SIGKILL: a third replica takes over once the killed leader's Lease expires", async (t) => {
    third = await start();
    assert.deepEqual(leaders(), [second], "the newcomer stands by");
    const holder = lease()?.holderIdentity;
    const killed = Date.now();
    await second.kill();
    // Nobody releases the Lease. The standby last saw it renewed at most one retry after the
    // kill, counts the lease duration from then, and notices expiry at most one retry later: the
    // bound is the lease duration plus two jittered retries (and a second for the API calls).
    const bound = leaseDurationMs + 2 * maxRetryMs + 1_000;
    await eventually(() => leading(third), { timeoutMs: bound + 10_000, message: "the third replica leads" });
    const tookMs = Date.now() - killed;
    t.diagnostic(`takeover took ${tookMs} ms`);
    assert.ok(tookMs < bound, `takeover took ${tookMs} ms, more than ${bound} ms`);
    assert.notEqual(lease()?.holderIdentity, holder);

    await resyncsWithoutWriting(third, "two");
    await setValue("three");
    await waitForSecret(app, "app", (d) => d.value === "three", 30_000);
  });

  test("across both handovers the Secret was written once per distinct data", async () => {
    await sleep(1500);
    const values = watch.writes.map((w) => {
      const data = JSON.parse(w.data) as Record<string, string>;
      return Buffer.from(data.value ?? "", "base64").toString("utf8");
    });
    assert.deepEqual(values, ["one", "two", "three"], JSON.stringify(watch.writes.map((w) => w.type)));
    for (let i = 1; i < watch.writes.length; i++) {
      assert.notEqual(watch.writes[i]?.data, watch.writes[i - 1]?.data, "no write repeated the data");
    }
  });
});
