// The event recorder against the real apiserver, read back the way a user would.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { EventRecorder } from "../../../src/kube/events.ts";
import type { KubeList, KubeObject } from "../../../src/kube/object.ts";
import { create } from "../../../src/kube/patch.ts";
import { configMaps, events, resourcePath } from "../../../src/kube/resource.ts";
import { adminClient, freshNamespace, kubectl } from "../../support/kube.ts";

interface CoreEvent extends KubeObject {
  involvedObject: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  source?: { component?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

let admin: KubeClient;
let namespace: string;

before(async () => {
  admin = adminClient();
  namespace = await freshNamespace(admin, "events");
});

after(() => admin.close());

async function subject(name: string): Promise<KubeObject> {
  return create(admin, configMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace } });
}

async function eventsFor(object: KubeObject): Promise<CoreEvent[]> {
  const list = await admin.get<KubeList<CoreEvent>>(resourcePath(events, { namespace }), {
    query: { fieldSelector: `involvedObject.uid=${object.metadata?.uid}` },
  });
  return list.items;
}

describe("EventRecorder", () => {
  test("records an Event that kubectl describe shows, and folds repeats into its count", async () => {
    const object = await subject("described");
    const errors: unknown[] = [];
    const recorder = new EventRecorder({
      client: admin,
      reportingInstance: "keyport-0",
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 3; i++) {
      await recorder.warning(
        object,
        "VaultClientConfigError",
        "failed to get Vault client: no VaultConnection",
      );
    }
    await recorder.normal(object, "SecretSynced", "Secret synced");
    assert.deepEqual(errors, []);

    const recorded = await eventsFor(object);
    assert.equal(recorded.length, 2, "three identical Warnings are one Event");
    const warning = recorded.find((e) => e.type === "Warning");
    assert.equal(warning?.count, 3);
    assert.equal(warning?.reason, "VaultClientConfigError");
    assert.deepEqual(warning?.involvedObject, {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "described",
      namespace,
      uid: object.metadata?.uid,
    });
    assert.equal(warning?.source?.component, "keyport");
    assert.equal(warning?.reportingComponent, "keyport");
    assert.equal(warning?.reportingInstance, "keyport-0");
    assert.ok(warning?.firstTimestamp && warning.lastTimestamp);

    const described = kubectl("describe", "configmap", "described", "-n", namespace);
    assert.match(
      described,
      /Warning\s+VaultClientConfigError\s+.*\(x3 over .*\)\s+keyport\s+failed to get Vault client/,
    );
    assert.match(described, /Normal\s+SecretSynced\s+.*keyport\s+Secret synced/);
  });

  test("a flapping error is rate-limited per object instead of writing without end", async () => {
    const object = await subject("flapping");
    const recorder = new EventRecorder({ client: admin });
    for (let i = 0; i < 40; i++) await recorder.warning(object, "SecretSyncError", "connection refused");
    const recorded = await eventsFor(object);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]?.count, 25, "the per-object bucket lets 25 through, then one per 5 minutes");
  });

  test("many distinct messages for one reason are combined into a single Event", async () => {
    const object = await subject("similar");
    const recorder = new EventRecorder({ client: admin });
    for (let i = 0; i < 15; i++) await recorder.warning(object, "SecretSyncError", `attempt ${i} failed`);
    const recorded = await eventsFor(object);
    assert.equal(recorded.length, 11, "ten distinct Events, then one combined");
    const combined = recorded.find((e) => e.message.startsWith("(combined from similar events)"));
    assert.equal(combined?.count, 5);
    assert.equal(combined?.message, "(combined from similar events): attempt 14 failed");
  });

  test("never rejects: an Event that cannot be written goes to onError", async () => {
    const errors: unknown[] = [];
    const recorder = new EventRecorder({ client: admin, onError: (e) => errors.push(e) });
    const ghost = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "ghost", namespace: "no-such-namespace" },
    };
    await recorder.warning(ghost, "Testing", "this namespace does not exist");
    await recorder.warning({ metadata: { name: "kindless" } }, "Testing", "no kind");
    assert.equal(errors.length, 2);
  });
});
